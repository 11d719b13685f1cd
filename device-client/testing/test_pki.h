#pragma once
// Test-only: a small certificate authority made with OpenSSL (root -> intermediate -> leaf), and
// complete, sealed credential bundles built from it the way the engine and the workers build
// them. Used by the unit and the integration tests; never linked into the client.
// Not thread-safe; each test makes its own.

#include <string>
#include <vector>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/device_messages.h"

namespace gps::device_client::testing {

struct CertifiedKey {
  std::string cert_pem;
  crypto::PrivateKey key;
};

// A self-signed CA certificate (basicConstraints CA:TRUE) with a fresh P-256 key.
Result<CertifiedKey> MakeRootCa(const std::string& common_name);
// A CA certificate for a fresh P-256 key, signed by issuer.
Result<CertifiedKey> MakeIntermediateCa(const std::string& common_name, const CertifiedKey& issuer);
// An end-entity certificate for subject_key, signed by issuer.
Result<std::string> MakeLeaf(const std::string& common_name, const crypto::PrivateKey& subject_key,
                             const CertifiedKey& issuer);

// Everything a bundle carries, in clear. The test changes fields to make a bad bundle.
struct BundleParts {
  std::string device_id;
  std::string bundle_id;
  std::string name;
  std::string mender_device_id = "6f1c3a52-94b1-4d8e-b0a7-2d1e5c9f8a10";
  std::string dps_registration_id;
  std::string dps_id_scope = "0ne00A1B2C3";
  std::string dps_global_endpoint = "global.azure-devices-provisioning.net";
  std::string dps_symmetric_key;  // base64, as Azure shows it
  std::string certificate_pem;
  std::string private_key_pem;            // PKCS#8
  std::vector<std::string> ca_chain_pem;  // issuing CA first, root last
};

// A valid bundle for device_id: root -> intermediate -> leaf (CN = name, P-256 key).
Result<BundleParts> MakeValidParts(const std::string& device_id, const std::string& bundle_id,
                                   const std::string& name);

// The outer sealing context, when a test wants one that does not fit the bundle; empty fields
// take the bundle's own values.
struct SealContext {
  std::string device_id;
  std::string bundle_id;
};

// Seals the two secrets (as the workers do) and the bundle (as the engine does) to the device's
// transport public key. The message names context.device_id / context.bundle_id when given.
Result<protocol::CredentialsMessage> SealParts(const BundleParts& parts,
                                               const std::string& transport_public_raw,
                                               const SealContext& context = {});

// The key as a traditional PEM ("EC PRIVATE KEY" / "RSA PRIVATE KEY"), as Vault returns it by
// default.
Result<std::string> TraditionalPem(const crypto::PrivateKey& key);

}  // namespace gps::device_client::testing
