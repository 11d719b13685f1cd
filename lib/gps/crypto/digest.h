#pragma once
// Hashes, MACs and randomness from OpenSSL 3 (EVP_MD, EVP_MAC, RAND_bytes). Thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::crypto {

// Raw 32-byte digest.
std::string Sha256(std::string_view data);
// Raw 32-byte HMAC-SHA256 of data under key.
Result<std::string> HmacSha256(std::string_view key, std::string_view data);
// n bytes from the OpenSSL CSPRNG.
Result<std::string> RandomBytes(std::size_t n);
// Constant-time equality, for MACs and tokens.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace gps::crypto
