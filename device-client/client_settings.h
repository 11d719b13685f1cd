#pragma once
// gps-device-client's configuration: one typed struct, declared once as a config::Table that
// also produces --help (device-client/README.md lists every setting).
//
// The broker settings keep the shared GPS_MQTT_* names, but there is no GPS_MQTT_CLIENT_ID: the
// client id is the device id, derived from the Mender key, so the broker's per-device ACL
// (pattern gps/v1/devices/%c/#) holds. Not thread-safe; used from main() only. The table keeps
// pointers into the ClientConfig, which must outlive Load().

#include <cstdint>
#include <string>
#include <vector>

#include "gps/config/config.h"
#include "gps/process/settings.h"

namespace gps::device_client {

struct ClientConfig {
  std::string key_path;                       // GPS_CLIENT_KEY_PATH
  bool generate_key = false;                  // GPS_CLIENT_GENERATE_KEY (--generate-key)
  std::string mac;                            // GPS_CLIENT_MAC (empty: read the interface)
  std::string interface;                      // GPS_CLIENT_INTERFACE ("auto" or a name)
  std::string output_dir;                     // GPS_CLIENT_OUTPUT_DIR
  std::string state_dir;                      // GPS_CLIENT_STATE_DIR
  std::vector<std::string> restart_commands;  // GPS_CLIENT_RESTART_COMMAND (--restart-command)
  int restart_timeout_s = 120;                // GPS_CLIENT_RESTART_TIMEOUT_S
  int announce_interval_s = 5;                // GPS_CLIENT_ANNOUNCE_INTERVAL_S
  std::int64_t timeout_s = 0;                 // GPS_CLIENT_TIMEOUT_S (0: wait forever)
  std::string cert_mode;                      // GPS_CLIENT_CERT_MODE: vault-key | csr
  bool send_csr = false;                      // cert_mode is csr (set by the table's check)

  std::string mqtt_uri;               // GPS_MQTT_URI
  std::string mqtt_username;          // GPS_MQTT_USERNAME (the bootstrap account)
  std::string mqtt_password;          // GPS_MQTT_PASSWORD (secret; or GPS_MQTT_PASSWORD_FILE)
  std::string mqtt_ca_file;           // GPS_MQTT_CA_FILE
  int mqtt_session_expiry_s = 86400;  // GPS_MQTT_SESSION_EXPIRY_S

  process::LogSettings log;  // GPS_LOG_LEVEL
};

inline constexpr char kProgramName[] = "gps-device-client";
inline constexpr char kDefaultConfigFile[] = "/etc/gps/device-client.env";

// Declares every setting (and the cross-field checks) of cfg in table.
void AddClientSettings(config::Table& table, ClientConfig* cfg);

// Rewrites the short flags the gateway image uses (--generate-key, --restart-command) to the
// names the table derives from the variables (--client-generate-key, --client-restart-command).
std::vector<std::string> ApplyFlagAliases(const std::vector<std::string>& args);

}  // namespace gps::device_client
