// The login store and the authenticator against a real redis-server, with an injected clock:
// a session's idle expiry is Redis' TTL (renewed on use, never past the absolute end), the
// absolute end is checked against the clock, and a deleted user's sessions stop working.

#include <gtest/gtest.h>

#include "gps/crypto/password.h"
#include "tests/support/services.h"
#include "ui/auth/authenticator.h"
#include "ui/auth/credentials.h"
#include "ui/store/auth_store.h"

namespace gps::testing {
namespace {

using ui::Authenticator;
using ui::AuthStore;

constexpr Millis kIdle = 60'000;
constexpr Millis kMax = 600'000;

class AuthStoreTest : public ::testing::Test {
 protected:
  AuthStoreTest()
      : services_(dir_.path()),
        pool_(Endpoint(), 2),
        keys_("gps-auth-test-" + UniqueSuffix()),
        store_(pool_, keys_),
        clock_(Instant{1'763'880'000'000}),
        auth_(store_, clock_, {kIdle, kMax, ui::SecretId("configured-token-0123456789abcdef")}) {}

  redis::Endpoint Endpoint() const {
    redis::Endpoint e;
    e.port = services_.redis_port();
    return e;
  }

  // A user and a session for them; returns the session's secret (the cookie value).
  std::string LoggedIn(const std::string& user, ui::Role role) {
    Result<bool> created =
        store_.CreateUser({user, role, crypto::HashPassword("password-123", {.log_n = 10}).value(),
                           clock_.Now(), "test"});
    EXPECT_TRUE(created.ok() && *created);
    std::string secret = ui::NewSecret().value();
    ui::SessionRecord s{ui::SecretId(secret), user, ui::NewSecret().value(), clock_.Now(),
                        clock_.Now() + kMax};
    EXPECT_TRUE(store_.CreateSession(s, kIdle).ok());
    return secret;
  }

  static ui::HttpRequest WithCookie(const std::string& secret) {
    ui::HttpRequest r;
    r.method = "GET";
    r.headers = {{"Cookie", "gps_session=" + secret}};
    return r;
  }

  std::int64_t SessionTtl(const std::string& secret) {
    redis::Connection conn(Endpoint());
    return conn.Command({"PTTL", keys_.UiSession(ui::SecretId(secret))})
        .value()
        .AsInteger()
        .value_or(-3);
  }

  TempDir dir_{"gps-auth-test"};
  TestServices services_;
  ui::RedisPool pool_;
  redis::Keys keys_;
  AuthStore store_;
  FakeClock clock_;
  Authenticator auth_;
};

TEST_F(AuthStoreTest, ASessionIsRenewedOnUseButNeverPastItsEnd) {
  std::string secret = LoggedIn("alice", ui::Role::kApprover);
  Result<ui::Caller> c = auth_.Authenticate(WithCookie(secret));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->actor, "alice");
  EXPECT_EQ(c->role, ui::Role::kApprover);
  EXPECT_EQ(c->kind, ui::CallerKind::kSession);
  EXPECT_EQ(c->csrf_token.size(), 64u);
  std::int64_t ttl = SessionTtl(secret);
  EXPECT_GT(ttl, kIdle - 5000);
  EXPECT_LE(ttl, kIdle);

