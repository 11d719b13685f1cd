#pragma once
// gps-engine's configuration: the settings table and the typed struct it fills.

#include "engine/shell/engine_loop.h"
#include "gps/config/config.h"
#include "gps/process/settings.h"

namespace gps::engine {

struct EngineConfig {
  process::MqttSettings mqtt;
  process::RedisSettings redis;
  process::LogSettings log;
  std::int64_t attempt_timeout_ms = 60000;  // lease of one step attempt
  std::int64_t startup_timeout_s = 30;      // how long to wait for Redis and the broker at start
  std::int64_t stats_interval_s = 60;       // counters are logged this often (0: never)
};

// The shared subscription group of every engine replica.
inline constexpr std::string_view kEngineGroup = "gps-engine";

void AddEngineSettings(config::Table& table, EngineConfig* config);
EngineSettings ToEngineSettings(const EngineConfig& config);

}  // namespace gps::engine
