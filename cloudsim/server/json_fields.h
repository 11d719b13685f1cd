#pragma once
// The optional string fields of a request body, read as the simulated Azure APIs read them:
// absent or null is the empty string, any other type is refused naming the field. Pure;
// thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/json/json.h"

namespace gps::cloudsim {

// InvalidArgument "'<key>' must be a string" when the field holds another type.
Result<std::string> OptionalString(const json::Value& obj, std::string_view key);

}  // namespace gps::cloudsim