  // 30 s before the absolute end, a use renews it for those 30 s only.
  clock_.Advance(kMax - 30'000);
  ASSERT_TRUE(auth_.Authenticate(WithCookie(secret)).ok());
  ttl = SessionTtl(secret);
  EXPECT_GT(ttl, 25'000);
  EXPECT_LE(ttl, 30'000);

  // A check that is no activity of the operator does not renew it.
  ASSERT_TRUE(store_.TouchSession(ui::SecretId(secret), 10'000).ok());
  ASSERT_TRUE(auth_.Authenticate(WithCookie(secret), /*touch=*/false).ok());
  EXPECT_LE(SessionTtl(secret), 10'000);

  clock_.Advance(30'000);
  Result<ui::Caller> ended = auth_.Authenticate(WithCookie(secret));
  ASSERT_FALSE(ended.ok());
  EXPECT_TRUE(ended.status().IsPermissionDenied());
  EXPECT_NE(ended.status().message().find("maximum age"), std::string::npos);
  EXPECT_EQ(SessionTtl(secret), -2) << "the session is deleted";
}

TEST_F(AuthStoreTest, ADeletedUserOrAChangedRoleTakesEffectAtOnce) {
  std::string secret = LoggedIn("bob", ui::Role::kAdmin);
  ASSERT_TRUE(store_.UpdateUser("bob", ui::Role::kViewer, std::nullopt).value());
  EXPECT_EQ(auth_.Authenticate(WithCookie(secret))->role, ui::Role::kViewer);
  ASSERT_TRUE(store_.DeleteUser("bob").value());
  Result<ui::Caller> gone = auth_.Authenticate(WithCookie(secret));
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().IsPermissionDenied());
  EXPECT_FALSE(store_.DeleteUser("bob").value());
  EXPECT_FALSE(store_.UpdateUser("bob", ui::Role::kAdmin, std::nullopt).value())
      << "an update never brings a deleted user back";
  EXPECT_FALSE(store_.GetUser("bob").value().has_value());
}

TEST_F(AuthStoreTest, EndingSessionsKeepsTheOneAsked) {
  std::string first = LoggedIn("carol", ui::Role::kViewer);
  std::string second = ui::NewSecret().value();
  ASSERT_TRUE(
      store_
          .CreateSession({ui::SecretId(second), "carol", "csrf", clock_.Now(), clock_.Now() + kMax},
                         kIdle)
          .ok());
  ASSERT_TRUE(store_.EndSessionsOf("carol", ui::SecretId(second)).ok());
  EXPECT_FALSE(auth_.Authenticate(WithCookie(first)).ok());
  EXPECT_TRUE(auth_.Authenticate(WithCookie(second)).ok());
}

TEST_F(AuthStoreTest, TokensAndTheConfiguredToken) {
  ui::HttpRequest r;
  r.headers = {{"Authorization", "Bearer configured-token-0123456789abcdef"}};
  Result<ui::Caller> configured = auth_.Authenticate(r);
  ASSERT_TRUE(configured.ok());
  EXPECT_EQ(configured->actor, "api-token");
  EXPECT_EQ(configured->role, ui::Role::kAdmin);

  std::string token = ui::NewApiToken().value();
  ASSERT_TRUE(
      store_.CreateToken({ui::SecretId(token), "ci", ui::Role::kViewer, clock_.Now(), "t"}).ok());
  r.headers = {{"Authorization", "Bearer " + token}};
  Result<ui::Caller> stored = auth_.Authenticate(r);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->actor, "token:ci");
  EXPECT_EQ(stored->kind, ui::CallerKind::kToken);
  Result<std::optional<ui::TokenRecord>> found =
      store_.FindToken(ui::SecretId(token).substr(0, 16));
  ASSERT_TRUE(found.ok() && found->has_value());
  ASSERT_TRUE(store_.DeleteToken((*found)->id).value());
  EXPECT_FALSE(auth_.Authenticate(r).ok());
  // Redis never holds the token itself.
  redis::Connection conn(Endpoint());
  Result<redis::Reply> keys = conn.Command({"KEYS", keys_.prefix() + "*"});
  for (const redis::Reply& k : keys->AsArray().value_or(std::vector<redis::Reply>{})) {
    EXPECT_EQ(k.AsString().value_or("").find(token), std::string::npos);
  }
}

TEST_F(AuthStoreTest, NoCredentialsAtAll) {
  Result<ui::Caller> none = auth_.Authenticate(ui::HttpRequest{});
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.status().IsPermissionDenied());
  Result<ui::Caller> unknown = auth_.Authenticate(WithCookie(std::string(64, 'a')));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("log in again"), std::string::npos);
}

}  // namespace
}  // namespace gps::testing
