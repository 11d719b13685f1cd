#include "ui/auth/credentials.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

HttpRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/api/devices";
  r.headers = std::move(headers);
  return r;
}

const std::string kSecret(64, 'a');

TEST(SecretsTest, AreFreshHexAndStoredByDigest) {
  Result<std::string> a = NewSecret();
  Result<std::string> b = NewSecret();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  Result<std::string> token = NewApiToken();
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->rfind("gps_", 0), 0u);
  EXPECT_EQ(token->size(), 68u);
  // SHA-256 of "abc".
  EXPECT_EQ(SecretId("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ReadCredentialsTest, BearerToken) {
  Result<PresentedCredentials> c =
      ReadCredentials(WithHeaders({{"authorization", "Bearer gps_x1"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bearer.value_or(""), "gps_x1");
  EXPECT_FALSE(c->session.has_value());
  // The scheme is case-insensitive.
  EXPECT_EQ(ReadCredentials(WithHeaders({{"Authorization", "bearer  tok "}}))->bearer.value_or(""),
            "tok");
}

TEST(ReadCredentialsTest, MalformedAuthorizationIsRefusedNotIgnored) {
  for (const char* value : {"Basic YWxpY2U6cHc=", "Bearer", "Bearer ", "Bearer a b", "tok"}) {
    Result<PresentedCredentials> c = ReadCredentials(WithHeaders({{"Authorization", value}}));
    EXPECT_FALSE(c.ok()) << value;
    if (!c.ok()) {
      EXPECT_TRUE(c.status().IsPermissionDenied());
    }
  }
  EXPECT_FALSE(
      ReadCredentials(WithHeaders({{"Authorization", "Bearer " + std::string(200, 'x')}})).ok());
}

TEST(ReadCredentialsTest, SessionCookie) {
  Result<PresentedCredentials> c =
      ReadCredentials(WithHeaders({{"Cookie", "theme=dark; gps_session=" + kSecret + "; x=1"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->session.value_or(""), kSecret);
  // Not a secret of ours: no session (and no error: the page then shows its login form).
  for (const std::string& cookie :
       {std::string("gps_session=abc"), "gps_session=" + std::string(64, 'G'),
        std::string("other=") + kSecret, std::string("")}) {
    Result<PresentedCredentials> r = ReadCredentials(WithHeaders({{"Cookie", cookie}}));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->session.has_value()) << cookie;
  }
}

TEST(CookieTest, FindsTheNamedCookie) {
  EXPECT_EQ(CookieValue("a=1; b=2", "b").value_or(""), "2");
  EXPECT_EQ(CookieValue("a=1;b=\"q\"", "b").value_or(""), "q");
  EXPECT_FALSE(CookieValue("ab=1", "a").has_value());
  EXPECT_FALSE(CookieValue("", "a").has_value());
}

TEST(CookieTest, SessionCookieAttributes) {
  EXPECT_EQ(SessionCookie("s3cr3t", 3600, false),
            "gps_session=s3cr3t; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionCookie("s3cr3t", 60, true),
            "gps_session=s3cr3t; Max-Age=60; Path=/; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(ClearedSessionCookie(false),
            "gps_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict");
}

TEST(ValidationTest, UserNames) {
  for (const char* good : {"alice", "a", "ops.team-1", "x_y", "0day"}) {
    EXPECT_TRUE(ValidateUsername(good).ok()) << good;
  }
  for (const std::string& bad : {std::string(""), std::string("Alice"), std::string("-a"),
                                 std::string("a b"), std::string("a:b"), std::string(65, 'a')}) {
    EXPECT_FALSE(ValidateUsername(bad).ok()) << bad;
  }
  EXPECT_NE(ValidateTokenLabel("CI").message().find("token label"), std::string::npos);
}

TEST(ValidationTest, NewPasswords) {
  EXPECT_TRUE(ValidateNewPassword("long enough pw").ok());
  EXPECT_FALSE(ValidateNewPassword("short").ok());
  EXPECT_FALSE(ValidateNewPassword("has a\nline break").ok());
  EXPECT_FALSE(ValidateNewPassword(std::string(2000, 'p')).ok());
}

}  // namespace
}  // namespace gps::ui
