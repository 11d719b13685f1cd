#pragma once
// Throttle: at most one log line per interval for an event that can come in floods (a refusal
// an outsider can trigger at will), so the log stays readable and cheap. The line that is let
// through says how many were held back since the previous one; the event's counter still counts
// every occurrence.
// Time is passed in. Not thread-safe: one per thread, like the loop that owns it.

#include <cstdint>
#include <optional>

#include "gps/core/clock.h"

namespace gps::log {

class Throttle {
 public:
  explicit Throttle(Millis interval_ms) : interval_ms_(interval_ms) {}

  // nullopt: hold this line back. Otherwise write it, with the number held back since the last.
  std::optional<std::uint64_t> Admit(Instant now);

 private:
  Millis interval_ms_;
  std::optional<Instant> last_;
  std::uint64_t held_back_ = 0;
};

}  // namespace gps::log
