#pragma once
// gps-ui's configuration: its own GPS_UI_* settings plus the shared broker, Redis and log
// settings (process/settings.h), declared in one table that also produces --help.
// Not thread-safe; load once in main(). The Config must outlive the Table it was added to.

#include <string>

#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/process/settings.h"

namespace gps::ui {

struct Config {
  std::string bind;                         // GPS_UI_BIND
  int port = 8080;                          // GPS_UI_PORT (0: any free port)
  std::string instance;                     // GPS_UI_INSTANCE: reply topic level and MQTT client id
  std::int64_t command_timeout_ms = 15000;  // GPS_UI_COMMAND_TIMEOUT_MS
  int http_threads = 32;                    // GPS_UI_HTTP_THREADS
  int event_streams = 16;                   // GPS_UI_EVENT_STREAMS: open live-update streams
  std::int64_t watch_interval_ms = 500;     // GPS_UI_WATCH_INTERVAL_MS
  std::string api_token;                    // GPS_UI_API_TOKEN (secret): an admin API token
  std::int64_t session_idle_s = 3600;       // GPS_UI_SESSION_IDLE_S
  std::int64_t session_max_s = 43200;       // GPS_UI_SESSION_MAX_S
  bool cookie_secure = false;               // GPS_UI_COOKIE_SECURE
  process::MqttSettings mqtt;
  process::RedisSettings redis;
  process::LogSettings log;
};

// Declares every setting of gps-ui in table. `host_name` makes the default instance.
void AddSettings(config::Table& table, Config* config, const std::string& host_name);

// A valid instance is one MQTT topic level that is also a fine client id: 1-64 characters of
// letters, digits, '.', '_' and '-'.
Status ValidateInstance(const std::string& instance);

// "http://127.0.0.1:8080/" ([..] around IPv6 addresses).
std::string ServerUrl(const std::string& bind, int port);

}  // namespace gps::ui
