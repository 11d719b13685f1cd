#pragma once
// Durations as Vault reads them (parseutil.ParseDurationSecond): a JSON number of seconds, or a
// string that is a plain integer of seconds ("3600"), a Go duration ("720h", "30m", "1h30m",
// "3600s", "1.5h"), or whole days ("7d"). And Go's way of printing one ("720h0m0s"), which Vault
// uses in its warnings. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/json/json.h"

namespace gps::cloudsim::vault {

// Whole seconds (fractions truncated, as Vault does); negative values are refused.
Result<std::int64_t> ParseDurationSeconds(std::string_view text);
// The same for a JSON value: an integer number or a string as above; null is 0.
Result<std::int64_t> ParseDurationValue(const json::Value& value);

// Go's time.Duration.String() for whole seconds: "720h0m0s", "30m0s", "0s".
std::string GoDurationString(std::int64_t seconds);

}  // namespace gps::cloudsim::vault
