#include "ui/settings.h"

namespace gps::ui {

void AddSettings(config::Table& table, Config* config, const std::string& host_name) {
  table.Add("GPS_UI_BIND", &config->bind, "127.0.0.1",
            "address the HTTP server listens on (0.0.0.0: every IPv4 interface)");
  table.Add("GPS_UI_PORT", &config->port, 8080,
            "TCP port of the page and the REST API (0: any free port, shown in the 'ui ready' log)",
            0, 65535);
  table.Add(
      "GPS_UI_INSTANCE", &config->instance, "gps-ui-" + host_name,
      "this replica's name: its reply topic gps/v1/replies/<instance> and its MQTT client id; "
      "unique per replica, stable across its restarts");
  table.Add("GPS_UI_COMMAND_TIMEOUT_MS", &config->command_timeout_ms, 15000,
            "how long an approve or dismiss waits for the engine's reply before answering 504", 100,
            600000);
  table.Add("GPS_UI_HTTP_THREADS", &config->http_threads, 32,
            "HTTP requests served at once (an approval holds one while the engine checks the "
            "name; each open live-update stream holds one)",
            4, 1024);
  table.Add("GPS_UI_EVENT_STREAMS", &config->event_streams, 16,
            "live-update streams (GET /api/events) open at once; past it a page falls back to "
            "polling. Must leave at least 4 of GPS_UI_HTTP_THREADS for other requests",
            0, 1020);
  table.Add("GPS_UI_WATCH_INTERVAL_MS", &config->watch_interval_ms, 500,
            "how often Redis is polled for device changes while a live-update stream is open", 100,
            60000);
  table.AddSecret("GPS_UI_API_TOKEN", &config->api_token,
                  "an API token with the admin role, sent as 'Authorization: Bearer <token>' "
                  "(automation, the test stacks); at least 32 characters; empty: none");
  table.Add("GPS_UI_SESSION_IDLE_S", &config->session_idle_s, 3600,
            "a login session unused this long ends (seconds)", 60, 30 * 86400);
  table.Add("GPS_UI_SESSION_MAX_S", &config->session_max_s, 43200,
            "every login session ends this long after the login, used or not (seconds)", 60,
            90 * 86400);
  table.Add("GPS_UI_COOKIE_SECURE", &config->cookie_secure, false,
            "mark the session cookie Secure (the page is served over TLS by a proxy); a request "
            "with X-Forwarded-Proto: https gets a Secure cookie either way");
  // The instance is the client id; an empty GPS_MQTT_CLIENT_ID means "use the instance".
  process::AddMqttSettings(table, &config->mqtt, "");
  process::AddRedisSettings(table, &config->redis);
  process::AddLogSettings(table, &config->log);
  table.AddCheck([config]() -> Status {
    GPS_RETURN_IF_ERROR(ValidateInstance(config->instance));
    if (!config->mqtt.client_id.empty() && config->mqtt.client_id != config->instance) {
      return Status::InvalidArgument(
          "GPS_MQTT_CLIENT_ID: gps-ui uses GPS_UI_INSTANCE as its MQTT client id; leave "
          "GPS_MQTT_CLIENT_ID unset or equal to it");
    }
    // Checks run after every source is applied, so this follows GPS_UI_INSTANCE from any of them.
    config->mqtt.client_id = config->instance;
    if (config->bind.empty()) {
      return Status::InvalidArgument("GPS_UI_BIND: empty; give an address such as 127.0.0.1");
    }
    if (config->event_streams > config->http_threads - 4) {
      return Status::InvalidArgument(
          "GPS_UI_EVENT_STREAMS: " + std::to_string(config->event_streams) +
          " streams would leave fewer than 4 of GPS_UI_HTTP_THREADS (" +
          std::to_string(config->http_threads) + ") for other requests");
    }
    if (!config->api_token.empty() && config->api_token.size() < 32) {
      return Status::InvalidArgument(
          "GPS_UI_API_TOKEN: shorter than 32 characters; use e.g. `openssl rand -hex 32`");
    }
    if (config->session_idle_s > config->session_max_s) {
      return Status::InvalidArgument("GPS_UI_SESSION_IDLE_S: longer than GPS_UI_SESSION_MAX_S");
    }
    return Status::Ok();
  });
}

Status ValidateInstance(const std::string& instance) {
  if (instance.empty() || instance.size() > 64) {
    return Status::InvalidArgument("GPS_UI_INSTANCE: must be 1-64 characters long");
  }
  for (char c : instance) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("GPS_UI_INSTANCE: '" + instance.substr(0, 64) +
                                     "' may hold only letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

std::string ServerUrl(const std::string& bind, int port) {
  std::string host = bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
  return "http://" + host + ":" + std::to_string(port) + "/";
}

}  // namespace gps::ui
