#pragma once
// The certificate key of CSR mode (GPS_CLIENT_CERT_MODE=csr): an ECDSA P-256 key the gateway
// makes itself, kept in <state dir>/certificate.key (PKCS#8 PEM, mode 0600, beside the transport
// key) from the first start until the credentials are installed, when it becomes the device key
// file (device.key). Vault only signs a CSR for it, so the private key never leaves the gateway.
//
// Kept across reboots (kept_key_file.h) so a gateway that restarts while waiting for an operator
// asks again for the same key, and the certificate signed for its first CSR still fits. The CSR
// itself is made anew at each start from the kept key: its signature bytes differ (ECDSA is
// randomised), what it asks for does not.
// Stateless functions.

#include <string>

#include "device-client/kept_key_file.h"
#include "gps/core/result.h"
#include "gps/crypto/keys.h"

namespace gps::device_client {

inline constexpr char kCertificateKeyFile[] = "certificate.key";

struct LoadedCertificateKey {
  crypto::PrivateKey key;
  std::string csr_pem;  // a CSR for key with an empty subject
  KeptKeyOrigin origin = KeptKeyOrigin::kLoaded;
  bool fixed_mode = false;  // the file was readable by others and has been chmod'ed to 0600
  std::string problem;      // why a corrupt file was replaced (no key material)
};

// Loads the kept key or makes and saves a new one, and makes its CSR. The CSR names no subject:
// Vault's roles take a CSR's common name over the one the request gives (use_csr_common_name,
// on by default), and the certificate must carry the device name the worker sets.
Result<LoadedCertificateKey> LoadOrCreateCertificateKey(const std::string& state_dir);

// Deletes the kept key; a missing file is fine.
Status RemoveCertificateKey(const std::string& state_dir);

}  // namespace gps::device_client
