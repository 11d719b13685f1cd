#pragma once
// Password hashing for operator logins: scrypt (OpenSSL 3 EVP_KDF) with a random 16-byte salt,
// stored as a PHC-style string that carries its own cost, so the cost can be raised later without
// breaking stored hashes:
//
//   $scrypt$ln=15,r=8,p=1$<salt, base64 unpadded>$<32-byte hash, base64 unpadded>
//
// Verification compares in constant time (CRYPTO_memcmp). Costs read from a stored string are
// bounded (memory at most 256 MiB, p at most 16), so a damaged record cannot make a login eat the
// machine. Thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::crypto {

// N = 2^log_n. The default costs about 32 MiB and a tenth of a second per hash on a small VM.
struct ScryptCost {
  int log_n = 15;
  int r = 8;
  int p = 1;
};

// Passwords longer than this are refused (they only cost time to hash).
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Raw scrypt (RFC 7914) of length bytes. InvalidArgument for a cost outside the bounds above.
Result<std::string> Scrypt(std::string_view password, std::string_view salt, const ScryptCost& cost,
                           std::size_t length);

// A new hash string with a fresh salt. InvalidArgument for an empty or oversized password.
Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost = {});

// true when password matches stored; InvalidArgument when stored is not a hash string this code
// writes (the message never contains the password).
Result<bool> VerifyPassword(std::string_view password, std::string_view stored);

}  // namespace gps::crypto
