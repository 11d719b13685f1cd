#include "workers/vault/vault_settings.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "workers/testing/http_test_util.h"
#include "workers/vault/vault_test_support.h"

namespace gps::worker::vault {
namespace {

using worker::testing::HasHeader;
using worker::testing::Header;

VaultSettings Settings() { return testing::TestSettings(); }

VaultSettings AppRole() {
  VaultSettings s = Settings();
  s.auth = "approle";
  s.token.clear();
  s.role_id = "role-1";
  s.secret_id = "secret-1";
  return s;
}

// The message of a refused setting, or "" when it is accepted.
std::string Refusal(VaultSettings s) { return ValidateVaultSettings(&s).message(); }

TEST(VaultSettingsTest, ValidationNamesTheVariable) {
  VaultSettings s = Settings();
  EXPECT_EQ(s.addr, "https://vault:8200");
  EXPECT_EQ(s.auth_method, VaultAuthMethod::kToken);
  EXPECT_EQ(s.vault_mode, VaultMode::kIssue);

  s.addr = "";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_ADDR"), std::string::npos);
  s = Settings();
  s.token = "";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_TOKEN"), std::string::npos);
  s = Settings();
  s.pki_mount = "pki/devices";
  EXPECT_EQ(Refusal(s), "");
  for (std::string bad : {"", "../sys", "pki//x", "/pki", "pki/", "pki?x=1"}) {
    s.pki_mount = bad;
    EXPECT_NE(Refusal(s).find("GPS_VAULT_PKI_MOUNT"), std::string::npos) << bad;
  }
  s = Settings();
  s.role = "a/b";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_ROLE"), std::string::npos);
  s = Settings();
  s.ttl = "1 year";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_TTL"), std::string::npos);
  s = Settings();
  s.common_name = "";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_COMMON_NAME"), std::string::npos);
}

TEST(VaultSettingsTest, TokenFileAloneIsEnough) {
  VaultSettings s = Settings();
  s.token.clear();
  s.token_file = "/run/vault-agent/token";
  EXPECT_EQ(Refusal(s), "");
}

TEST(VaultSettingsTest, AppRoleNeedsBothIdsAndNoToken) {
  VaultSettings s = AppRole();
  ASSERT_TRUE(ValidateVaultSettings(&s).ok());
  EXPECT_EQ(s.auth_method, VaultAuthMethod::kAppRole);

  s = AppRole();
  s.role_id.clear();
  EXPECT_NE(Refusal(s).find("GPS_VAULT_ROLE_ID"), std::string::npos);
  s = AppRole();
  s.secret_id = "two words";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_SECRET_ID"), std::string::npos);
  s = AppRole();
  s.approle_mount = "../token";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_APPROLE_MOUNT"), std::string::npos);
  s = AppRole();
  s.token = "hvs.leftover";
  EXPECT_NE(Refusal(s).find("unset them"), std::string::npos);
  s = AppRole();
  s.auth = "kubernetes";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_AUTH"), std::string::npos);
}

TEST(VaultSettingsTest, ModeIsIssueOrSign) {
  VaultSettings s = Settings();
  s.mode = "sign";
  ASSERT_TRUE(ValidateVaultSettings(&s).ok());
  EXPECT_EQ(s.vault_mode, VaultMode::kSign);
  s.mode = "csr";
  EXPECT_NE(Refusal(s).find("GPS_VAULT_MODE"), std::string::npos);
}

TEST(VaultSettingsTest, TokenFileGivesTheTokenAndItsPath) {
  std::string path = ::testing::TempDir() + "vault-settings-token";
  std::ofstream(path) << "hvs.from-file\n";
  VaultSettings s;
  config::Table table("gps-worker-vault", "test");
  AddVaultSettings(table, &s);
  std::map<std::string, std::string> env = {{"GPS_VAULT_ADDR", "http://127.0.0.1:8200"},
                                            {"GPS_VAULT_TOKEN_FILE", path}};
  Result<config::Table::Outcome> loaded =
      table.Load({}, [&](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
      });
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(s.token, "hvs.from-file");
  EXPECT_EQ(s.token_file, path);
  EXPECT_EQ(s.auth_method, VaultAuthMethod::kToken);
  EXPECT_EQ(s.approle_mount, "approle");
  std::remove(path.c_str());
}

TEST(VaultSettingsTest, RequestsCarryNamespaceButNoToken) {
  VaultSettings s = Settings();
  s.vault_namespace = "team/";
  http::Request r = VaultRequest(s, "POST", "auth/token/renew-self");
  EXPECT_EQ(r.url, "https://vault:8200/v1/auth/token/renew-self");
  EXPECT_EQ(Header(r, "X-Vault-Namespace"), "team/");
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_EQ(r.timeout_ms, 9000);
  EXPECT_FALSE(HasHeader(r, "X-Vault-Token"));
}

}  // namespace
}  // namespace gps::worker::vault
