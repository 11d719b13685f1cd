#include "workers/vault/vault_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "workers/testing/http_test_util.h"
#include "workers/vault/vault_test_support.h"

namespace gps::worker::vault {
namespace {

using worker::testing::Header;
using worker::testing::MakeResponse;

constexpr Millis kSecond = 1000;

VaultSettings AppRoleSettings() {
  VaultSettings s = testing::TestSettings();
  s.auth = "approle";
  s.token.clear();
  s.role_id = "role-1";
  s.secret_id = "secret-1";
  EXPECT_TRUE(ValidateVaultSettings(&s).ok());
  return s;
}

TokenGrant Grant(std::string token, std::int64_t ttl_s, bool renewable = true) {
  return TokenGrant{std::move(token), ttl_s, renewable, {}};
}

TEST(VaultAuthRequestTest, LoginSendsRoleAndSecretWithoutToken) {
  VaultSettings s = AppRoleSettings();
  s.approle_mount = "auth-team/approle";
  http::Request r = LoginRequest(s);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://vault:8200/v1/auth/auth-team/approle/login");
  EXPECT_EQ(r.body, R"({"role_id":"role-1","secret_id":"secret-1"})");
  EXPECT_FALSE(worker::testing::HasHeader(r, "X-Vault-Token"));
  EXPECT_FALSE(r.idempotent) << "a silent resend would mint a second token";
}

TEST(VaultAuthRequestTest, RenewSelfCarriesTheToken) {
  http::Request r = RenewSelfRequest(AppRoleSettings(), "hvs.abc");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://vault:8200/v1/auth/token/renew-self");
  EXPECT_EQ(Header(r, "X-Vault-Token"), "hvs.abc");
}

TEST(VaultAuthAnswerTest, GrantOfALoginAnswer) {
  // The sample answer of cloud-apis.md 3.2.
  Result<TokenGrant> g = ParseTokenGrant(
      R"({"auth": {"client_token": "hvs.CAES", "accessor": "a", "token_policies": ["default"],)"
      R"( "lease_duration": 1200, "renewable": true, "metadata": null},)"
      R"( "data": null, "lease_duration": 0, "renewable": false, "lease_id": "",)"
      R"( "warnings": ["TTL of \"2h\" exceeded the effective max_ttl; capped"], "wrap_info": null})");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->client_token, "hvs.CAES");
  EXPECT_EQ(g->lease_duration_s, 1200);
  EXPECT_TRUE(g->renewable);
  ASSERT_EQ(g->warnings.size(), 1u);

  EXPECT_FALSE(ParseTokenGrant(R"({"auth":null})").ok());
  EXPECT_FALSE(ParseTokenGrant(R"({"auth":{"client_token":""}})").ok());
  EXPECT_FALSE(ParseTokenGrant(R"({"auth":{"client_token":"a b"}})").ok());
  EXPECT_FALSE(ParseTokenGrant(R"({"auth":{"client_token":"t","lease_duration":-1}})").ok());
  EXPECT_FALSE(ParseTokenGrant("not json").ok());
}

TEST(VaultAuthAnswerTest, LoginRefusalKeepsStatusHeadersAndVaultsText) {
  http::Response refused = LoginRefusal(
      MakeResponse(429, R"({"errors":["rate limit quota exceeded"]})", {{"Retry-After", "7"}}),
      "auth/approle/login");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.HeaderValue("Retry-After").value_or(""), "7");
  EXPECT_EQ(refused.body, R"({"errors":["auth/approle/login: rate limit quota exceeded"]})");
}

TEST(VaultAuthDecisionTest, NoLeaseMeansLogin) {
  EXPECT_EQ(DecideTokenAction(std::nullopt, Instant{0}), TokenAction::kLogin);
}

TEST(VaultAuthDecisionTest, RenewedAtTwoThirdsOfTheTtl) {
  FakeClock clock(Instant{1'763'880'000'000});
  std::optional<TokenLease> lease = LeaseFromLogin(Grant("t1", 60), clock.Now());
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kUse);
  clock.Advance(40 * kSecond - 1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kUse);
  clock.Advance(1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kRenew);

  lease = LeaseFromRenewal(*lease, Grant("t1", 60), clock.Now());
  EXPECT_FALSE(lease->capped);
  EXPECT_EQ(lease->token, "t1");
  clock.Advance(40 * kSecond - 1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kUse);
  clock.Advance(1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kRenew);
}

TEST(VaultAuthDecisionTest, ATokenAboutToExpireIsReplacedByALogin) {
  FakeClock clock(Instant{1'763'880'000'000});
  std::optional<TokenLease> lease = LeaseFromLogin(Grant("t1", 60), clock.Now());
  // A tenth of the TTL (6 s) before expiry a request no longer starts with it.
  EXPECT_EQ(UsableUntil(*lease), clock.Now() + 54 * kSecond);
  clock.Advance(54 * kSecond - 1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kRenew);
  clock.Advance(1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kLogin);
  // Long TTLs keep at most 10 s of margin.
  lease = LeaseFromLogin(Grant("t2", 3600), clock.Now());
  EXPECT_EQ(UsableUntil(*lease), clock.Now() + 3590 * kSecond);
}

TEST(VaultAuthDecisionTest, MaxTtlCapMeansTheNextStepIsALogin) {
  FakeClock clock(Instant{1'763'880'000'000});
  TokenLease login = LeaseFromLogin(Grant("t1", 60), clock.Now());
  clock.Advance(40 * kSecond);
  // The max TTL leaves 30 s: Vault grants that much and says so in a warning.
  std::optional<TokenLease> lease = LeaseFromRenewal(login, Grant("t1", 30), clock.Now());
  EXPECT_TRUE(lease->capped);
  clock.Advance(20 * kSecond - 1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kUse);
  clock.Advance(1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kLogin);
}

