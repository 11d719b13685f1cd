#include "cloudsim/settings/settings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

namespace gps::cloudsim {
namespace {

config::Lookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

TEST(CloudsimSettings, RunsWithNoSettingsUsingTheDemoDefaults) {
  Settings s;
  config::Table table("gps-cloudsim", "test");
  AddSettings(table, &s);
  ASSERT_TRUE(table.Load({}, Env({})).ok());
  EXPECT_EQ(s.bind, "127.0.0.1");
  EXPECT_EQ(s.mender_port, 0);
  EXPECT_EQ(s.mender_token, kDemoMenderToken);
  EXPECT_EQ(s.dps_policy_key, kDemoDpsPolicyKey);
  EXPECT_EQ(s.hub_policy_key, kDemoHubPolicyKey);
  EXPECT_EQ(s.vault_token, kDemoVaultToken);
  EXPECT_EQ(s.dps_host, "mydps.azure-devices-provisioning.net");
  Result<VaultConfig> vault = ToVaultConfig(s);
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(vault->mount, "pki");
  EXPECT_EQ(vault->role.name, "gps-device");
  EXPECT_EQ(vault->role.key_type, "rsa");
  EXPECT_EQ(vault->role.key_bits, 2048);
  EXPECT_EQ(vault->role.max_ttl_s, 8760 * 3600);
  // Secrets never show up in --help.
  EXPECT_EQ(table.Help().find(kDemoVaultToken), std::string::npos);
}

TEST(CloudsimSettings, SecretsComeFromFilesAndBadValuesNameTheVariable) {
  char path[] = "/tmp/cloudsim_settings_testXXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "token-from-file\n";
  Settings s;
  config::Table table("gps-cloudsim", "test");
  AddSettings(table, &s);
  ASSERT_TRUE(table
                  .Load({}, Env({{"GPS_CLOUDSIM_MENDER_TOKEN_FILE", path},
                                 {"GPS_CLOUDSIM_VAULT_KEY_TYPE", "ec"},
                                 {"GPS_CLOUDSIM_VAULT_ALLOWED_DOMAINS", "a.com, b.com"}}))
                  .ok());
  EXPECT_EQ(s.mender_token, "token-from-file");
  EXPECT_EQ(ToVaultConfig(s)->role.key_bits, 256);
  EXPECT_EQ(ToVaultConfig(s)->role.allowed_domains, (std::vector<std::string>{"a.com", "b.com"}));
  std::remove(path);

  for (const auto& [env, value] : std::vector<std::pair<std::string, std::string>>{
           {"GPS_CLOUDSIM_DPS_POLICY_KEY", "not base64!"},
           {"GPS_CLOUDSIM_VAULT_KEY_TYPE", "dsa"},
           {"GPS_CLOUDSIM_VAULT_TTL", "forever"},
           {"GPS_CLOUDSIM_VAULT_TTL", "9000h"},
           {"GPS_CLOUDSIM_HUB_PORT", "70000"},
           {"GPS_CLOUDSIM_VAULT_PKI_MOUNT", "a/b"},
           {"GPS_CLOUDSIM_FAULTS", R"({"dps":{"error_rate":2}})"},
           {"GPS_CLOUDSIM_FAULTS", "{not json"},
           {"GPS_CLOUDSIM_FAULT_SEED", "abc"},
           {"GPS_CLOUDSIM_FAULT_SEED", "-2"},
           {"GPS_CLOUDSIM_THREADS", "2"},
           {"GPS_CLOUDSIM_VAULT_TOKEN_TTL", "0s"},
           {"GPS_CLOUDSIM_VAULT_TOKEN_MAX_TTL", "1s"},
           {"GPS_CLOUDSIM_VAULT_APPROLE_MOUNT", "auth/approle"}}) {
    Settings bad;
    config::Table t("gps-cloudsim", "test");
    AddSettings(t, &bad);
    Result<config::Table::Outcome> r = t.Load({}, Env({{env, value}}));
    ASSERT_FALSE(r.ok()) << env << "=" << value;
    EXPECT_NE(r.status().message().find(env), std::string::npos) << r.status().message();
  }
}

TEST(CloudsimSettings, FaultsAndTheirSeedComeFromTheEnvironment) {
  Settings none;
  config::Table t0("gps-cloudsim", "test");
  AddSettings(t0, &none);
  ASSERT_TRUE(t0.Load({}, Env({})).ok());
  EXPECT_EQ(ToFaultConfig(none).value(), NoFaults());
  EXPECT_EQ(none.fault_seed, -1);  // a random seed at start
  EXPECT_EQ(none.threads, 64);

  Settings s;
  config::Table t("gps-cloudsim", "test");
  AddSettings(t, &s);
  ASSERT_TRUE(t.Load({}, Env({{"GPS_CLOUDSIM_FAULTS",
                               R"({"hub":{"error_rate":0.5},"dps":{"rate_limit":5}})"},
                              {"GPS_CLOUDSIM_FAULT_SEED", "12345"}}))
                  .ok());
  FaultConfig faults = ToFaultConfig(s).value();
  EXPECT_DOUBLE_EQ(faults.services[3].error_rate, 0.5);
  EXPECT_EQ(faults.services[1].rate_limit, 5);
  EXPECT_EQ(ToFaultSeed(s), 12345u);

  Settings bad;
  config::Table tb("gps-cloudsim", "test");
  AddSettings(tb, &bad);
  Result<config::Table::Outcome> r =
      tb.Load({}, Env({{"GPS_CLOUDSIM_FAULTS", R"({"vault":{"when":"soon"}})"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("GPS_CLOUDSIM_FAULTS: vault.when"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace gps::cloudsim
