// The unit file shipped for the image agrees with the client it starts: it stops running once the
// client's marker exists in the default output directory, and it does not restart the client
// for the exit codes that would only repeat.

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "device-client/bundle_files.h"
#include "device-client/client_settings.h"
#include "device-client/provisioner.h"
#include "gps/config/config.h"

namespace gps::device_client {
namespace {

// The value of the first "Key=" line, or "" when there is none.
std::string UnitValue(const std::string& unit, const std::string& key) {
  std::istringstream in(unit);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) {
      return line.substr(key.size() + 1);
    }
  }
  return "";
}

std::string DefaultOutputDir() {
  ClientConfig cfg;
  config::Table table(kProgramName, "test");
  AddClientSettings(table, &cfg);
  Result<config::Table::Outcome> loaded =
      table.Load({"--config", "/dev/null"}, [](const std::string&) { return std::nullopt; });
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  return cfg.output_dir;
}

class SystemdUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> text = config::ReadFile(GPS_DEVICE_CLIENT_UNIT);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    unit_ = *text;
  }
  std::string unit_;
};

TEST_F(SystemdUnitTest, RunsOnlyWhileTheMarkerIsAbsent) {
  EXPECT_EQ(UnitValue(unit_, "ConditionPathExists"),
            "!" + DefaultOutputDir() + "/" + std::string(kMarkerFile));
}

TEST_F(SystemdUnitTest, RestartsOnFailureButNotWhenItWouldOnlyRepeat) {
  EXPECT_EQ(UnitValue(unit_, "Restart"), "on-failure");
  EXPECT_FALSE(UnitValue(unit_, "RestartSec").empty());
  std::istringstream codes(UnitValue(unit_, "RestartPreventExitStatus"));
  std::set<int> prevented;
  for (int c = 0; codes >> c;) {
    prevented.insert(c);
  }
  EXPECT_EQ(prevented, (std::set<int>{static_cast<int>(ExitCode::kConfiguration),
                                      static_cast<int>(ExitCode::kRejected)}));
}

TEST_F(SystemdUnitTest, StartsAfterTheNetworkAndDoesNotHoldBackBoot) {
  EXPECT_NE(UnitValue(unit_, "After").find("network-online.target"), std::string::npos);
  EXPECT_NE(UnitValue(unit_, "Wants").find("network-online.target"), std::string::npos);
  EXPECT_NE(UnitValue(unit_, "Type"), "oneshot") << "waiting may take days";
  EXPECT_EQ(UnitValue(unit_, "ProtectSystem"), "") << "restart commands write /etc";
}

}  // namespace
}  // namespace gps::device_client
