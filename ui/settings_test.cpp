#include "ui/settings.h"

#include <gtest/gtest.h>

#include <map>

namespace gps::ui {
namespace {

Result<Config> Load(std::map<std::string, std::string> env) {
  Config config;
  config::Table table("gps-ui", "test");
  AddSettings(table, &config, "host-1");
  config::Lookup lookup = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  Result<config::Table::Outcome> outcome = table.Load({}, lookup);
  if (!outcome.ok()) {
    return outcome.status();
  }
  return config;
}

TEST(SettingsTest, Defaults) {
  Result<Config> c = Load({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->bind, "127.0.0.1");
  EXPECT_EQ(c->port, 8080);
  EXPECT_EQ(c->instance, "gps-ui-host-1");
  EXPECT_EQ(c->command_timeout_ms, 15000);
  EXPECT_EQ(c->http_threads, 32);
  EXPECT_EQ(c->event_streams, 16);
  EXPECT_EQ(c->watch_interval_ms, 500);
  EXPECT_EQ(c->api_token, "");
  EXPECT_EQ(c->session_idle_s, 3600);
  EXPECT_EQ(c->session_max_s, 43200);
  EXPECT_FALSE(c->cookie_secure);
  // The instance is the MQTT client id.
  EXPECT_EQ(c->mqtt.client_id, "gps-ui-host-1");
  EXPECT_EQ(c->mqtt.uri, "mqtt://127.0.0.1:1883");
  EXPECT_EQ(c->redis.key_prefix, "gps");
  EXPECT_EQ(c->log.level, "info");
}

TEST(SettingsTest, ValuesFromTheEnvironment) {
  Result<Config> c = Load({{"GPS_UI_BIND", "0.0.0.0"},
                           {"GPS_UI_PORT", "0"},
                           {"GPS_UI_INSTANCE", "ui-a"},
                           {"GPS_UI_COMMAND_TIMEOUT_MS", "500"},
                           {"GPS_MQTT_CLIENT_ID", "ui-a"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->bind, "0.0.0.0");
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->instance, "ui-a");
  EXPECT_EQ(c->command_timeout_ms, 500);
  EXPECT_EQ(c->mqtt.client_id, "ui-a");
}

TEST(SettingsTest, BadValuesNameTheirVariable) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string variable;
  };
  for (const Case& c : {Case{{{"GPS_UI_PORT", "70000"}}, "GPS_UI_PORT"},
                        Case{{{"GPS_UI_PORT", "http"}}, "GPS_UI_PORT"},
                        Case{{{"GPS_UI_COMMAND_TIMEOUT_MS", "0"}}, "GPS_UI_COMMAND_TIMEOUT_MS"},
                        Case{{{"GPS_UI_INSTANCE", "a/b"}}, "GPS_UI_INSTANCE"},
                        Case{{{"GPS_UI_INSTANCE", "a+"}}, "GPS_UI_INSTANCE"},
                        Case{{{"GPS_UI_INSTANCE", std::string(65, 'a')}}, "GPS_UI_INSTANCE"},
                        Case{{{"GPS_UI_BIND", ""}}, "GPS_UI_BIND"},
                        Case{{{"GPS_UI_HTTP_THREADS", "1"}}, "GPS_UI_HTTP_THREADS"},
                        Case{{{"GPS_MQTT_CLIENT_ID", "other"}}, "GPS_MQTT_CLIENT_ID"},
                        Case{{{"GPS_UI_API_TOKEN", "short"}}, "GPS_UI_API_TOKEN"},
                        Case{{{"GPS_UI_EVENT_STREAMS", "30"}}, "GPS_UI_EVENT_STREAMS"},
                        Case{{{"GPS_UI_SESSION_IDLE_S", "7200"}, {"GPS_UI_SESSION_MAX_S", "3600"}},
                             "GPS_UI_SESSION_IDLE_S"},
                        Case{{{"GPS_UI_SESSION_MAX_S", "10"}}, "GPS_UI_SESSION_MAX_S"}}) {
    Result<Config> r = Load(c.env);
    ASSERT_FALSE(r.ok()) << c.variable;
    EXPECT_NE(r.status().message().find(c.variable), std::string::npos) << r.status().message();
  }
}

TEST(SettingsTest, ServerUrl) {
  EXPECT_EQ(ServerUrl("127.0.0.1", 8080), "http://127.0.0.1:8080/");
  EXPECT_EQ(ServerUrl("::1", 80), "http://[::1]:80/");
}

}  // namespace
}  // namespace gps::ui
