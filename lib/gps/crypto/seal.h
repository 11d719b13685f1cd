#pragma once
// Sealing data to a device's transport key: X25519 ECDH with a fresh ephemeral key,
// HKDF-SHA256, then AES-256-GCM. Anyone may seal to a public key; only the holder of the private
// key can open. A context string (e.g. "gps/v1 bundle <device id>") is bound as associated data,
// so a sealed blob cannot be replayed as another kind of message or to another device.
//
// Sealed format (then base64 on the wire), documented in docs/protocol.md:
//   0x01 | ephemeral public key (32) | nonce (12) | ciphertext | GCM tag (16)
// Thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::crypto {

inline constexpr std::size_t kTransportKeySize = 32;

// An X25519 key pair; the private half is wiped when the object is destroyed.
class TransportKeyPair {
 public:
  static Result<TransportKeyPair> Generate();
  // Rebuilds a pair from its 32-byte private key (a client that kept its key across a reboot).
  static Result<TransportKeyPair> FromPrivate(std::string_view private_raw);

  TransportKeyPair(TransportKeyPair&&) = default;
  TransportKeyPair& operator=(TransportKeyPair&&) = default;
  ~TransportKeyPair();

  const std::string& private_raw() const { return private_raw_; }
  const std::string& public_raw() const { return public_raw_; }

 private:
  TransportKeyPair(std::string priv, std::string pub)
      : private_raw_(std::move(priv)), public_raw_(std::move(pub)) {}
  std::string private_raw_;
  std::string public_raw_;
};

Result<std::string> Seal(std::string_view recipient_public_raw, std::string_view plaintext,
                         std::string_view context);
// PermissionDenied when the blob was altered, is for another key, or carries another context.
Result<std::string> Open(std::string_view recipient_private_raw, std::string_view sealed,
                         std::string_view context);

}  // namespace gps::crypto
