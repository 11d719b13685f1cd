#pragma once
// If-Match as the Azure registries (DPS enrollments, IoT Hub devices) read it: "*" matches any
// existing entity, "\"<etag>\"" (optionally W/-prefixed) matches that etag, and an unquoted value
// never matches because the services compare quoted etags. Pure; thread-safe.

#include <string_view>

#include "cloudsim/server/api_types.h"

namespace gps::cloudsim {

enum class IfMatch { kAbsent, kAny, kMatch, kMismatch };

IfMatch CheckIfMatch(const ApiRequest& request, std::string_view etag);

}  // namespace gps::cloudsim
