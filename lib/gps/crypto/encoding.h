#pragma once
// Byte encodings used on the wire: standard base64 (RFC 4648, with padding) and lower-case hex.
// Decoders are strict: they refuse whitespace, wrong padding and foreign characters, so a value
// has exactly one accepted spelling. Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::crypto {

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);
// Base64 without '=' padding (fingerprints, as ssh-keygen prints them).
std::string Base64EncodeUnpadded(std::string_view bytes);

std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters, with upper-case hex digits.
std::string UrlEncode(std::string_view text);
// Decodes %XX escapes (either case) and '+' as a space; refuses malformed escapes.
Result<std::string> UrlDecode(std::string_view text);

}  // namespace gps::crypto
