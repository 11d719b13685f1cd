#pragma once
// The saga's transition function: (state, event, context) -> (next state, commands).
//
// Pure: no clock, randomness, MQTT or Redis; time and policy arrive in DecideContext. Every
// transition is a row of docs/design/saga.md and has a test in decide_test.cpp. An event that
// does not fit the state (a stale result, an ack for another bundle) is an error value
// (FailedPrecondition or InvalidArgument) that the shell logs and counts; it never crashes.
// Thread-safe.

#include <map>
#include <optional>
#include <vector>

#include "engine/saga/command.h"
#include "engine/saga/event.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/retry/backoff.h"
#include "gps/saga/record.h"

namespace gps::engine {

// The IoT Hub manifest step after the device's ack. Until the gateway has registered through DPS
// the hub-manifest worker answers "not in IoT Hub yet"; those answers are polled on this backoff
// (its attempts and timeout are not used) and never spend the step's retry budget, but the
// waiting ends at the deadline.
struct ManifestPolicy {
  bool enabled = true;
  retry::Policy poll{.max_attempts = 0,
                     .initial_backoff_ms = 30'000,
                     .multiplier = 2.0,
                     .max_backoff_ms = 3'600'000,
                     .jitter = 0.2,
                     .attempt_timeout_ms = 0};
  Millis deadline_ms = 14LL * 24 * 3'600'000;
};

struct DecideContext {
  Instant now;
  std::map<saga::Slot, retry::Policy> policies;  // missing slots use retry::Policy{}
  double random01 = 0.5;  // uniform in [0, 1), drawn by the shell: the backoff's jitter
  ManifestPolicy manifest;

  const retry::Policy& PolicyFor(saga::Slot slot) const;
};

struct Decision {
  // The state to commit; nullopt when there is no device to record (a command for an unknown id).
  std::optional<saga::Saga> next;
  std::vector<Command> commands;
};

// current is nullopt for a device the engine has never seen.
Result<Decision> Decide(const std::optional<saga::Saga>& current, const Event& event,
                        const DecideContext& ctx);

// The bundle id of a generation: the ack must name it.
std::string BundleIdFor(std::int64_t generation);

}  // namespace gps::engine
