#include "gps/retry/backoff.h"

#include <algorithm>
#include <cmath>

namespace gps::retry {

Millis NextDelay(const Policy& policy, int failed_attempt, Millis retry_after_ms, double random01) {
  double base = static_cast<double>(policy.initial_backoff_ms) *
                std::pow(policy.multiplier, std::max(0, failed_attempt - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff_ms));
  double r = std::clamp(random01, 0.0, 1.0);
  double factor = 1.0 - policy.jitter + 2.0 * policy.jitter * r;
  Millis delay = static_cast<Millis>(std::llround(base * factor));
  return std::max<Millis>({delay, retry_after_ms, 0});
}

bool HasAttemptsLeft(const Policy& policy, int attempts_made) {
  return attempts_made < policy.max_attempts;
}

}  // namespace gps::retry
