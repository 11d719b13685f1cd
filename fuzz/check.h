#pragma once
// Properties the fuzz targets assert besides "no crash": what the project writes, it must also
// accept. A failed check prints what broke and aborts, so libFuzzer keeps the input as a crash.
// Must() does the same for set-up steps (fixture keys, seeds) that cannot fail in a sound build.
// Header-only; thread-safe.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/same_json.h"
#include "gps/core/result.h"

namespace gps::fuzz {

inline void Check(bool ok, std::string_view what, std::string_view why) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %.*s: %.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(why.size()), why.data());
    std::abort();
  }
}

template <typename T>
T Must(Result<T> r, std::string_view what) {
  Check(r.ok(), what, r.status().ToString());
  return std::move(r).value();
}

// Parses input; when it parses, its re-encoding must parse too and encode to the same message
// (same_json.h: the same text, up to the last digits of fractional numbers), so a message one
// process writes is never refused or changed by the next. Returns the first parse.
template <typename Parse, typename Encode>
auto ParseAndCheckReencoding(std::string_view what, std::string_view input, Parse parse,
                             Encode encode) -> decltype(parse(input)) {
  auto first = parse(input);
  if (!first.ok()) {
    return first;
  }
  std::string once = encode(*first);
  auto second = parse(once);
  Check(second.ok(), what, "its own encoding does not parse: " + second.status().ToString());
  std::string twice = encode(*second);
  Check(twice == once || SameJson(twice, once), what,
        "encoding a parsed encoding changes it: " + once + " -> " + twice);
  return first;
}

inline std::string_view AsText(const unsigned char* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace gps::fuzz
