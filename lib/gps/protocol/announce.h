#pragma once
// The announce: a device's signed "I am here" (gps/v1/devices/{id}/announce, QoS 1).
//
// The device signs a fixed signing string with its Mender private key; the engine refuses any
// announce whose signature, device id or topic does not match (docs/protocol.md, "Announce").
// Pure apart from the crypto; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"

namespace gps::protocol {

struct Announce {
  std::string device_id;      // lower-case hex SHA-256 of the DER SPKI of pubkey_pem
  std::string mac;            // canonical: aa:bb:cc:dd:ee:ff
  std::string pubkey_pem;     // the Mender public key, "PUBLIC KEY" PEM
  std::string transport_key;  // raw 32-byte X25519 public key the bundle is sealed to
  std::int64_t ts_ms = 0;     // device clock; must not go backwards for one device
  std::string csr_pem;        // optional CSR for Vault sign mode; empty when absent
  std::string signature;      // raw signature over SigningString()
};

// "gps/v1 announce\n<id>\n<mac>\n<b64 transport key>\n<ts>\n<hex sha256 of csr or empty>"
std::string AnnounceSigningString(const Announce& a);

std::string EncodeAnnounce(const Announce& a);
// Checks syntax and field rules only (sizes, formats); no cryptography.
Result<Announce> ParseAnnounce(std::string_view payload);

struct VerifiedAnnounce {
  Announce announce;
  std::string fingerprint;  // SHA256:... of the Mender key
  std::string check_code;   // short code the device also shows
  crypto::KeyType key_type;
};

// Checks that the key parses, the device id is the key's, the topic's id is the same, and the
// signature verifies. PermissionDenied for a forged or mismatched announce.
Result<VerifiedAnnounce> VerifyAnnounce(Announce a, std::string_view topic_device_id);

// Fills device_id and signature for a; used by the device client.
Status SignAnnounce(const crypto::PrivateKey& key, Announce* a);

}  // namespace gps::protocol
