#include "cloudsim/vault/vault_tokens.h"

#include <gtest/gtest.h>

namespace gps::cloudsim {
namespace {

constexpr Millis kSecond = 1000;
const Instant kStart{1'763'880'000'000};

AppRoleConfig Config() {
  AppRoleConfig c;
  c.role_id = "role-1";
  c.secret_id = "secret-1";
  c.token_ttl_s = 60;
  c.token_max_ttl_s = 150;
  return c;
}

TEST(VaultTokensTest, LoginNeedsTheConfiguredIds) {
  VaultTokens tokens(Config());
  EXPECT_EQ(tokens.Login("", "secret-1", kStart).status().message(), "missing role_id");
  EXPECT_EQ(tokens.Login("role-1", "", kStart).status().message(), "missing secret_id");
  EXPECT_EQ(tokens.Login("role-1", "wrong", kStart).status().message(),
            "invalid role or secret ID");
  EXPECT_EQ(tokens.Login("wrong", "secret-1", kStart).status().message(),
            "invalid role or secret ID");

  Result<TokenAnswer> a = tokens.Login("role-1", "secret-1", kStart);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->token.id.rfind("hvs.", 0), 0u);
  EXPECT_EQ(a->ttl_s, 60);
  EXPECT_TRUE(a->warnings.empty());
  Result<TokenAnswer> b = tokens.Login("role-1", "secret-1", kStart);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->token.id, b->token.id);
}

TEST(VaultTokensTest, TokenExpiresAfterItsTtl) {
  VaultTokens tokens(Config());
  std::string id = tokens.Login("role-1", "secret-1", kStart).value().token.id;
  EXPECT_TRUE(tokens.Find(id, kStart + 59 * kSecond));
  EXPECT_FALSE(tokens.Find(id, kStart + 60 * kSecond));
  EXPECT_FALSE(tokens.Find(id, kStart));  // an expired token is forgotten
  EXPECT_FALSE(tokens.Find("hvs.unknown", kStart));
}

TEST(VaultTokensTest, RenewalExtendsUpToTheMaxTtlWithVaultsWarning) {
  VaultTokens tokens(Config());
  std::string id = tokens.Login("role-1", "secret-1", kStart).value().token.id;

  Result<TokenAnswer> first = tokens.Renew(id, 0, kStart + 40 * kSecond);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->ttl_s, 60);
  EXPECT_TRUE(first->warnings.empty());
  EXPECT_TRUE(tokens.Find(id, kStart + 99 * kSecond));
  // At 90 s the max TTL leaves exactly the 60 s the role grants.
  Result<TokenAnswer> second = tokens.Renew(id, 0, kStart + 90 * kSecond);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->ttl_s, 60);
  EXPECT_TRUE(second->warnings.empty());

  // At 120 s only 30 s are left of the 150 s max TTL.
  Result<TokenAnswer> capped = tokens.Renew(id, 0, kStart + 120 * kSecond);
  ASSERT_TRUE(capped.ok()) << capped.status().ToString();
  EXPECT_EQ(capped->ttl_s, 30);
  ASSERT_EQ(capped->warnings.size(), 1u);
  EXPECT_EQ(capped->warnings[0],
            "TTL of \"1m0s\" exceeded the effective max_ttl of \"30s\"; TTL value is capped "
            "accordingly");
  EXPECT_FALSE(tokens.Find(id, kStart + 150 * kSecond));
  EXPECT_TRUE(tokens.Renew(id, 0, kStart + 150 * kSecond).status().IsNotFound());
}

TEST(VaultTokensTest, IncrementIsHonouredBelowTheMax) {
  VaultTokens tokens(Config());
  std::string id = tokens.Login("role-1", "secret-1", kStart).value().token.id;
  Result<TokenAnswer> r = tokens.Renew(id, 10, kStart + 30 * kSecond);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ttl_s, 10);
  EXPECT_FALSE(tokens.Find(id, kStart + 40 * kSecond));
}

TEST(VaultTokensTest, RenewingAnExpiredTokenFails) {
  VaultTokens tokens(Config());
  std::string id = tokens.Login("role-1", "secret-1", kStart).value().token.id;
  EXPECT_TRUE(tokens.Renew(id, 0, kStart + 61 * kSecond).status().IsNotFound());
}

}  // namespace
}  // namespace gps::cloudsim
