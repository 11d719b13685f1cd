#include "device-client/client_settings.h"

#include <gtest/gtest.h>

#include <map>

namespace gps::device_client {
namespace {

struct Loaded {
  Status status;
  ClientConfig config;
};

// Loads from a fake environment and flags, with no config file.
Loaded Load(std::map<std::string, std::string> env, std::vector<std::string> args = {}) {
  Loaded out;
  config::Table table(kProgramName, "test");
  AddClientSettings(table, &out.config);
  env.emplace("GPS_CONFIG_FILE", "/dev/null");
  config::Lookup lookup = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) {
      return std::nullopt;
    }
    return it->second;
  };
  Result<config::Table::Outcome> r = table.Load(ApplyFlagAliases(args), lookup);
  out.status = r.ok() ? Status::Ok() : r.status();
  return out;
}

TEST(ClientSettingsTest, Defaults) {
  Loaded l = Load({});
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  const ClientConfig& c = l.config;
  EXPECT_EQ(c.key_path, "/var/lib/mender/mender-agent.pem");
  EXPECT_FALSE(c.generate_key);
  EXPECT_EQ(c.mac, "");
  EXPECT_EQ(c.interface, "auto");
  EXPECT_EQ(c.output_dir, "/var/lib/gps");
  EXPECT_EQ(c.state_dir, "/var/lib/gps/state");
  EXPECT_EQ(c.restart_commands,
            (std::vector<std::string>{"systemctl restart mender-authd mender-updated",
                                      "iotedge config apply"}));
  EXPECT_EQ(c.restart_timeout_s, 120);
  EXPECT_EQ(c.announce_interval_s, 5);
  EXPECT_EQ(c.timeout_s, 0);
  EXPECT_EQ(c.cert_mode, "vault-key");
  EXPECT_FALSE(c.send_csr);
  EXPECT_EQ(c.mqtt_uri, "mqtt://127.0.0.1:1883");
  EXPECT_EQ(c.mqtt_session_expiry_s, 86400);
  EXPECT_EQ(c.log.level, "info");
}

TEST(ClientSettingsTest, ShortFlags) {
  Loaded l =
      Load({}, {"--generate-key", "--restart-command", "echo a", "--restart-command=echo b"});
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  EXPECT_TRUE(l.config.generate_key);
  EXPECT_EQ(l.config.restart_commands, (std::vector<std::string>{"echo a", "echo b"}));
}

TEST(ClientSettingsTest, GenerateKeyFlagTakesAnExplicitValue) {
  Loaded l = Load({{"GPS_CLIENT_GENERATE_KEY", "true"}}, {"--generate-key=false"});
  ASSERT_TRUE(l.status.ok());
  EXPECT_FALSE(l.config.generate_key);
}

TEST(ClientSettingsTest, RestartCommandsFromTheEnvironmentOnePerLine) {
  Loaded l =
      Load({{"GPS_CLIENT_RESTART_COMMAND", "systemctl restart a\n\niotedge config apply\n"}});
  ASSERT_TRUE(l.status.ok());
  EXPECT_EQ(l.config.restart_commands,
            (std::vector<std::string>{"systemctl restart a", "iotedge config apply"}));
}

TEST(ClientSettingsTest, EmptyRestartCommandMeansNone) {
  Loaded env = Load({{"GPS_CLIENT_RESTART_COMMAND", ""}});
  ASSERT_TRUE(env.status.ok());
  EXPECT_TRUE(env.config.restart_commands.empty());
  Loaded flag = Load({}, {"--restart-command="});
  ASSERT_TRUE(flag.status.ok());
  EXPECT_TRUE(flag.config.restart_commands.empty());
}

TEST(ClientSettingsTest, BadValuesNameTheirVariable) {
  struct Case {
    std::string name;
    std::string value;
  };
  for (const Case& c : std::vector<Case>{{"GPS_CLIENT_MAC", "02:42:ac:11:00"},
                                         {"GPS_CLIENT_INTERFACE", "../etc"},
                                         {"GPS_CLIENT_KEY_PATH", "relative.pem"},
                                         {"GPS_CLIENT_OUTPUT_DIR", "out"},
                                         {"GPS_CLIENT_STATE_DIR", ""},
                                         {"GPS_CLIENT_ANNOUNCE_INTERVAL_S", "0"},
                                         {"GPS_CLIENT_TIMEOUT_S", "-1"},
                                         {"GPS_CLIENT_RESTART_TIMEOUT_S", "soon"},
                                         {"GPS_CLIENT_CERT_MODE", "sign"},
                                         {"GPS_MQTT_URI", "http://broker"},
                                         {"GPS_LOG_LEVEL", "chatty"}}) {
    Loaded l = Load({{c.name, c.value}});
    EXPECT_TRUE(l.status.IsInvalidArgument()) << c.name << "=" << c.value;
    EXPECT_NE(l.status.message().find(c.name), std::string::npos) << l.status.ToString();
  }
}

TEST(ClientSettingsTest, CsrModeSendsACsr) {
  Loaded l = Load({{"GPS_CLIENT_CERT_MODE", "csr"}});
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  EXPECT_TRUE(l.config.send_csr);
}

TEST(ClientSettingsTest, NoClientIdSetting) {
  Loaded l = Load({}, {"--mqtt-client-id", "x"});
  EXPECT_FALSE(l.status.ok()) << "the client id is the device id, never a setting";
}

TEST(ClientSettingsTest, MacIsAcceptedInAnySpelling) {
  Loaded l = Load({{"GPS_CLIENT_MAC", "02-42-AC-11-00-02"}});
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
}

TEST(FlagAliasTest, OnlyExactFlagsAreRewritten) {
  EXPECT_EQ(ApplyFlagAliases({"--generate-key", "--generate-keys", "--restart-command=x",
                              "--restart-commandx", "--generate-key=true", "value"}),
            (std::vector<std::string>{"--client-generate-key", "--generate-keys",
                                      "--client-restart-command=x", "--restart-commandx",
                                      "--client-generate-key=true", "value"}));
}

}  // namespace
}  // namespace gps::device_client
