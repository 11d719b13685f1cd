#pragma once
// Signatures with a device's Mender key, as the key type dictates:
// RSA: PKCS#1 v1.5 with SHA-256 (what the Mender client uses); ECDSA P-256: SHA-256, DER-encoded
// signature; Ed25519: pure Ed25519. Thread-safe for const keys.

#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"

namespace gps::crypto {

Result<std::string> Sign(const PrivateKey& key, std::string_view message);
// Ok if signature is a valid signature of message under key; PermissionDenied otherwise.
Status Verify(const PublicKey& key, std::string_view message, std::string_view signature);

}  // namespace gps::crypto
