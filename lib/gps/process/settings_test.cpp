#include "gps/process/settings.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace gps::process {
namespace {

// No environment: every value comes from a default or a flag.
std::optional<std::string> NoEnvironment(const std::string&) { return std::nullopt; }

struct HttpClient {
  std::int64_t timeout_ms = 0;
  std::string ca_file = "unset";
};

TEST(AddHttpClientSettings, DefaultsToTenSecondsAndTheSystemStore) {
  HttpClient s;
  config::Table table("gps-worker-test", "test");
  AddHttpClientSettings(table, "Vault", &s.timeout_ms, &s.ca_file);
  ASSERT_TRUE(table.Load({}, NoEnvironment).ok());
  EXPECT_EQ(s.timeout_ms, 10000);
  EXPECT_EQ(s.ca_file, "");
  EXPECT_NE(table.Help().find("longest wait for one HTTP request to Vault"), std::string::npos);
}

TEST(AddHttpClientSettings, ReadsBothAndBoundsTheTimeout) {
  HttpClient s;
  config::Table table("gps-worker-test", "test");
  AddHttpClientSettings(table, "Mender", &s.timeout_ms, &s.ca_file);
  ASSERT_TRUE(table.Load({"--http-timeout-ms=2500", "--http-ca-file=/ca.pem"}, NoEnvironment).ok());
  EXPECT_EQ(s.timeout_ms, 2500);
  EXPECT_EQ(s.ca_file, "/ca.pem");

  for (const char* bad : {"--http-timeout-ms=99", "--http-timeout-ms=600001"}) {
    config::Table again("gps-worker-test", "test");
    AddHttpClientSettings(again, "Mender", &s.timeout_ms, &s.ca_file);
    Result<config::Table::Outcome> r = again.Load({bad}, NoEnvironment);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("GPS_HTTP_TIMEOUT_MS"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace gps::process
