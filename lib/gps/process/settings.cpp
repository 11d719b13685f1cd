#include "gps/process/settings.h"

#include <unistd.h>

#include "gps/log/log.h"

namespace gps::process {

void AddMqttSettings(config::Table& table, MqttSettings* s, std::string default_client_id) {
  table.Add("GPS_MQTT_URI", &s->uri, "mqtt://127.0.0.1:1883",
            "broker URI: mqtt://host:port, or mqtts://host:port for TLS");
  table.Add("GPS_MQTT_USERNAME", &s->username, "", "broker account name (empty: anonymous)");
  table.AddSecret("GPS_MQTT_PASSWORD", &s->password, "broker account password");
  table.Add("GPS_MQTT_CLIENT_ID", &s->client_id, std::move(default_client_id),
            "MQTT client id; give each replica its own, stable across its restarts");
  table.Add("GPS_MQTT_CA_FILE", &s->ca_file, "", "CA certificate(s) to trust for mqtts://");
  table.Add("GPS_MQTT_SESSION_EXPIRY_S", &s->session_expiry_s, 3600,
            "how long the broker keeps this client's session and queued messages while it is away",
            0, 7 * 24 * 3600);
}

mqtt::ClientOptions ToClientOptions(const MqttSettings& s,
                                    std::vector<mqtt::Subscription> subscriptions) {
  mqtt::ClientOptions o;
  o.uri = s.uri;
  o.client_id = s.client_id;
  o.username = s.username;
  o.password = s.password;
  o.ca_file = s.ca_file;
  o.session_expiry_s = s.session_expiry_s;
  o.clean_start = false;
  o.subscriptions = std::move(subscriptions);
  return o;
}

void AddRedisSettings(config::Table& table, RedisSettings* s) {
  table.Add("GPS_REDIS_HOST", &s->host, "127.0.0.1", "Redis host");
  table.Add("GPS_REDIS_PORT", &s->port, 6379, "Redis port", 1, 65535);
  table.AddSecret("GPS_REDIS_PASSWORD", &s->password, "Redis password (AUTH)");
  table.Add("GPS_REDIS_DB", &s->db, 0, "Redis database number", 0, 15);
  table.Add("GPS_REDIS_KEY_PREFIX", &s->key_prefix, "gps",
            "prefix of every key, so deployments can share one Redis");
}

redis::Endpoint ToEndpoint(const RedisSettings& s) {
  redis::Endpoint e;
  e.host = s.host;
  e.port = s.port;
  e.password = s.password;
  e.db = s.db;
  return e;
}

void AddHttpClientSettings(config::Table& table, std::string_view api, std::int64_t* timeout_ms,
                           std::string* ca_file) {
  table.Add("GPS_HTTP_TIMEOUT_MS", timeout_ms, 10000,
            "longest wait for one HTTP request to " + std::string(api) +
                " (the job's deadline may cut it shorter)",
            100, 600000);
  table.Add("GPS_HTTP_CA_FILE", ca_file, "",
            "CA certificate(s) to trust for https, besides the system store");
}

void AddLogSettings(config::Table& table, LogSettings* s) {
  table.Add("GPS_LOG_LEVEL", &s->level, "info",
            "lowest log level written: debug, info, warn, error");
  table.AddCheck([s]() -> Status {
    log::Level level;
    if (!log::ParseLevel(s->level, &level)) {
      return Status::InvalidArgument("GPS_LOG_LEVEL: '" + s->level +
                                     "' is not one of debug, info, warn, error");
    }
    return Status::Ok();
  });
}

void InitLogging(std::string_view proc, const LogSettings& s) {
  log::Level level = log::Level::kInfo;
  log::ParseLevel(s.level, &level);
  log::Init(proc, level);
}

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') {
    return "localhost";
  }
  return buf;
}

}  // namespace gps::process
