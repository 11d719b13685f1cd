#include "engine/engine_config.h"

#include <gtest/gtest.h>

namespace gps::engine {
namespace {

Result<EngineConfig> Load(std::map<std::string, std::string> env) {
  EngineConfig config;
  config::Table table("gps-engine", "test");
  AddEngineSettings(table, &config);
  config::Lookup lookup = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  GPS_RETURN_IF_ERROR(table.Load({}, lookup).status());
  return config;
}

TEST(EngineConfig, PendingDevicesExpireAfterAWeekAndAreCappedByDefault) {
  Result<EngineConfig> c = Load({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EngineSettings s = ToEngineSettings(*c);
  EXPECT_EQ(s.pending.expiry_ms, 7LL * 24 * 3'600'000);
  EXPECT_EQ(s.pending.max_pending, 10000);
}

TEST(EngineConfig, PendingLimitsAreRead) {
  Result<EngineConfig> c =
      Load({{"GPS_ENGINE_PENDING_EXPIRY", "36h"}, {"GPS_ENGINE_MAX_PENDING", "250"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(ToEngineSettings(*c).pending.expiry_ms, 36LL * 3'600'000);
  EXPECT_EQ(ToEngineSettings(*c).pending.max_pending, 250);
  c = Load({{"GPS_ENGINE_PENDING_EXPIRY", "0"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(ToEngineSettings(*c).pending.expiry_ms, 0);
}

TEST(EngineConfig, BadPendingLimitsNameTheVariable) {
  for (const auto& [env, value] : std::vector<std::pair<std::string, std::string>>{
           {"GPS_ENGINE_PENDING_EXPIRY", "soon"},
           {"GPS_ENGINE_PENDING_EXPIRY", "-1d"},
           {"GPS_ENGINE_PENDING_EXPIRY", "40d"},
           {"GPS_ENGINE_PENDING_EXPIRY", "500"},  // milliseconds: surely a missing unit
           {"GPS_ENGINE_MAX_PENDING", "0"},
           {"GPS_ENGINE_MAX_PENDING", "many"}}) {
    Result<EngineConfig> c = Load({{env, value}});
    ASSERT_FALSE(c.ok()) << env << "=" << value;
    EXPECT_NE(c.status().message().find(env), std::string::npos) << c.status().ToString();
  }
}

}  // namespace
}  // namespace gps::engine
