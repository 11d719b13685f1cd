#pragma once
// Whether two JSON texts hold the same value. Strings, keys (in order), integers, booleans and
// structure must be identical; numbers that are not integers may differ by a relative 1e-12, as
// RapidJSON reads them to within a few units in the last place, so a message read and written
// again may spell them differently (json.h, Value::Serialize). Text that is not JSON is never
// the same as anything. Pure; thread-safe.

#include <string_view>

namespace gps::fuzz {

bool SameJson(std::string_view a, std::string_view b);

}  // namespace gps::fuzz
