#pragma once
// Azure shared access signatures (DPS service API, IoT Hub service API, DPS device registration).
//
//   SharedAccessSignature sr={enc(lower(resource))}&sig={enc(b64(HMAC-SHA256(b64dec(key),
//   enc(lower(resource)) + "\n" + expiry)))}&se={expiry}[&skn={key name}]
//
// The resource is URL-encoded once, signed exactly as encoded, and sent as that same string.
// The host a token is signed for is a setting of its own, apart from the base URL a worker talks
// to, so a loopback stand-in gets exactly the token the real host would.
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::azure {

// key_base64 is the policy or device key as Azure shows it (base64). key_name may be empty
// (device tokens for IoT Hub omit skn).
Result<std::string> BuildSasToken(std::string_view resource, std::string_view key_base64,
                                  std::string_view key_name, std::int64_t expiry_unix_seconds);

struct SasToken {
  std::string encoded_resource;  // sr exactly as sent
  std::string resource;          // sr decoded
  std::string signature;         // raw HMAC bytes
  std::int64_t expiry = 0;       // se
  std::string key_name;          // skn, may be empty
};

// Parses an Authorization header value; refuses a missing field or a malformed one.
Result<SasToken> ParseSasToken(std::string_view header_value);

// Ok when token is signed with key for a resource that equals expected_resource or lies under it
// (path-segment prefix, case-insensitive) and has not expired at now_unix_seconds.
Status VerifySasToken(const SasToken& token, std::string_view expected_resource,
                      std::string_view key_base64, std::int64_t now_unix_seconds);

}  // namespace gps::azure
