#pragma once
// Names for a bulk approval, made from a pattern per device:
//   {mac}   the MAC in lower case without colons ("0242ac110002")
//   {mac6}  its last 6 hex digits ("110002")
//   {n}     a counter, one per device in the order given, from the request's start
//   {n:W}   the counter zero-padded to W digits (1-9)
// e.g. "gw-berlin-{n:4}" or "gw-{mac6}". Every name made must follow the device-name rules
// (protocol/names.h); literal text is checked with them too.
// Pure; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::ui {

// InvalidArgument for an unknown or unclosed placeholder, a pattern without any placeholder (every
// device would get the same name), or literal text that cannot be part of a name.
Status ValidateNamePattern(std::string_view pattern);

// The name for one device; InvalidArgument when the pattern is bad, the MAC is not canonical, or
// the result breaks the naming rules (too long, say).
Result<std::string> RenderName(std::string_view pattern, std::string_view mac, std::int64_t n);

}  // namespace gps::ui