TEST(VaultAuthDecisionTest, UnrenewableTokenIsReplacedByALoginAtTwoThirds) {
  FakeClock clock(Instant{1'763'880'000'000});
  std::optional<TokenLease> lease = LeaseFromLogin(Grant("t1", 60, false), clock.Now());
  clock.Advance(40 * kSecond);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kLogin);
}

TEST(VaultAuthDecisionTest, FailedRenewalIsTriedAgainLaterWhileTheTokenLasts) {
  FakeClock clock(Instant{1'763'880'000'000});
  std::optional<TokenLease> lease = LeaseFromLogin(Grant("t1", 60), clock.Now());
  clock.Advance(40 * kSecond);
  lease = AfterFailedRenewal(*lease, clock.Now());
  clock.Advance(5 * kSecond - 1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kUse);
  clock.Advance(1);
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kRenew);
  clock.Advance(9 * kSecond);  // 54 s: past UsableUntil
  lease = AfterFailedRenewal(*lease, clock.Now());
  EXPECT_EQ(DecideTokenAction(lease, clock.Now()), TokenAction::kLogin);
}

TEST(VaultAuthDecisionTest, TokenWithoutTtlIsUsedForever) {
  std::optional<TokenLease> lease = LeaseFromLogin(Grant("root", 0, false), Instant{0});
  EXPECT_EQ(DecideTokenAction(lease, Instant{Millis{1} << 50}), TokenAction::kUse);
}

TEST(VaultAuthFileTest, TokenFileContent) {
  EXPECT_EQ(ParseTokenFile("hvs.abc\n").value_or(""), "hvs.abc");
  EXPECT_EQ(ParseTokenFile("  hvs.abc \r\n").value_or(""), "hvs.abc");
  EXPECT_FALSE(ParseTokenFile("").ok());
  EXPECT_FALSE(ParseTokenFile("\n").ok());
  EXPECT_FALSE(ParseTokenFile("hvs.a hvs.b").ok());
  EXPECT_FALSE(ParseTokenFile("hvs.a\nhvs.b").ok());
}

class VaultAuthTokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("vault-auth-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    settings_ = testing::TestSettings();
    settings_.token.clear();
    settings_.token_file = (dir_ / "token").string();
    ASSERT_TRUE(ValidateVaultSettings(&settings_).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // As Vault Agent writes its sink: a new file renamed over the old one.
  void WriteToken(const std::string& content) {
    std::filesystem::path tmp = dir_ / "token.tmp";
    std::ofstream(tmp) << content;
    std::filesystem::rename(tmp, settings_.token_file);
  }

  std::filesystem::path dir_;
  VaultSettings settings_;
  FakeClock clock_{Instant{1'763'880'000'000}};
};

TEST_F(VaultAuthTokenFileTest, ReadAgainWhenTheFileChanges) {
  WriteToken("hvs.first\n");
  VaultAuth auth(settings_, clock_);
  CurrentToken t = auth.Token(clock_.Now() + 1000);
  ASSERT_FALSE(t.instead);
  EXPECT_EQ(t.token, "hvs.first");
  EXPECT_TRUE(t.fresh);
  t = auth.Token(clock_.Now() + 1000);
  EXPECT_EQ(t.token, "hvs.first");
  EXPECT_FALSE(t.fresh);

  WriteToken("hvs.second\n");
  t = auth.Token(clock_.Now() + 1000);
  EXPECT_EQ(t.token, "hvs.second");
  EXPECT_TRUE(t.fresh);
}

TEST_F(VaultAuthTokenFileTest, RefreshAfterA403OffersOnlyANewToken) {
  WriteToken("hvs.first\n");
  VaultAuth auth(settings_, clock_);
  ASSERT_EQ(auth.Token(clock_.Now() + 1000).token, "hvs.first");
  // The file still holds the refused token: nothing else to try.
  EXPECT_EQ(auth.Refresh("hvs.first", clock_.Now() + 1000).token, "hvs.first");
  WriteToken("hvs.second\n");
  EXPECT_EQ(auth.Refresh("hvs.first", clock_.Now() + 1000).token, "hvs.second");
}

TEST_F(VaultAuthTokenFileTest, UnreadableFileKeepsTheLastTokenOrFailsRetryably) {
  VaultAuth fresh(settings_, clock_);
  CurrentToken none = fresh.Token(clock_.Now() + 1000);  // no file yet, nothing read before
  ASSERT_TRUE(none.instead);
  ASSERT_FALSE(none.instead->ok());
  EXPECT_NE(none.instead->status().message().find("GPS_VAULT_TOKEN_FILE"), std::string::npos);

  WriteToken("hvs.first\n");
  VaultAuth auth(settings_, clock_);
  ASSERT_EQ(auth.Token(clock_.Now() + 1000).token, "hvs.first");
  WriteToken("two tokens\n");
  CurrentToken kept = auth.Token(clock_.Now() + 1000);
  ASSERT_FALSE(kept.instead);
  EXPECT_EQ(kept.token, "hvs.first");
}

TEST(VaultAuthFixedTokenTest, AFixedTokenIsNeverReplaced) {
  VaultSettings s = testing::TestSettings();
  s.token = "hvs.fixed";
  FakeClock clock(Instant{0});
  VaultAuth auth(s, clock);
  EXPECT_EQ(auth.Token(Instant{1000}).token, "hvs.fixed");
  EXPECT_EQ(auth.Refresh("hvs.fixed", Instant{1000}).token, "hvs.fixed");
}

}  // namespace
}  // namespace gps::worker::vault
