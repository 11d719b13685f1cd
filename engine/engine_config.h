#pragma once
// gps-engine's configuration: the settings table and the typed struct it fills.

#include <map>
#include <string>

#include "engine/saga/decide.h"
#include "engine/shell/engine_loop.h"

#include "gps/config/config.h"
#include "gps/process/settings.h"
#include "gps/retry/backoff.h"
#include "gps/saga/record.h"

namespace gps::engine {

struct EngineConfig {
  process::MqttSettings mqtt;
  process::RedisSettings redis;
  process::LogSettings log;
  // Retry policies as specs (gps/retry/policy_spec.h): the provisioning steps' default, the
  // per-step overrides on top of it, and the name checks' own (an operator is waiting on them).
  std::string retry;
  std::string retry_mender;
  std::string retry_dps;
  std::string retry_vault;
  std::string retry_hub_manifest;
  std::string retry_name_check;
  std::map<saga::Slot, retry::Policy> policies;  // filled from the specs by the settings check
  // The IoT Hub manifest step: on or off, how the wait for the gateway polls, and how long.
  bool hub_manifest = true;
  std::string hub_wait;
  std::string hub_wait_deadline;
  ManifestPolicy manifest;  // filled from the three above by the settings check
  // Pending devices: forgotten after this long without an announce ("0": never), and at most
  // this many at once (engine/shell/pending_limits.h).
  std::string pending_expiry;
  std::int64_t max_pending = 10000;
  PendingLimits pending;                // filled from the two above by the settings check
  std::int64_t timer_poll_ms = 250;     // how often due timers are looked for
  std::int64_t sweep_interval_s = 300;  // how often timers and outboxes are repaired
  std::int64_t startup_timeout_s = 30;  // how long to wait for Redis and the broker at start
  std::int64_t stats_interval_s = 60;   // counters are logged this often (0: never)
};

// The shared subscription group of every engine replica.
inline constexpr std::string_view kEngineGroup = "gps-engine";

inline constexpr std::string_view kDefaultRetry =
    "attempts=5,backoff=2s,multiplier=2,max_backoff=5m,jitter=0.2,timeout=60s";
inline constexpr std::string_view kDefaultHubWait =
    "backoff=30s,multiplier=2,max_backoff=1h,jitter=0.2";
inline constexpr std::string_view kDefaultPendingExpiry = "7d";
inline constexpr std::string_view kDefaultNameCheckRetry =
    "attempts=3,backoff=500ms,multiplier=2,max_backoff=2s,jitter=0.2,timeout=4s";

void AddEngineSettings(config::Table& table, EngineConfig* config);
EngineSettings ToEngineSettings(const EngineConfig& config);

}  // namespace gps::engine
