#include "gps/log/throttle.h"

namespace gps::log {

std::optional<std::uint64_t> Throttle::Admit(Instant now) {
  // A clock that went back is treated as the interval having passed, so a line is never held
  // back for longer than one interval of real time.
  if (last_ && now >= *last_ && now - *last_ < interval_ms_) {
    ++held_back_;
    return std::nullopt;
  }
  last_ = now;
  std::uint64_t held = held_back_;
  held_back_ = 0;
  return held;
}

}  // namespace gps::log
