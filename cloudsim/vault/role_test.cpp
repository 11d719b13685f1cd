#include "cloudsim/vault/role.h"

#include <gtest/gtest.h>

namespace gps::cloudsim::vault {
namespace {

TEST(IsHostname, LdhLabels) {
  EXPECT_TRUE(IsHostname("gw-berlin-0042"));
  EXPECT_TRUE(IsHostname("gw-1.devices.example.com"));
  EXPECT_TRUE(IsHostname("example.com."));
  EXPECT_FALSE(IsHostname("-gw"));
  EXPECT_FALSE(IsHostname("gw-"));
  EXPECT_FALSE(IsHostname("gw_1"));
  EXPECT_FALSE(IsHostname("a..b"));
  EXPECT_FALSE(IsHostname(""));
  EXPECT_FALSE(IsHostname(std::string(64, 'a')));
  EXPECT_TRUE(IsHostname(std::string(63, 'a')));
}

TEST(FirstDisallowedName, AllowAnyNameStillEnforcesHostnames) {
  VaultRole role;
  role.allow_any_name = true;
  EXPECT_EQ(FirstDisallowedName(role, {"gw-1", "anything.example.org"}), "");
  EXPECT_EQ(FirstDisallowedName(role, {"gw-1", "bad_name"}), "bad_name");
  role.enforce_hostnames = false;
  EXPECT_EQ(FirstDisallowedName(role, {"bad_name"}), "");
}

TEST(FirstDisallowedName, AllowedDomainsWithSubdomainsAndBareDomains) {
  VaultRole role;
  role.allowed_domains = {"devices.example.com"};
  EXPECT_EQ(FirstDisallowedName(role, {"gw-1.devices.example.com"}), "gw-1.devices.example.com");
  role.allow_subdomains = true;
  EXPECT_EQ(FirstDisallowedName(role, {"gw-1.devices.example.com", "a.b.devices.example.com"}), "");
  EXPECT_EQ(FirstDisallowedName(role, {"devices.example.com"}), "devices.example.com");
  EXPECT_EQ(FirstDisallowedName(role, {"gw-1.evil.com"}), "gw-1.evil.com");
  EXPECT_EQ(FirstDisallowedName(role, {"xdevices.example.com"}), "xdevices.example.com");
  role.allow_bare_domains = true;
  EXPECT_EQ(FirstDisallowedName(role, {"devices.example.com"}), "");
  // Localhost is allowed by default; e-mail addresses are judged by their domain.
  EXPECT_EQ(FirstDisallowedName(role, {"localhost", "ops@gw-1.devices.example.com"}), "");
  role.allow_localhost = false;
  EXPECT_EQ(FirstDisallowedName(role, {"localhost"}), "localhost");
}

TEST(ValidateRole, KeyTypesBitsAndTtls) {
  VaultRole role;
  EXPECT_TRUE(ValidateRole(role).ok());
  role.key_bits = 1024;
  EXPECT_FALSE(ValidateRole(role).ok());
  role.key_type = "ec";
  role.key_bits = 256;
  EXPECT_TRUE(ValidateRole(role).ok());
  role.key_type = "dsa";
  EXPECT_FALSE(ValidateRole(role).ok());
  role.key_type = "ed25519";
  role.key_bits = 0;
  role.ttl_s = role.max_ttl_s + 1;
  EXPECT_FALSE(ValidateRole(role).ok());
}

}  // namespace
}  // namespace gps::cloudsim::vault
