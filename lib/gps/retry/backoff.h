#pragma once
// Retry policy as data, and the backoff it gives: exponential with jitter, capped, and never
// shorter than what the far side asked for (Retry-After). Randomness comes in as an argument so the
// function is pure and testable. Thread-safe.

#include "gps/core/clock.h"

namespace gps::retry {

struct Policy {
  int max_attempts = 5;               // attempts in all, the first included
  Millis initial_backoff_ms = 1000;   // delay after the first failure
  double multiplier = 2.0;            // growth per further failure
  Millis max_backoff_ms = 60000;      // cap before jitter
  double jitter = 0.2;                // +/- this fraction, uniformly
  Millis attempt_timeout_ms = 30000;  // lease of one attempt
};

// Delay before the attempt that follows failed attempt number `failed_attempt` (1-based).
// random01 is uniform in [0, 1). retry_after_ms (0: none) is a floor.
Millis NextDelay(const Policy& policy, int failed_attempt, Millis retry_after_ms, double random01);

// True when another attempt may follow `attempts_made` attempts.
bool HasAttemptsLeft(const Policy& policy, int attempts_made);

}  // namespace gps::retry
