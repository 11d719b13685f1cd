#include "engine/engine_config.h"

namespace gps::engine {

void AddEngineSettings(config::Table& table, EngineConfig* c) {
  process::AddMqttSettings(table, &c->mqtt, "gps-engine-" + process::HostName());
  process::AddRedisSettings(table, &c->redis);
  process::AddLogSettings(table, &c->log);
  table.Add("GPS_ENGINE_ATTEMPT_TIMEOUT_MS", &c->attempt_timeout_ms, 60000,
            "lease of one step attempt: a worker's result after this is ignored", 1000,
            24LL * 3600 * 1000);
  table.Add("GPS_ENGINE_STARTUP_TIMEOUT_S", &c->startup_timeout_s, 30,
            "how long to wait for Redis and the broker at start-up before exiting", 1, 3600);
  table.Add("GPS_STATS_INTERVAL_S", &c->stats_interval_s, 60,
            "how often the engine logs its counters (0: never)", 0, 86400);
}

EngineSettings ToEngineSettings(const EngineConfig& c) {
  EngineSettings s;
  for (saga::Slot slot : {saga::Slot::kMenderName, saga::Slot::kDpsName, saga::Slot::kMender,
                          saga::Slot::kDps, saga::Slot::kVault}) {
    retry::Policy p;
    p.attempt_timeout_ms = c.attempt_timeout_ms;
    s.policies[slot] = p;
  }
  return s;
}

}  // namespace gps::engine
