#pragma once
// Settings that several processes share (broker, Redis, logging), declared once so their names,
// defaults and help read the same in every --help.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/config/config.h"
#include "gps/mqtt/client.h"
#include "gps/redis/connection.h"

namespace gps::process {

struct MqttSettings {
  std::string uri;              // GPS_MQTT_URI
  std::string username;         // GPS_MQTT_USERNAME
  std::string password;         // GPS_MQTT_PASSWORD (secret)
  std::string client_id;        // GPS_MQTT_CLIENT_ID
  std::string ca_file;          // GPS_MQTT_CA_FILE
  int session_expiry_s = 3600;  // GPS_MQTT_SESSION_EXPIRY_S
};
// default_client_id is used when GPS_MQTT_CLIENT_ID is unset; it should be stable across restarts
// of one replica so the broker's session (and the QoS 1 messages queued in it) is picked up again.
void AddMqttSettings(config::Table& table, MqttSettings* s, std::string default_client_id);
mqtt::ClientOptions ToClientOptions(const MqttSettings& s,
                                    std::vector<mqtt::Subscription> subscriptions);

struct RedisSettings {
  std::string host;        // GPS_REDIS_HOST
  int port = 6379;         // GPS_REDIS_PORT
  std::string password;    // GPS_REDIS_PASSWORD (secret)
  int db = 0;              // GPS_REDIS_DB
  std::string key_prefix;  // GPS_REDIS_KEY_PREFIX
};
void AddRedisSettings(config::Table& table, RedisSettings* s);
redis::Endpoint ToEndpoint(const RedisSettings& s);

// The HTTP client settings of a worker's cloud API: GPS_HTTP_TIMEOUT_MS (100 ms to 10 min,
// default 10 s) and GPS_HTTP_CA_FILE. api names that cloud in --help ("Mender").
void AddHttpClientSettings(config::Table& table, std::string_view api, std::int64_t* timeout_ms,
                           std::string* ca_file);

struct LogSettings {
  std::string level;  // GPS_LOG_LEVEL
};
void AddLogSettings(config::Table& table, LogSettings* s);
// Starts logging as proc at the configured level.
void InitLogging(std::string_view proc, const LogSettings& s);

// "<host name>" of this machine, for default client ids.
std::string HostName();

}  // namespace gps::process
