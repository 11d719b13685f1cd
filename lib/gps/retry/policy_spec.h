#pragma once
// A retry policy written as one setting, e.g.
//   "attempts=5,backoff=1s,multiplier=2,max_backoff=60s,jitter=0.2,timeout=30s"
// Keys may be left out (they keep the base policy's value); durations take ms, s, m, h or d.
// Pure; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/retry/backoff.h"

namespace gps::retry {

// Applies the keys of spec on top of base. Errors name the key and the value.
Result<Policy> ParsePolicySpec(std::string_view spec, const Policy& base);
std::string FormatPolicySpec(const Policy& policy);

// "250ms", "5s", "2m", "1h", "14d" (a bare number is milliseconds).
Result<Millis> ParseDurationMs(std::string_view text);

}  // namespace gps::retry
