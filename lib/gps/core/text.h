#pragma once
// ASCII text helpers for the tokens of the protocols we speak: header names, media types, host
// names, ids. Only ASCII letters change case (never by locale); other bytes pass through.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

namespace gps {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// s without leading and trailing spaces and tabs (the optional white space of HTTP headers).
std::string_view TrimBlanks(std::string_view s);

// True when s holds an ASCII control character (below 0x20, or DEL): such a value would break
// the URL or header it is put into.
bool HasControlCharacter(std::string_view s);

}  // namespace gps
