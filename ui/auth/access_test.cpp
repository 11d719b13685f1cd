#include "ui/auth/access.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

Caller SessionOf(Role role) {
  Caller c;
  c.actor = "alice";
  c.user = "alice";
  c.role = role;
  c.kind = CallerKind::kSession;
  c.session_id = "s1";
  c.csrf_token = "0123456789abcdef";
  return c;
}

Caller TokenOf(Role role) {
  Caller c;
  c.actor = "token:ci";
  c.role = role;
  c.kind = CallerKind::kToken;
  return c;
}

TEST(RolesTest, NamesRoundTrip) {
  for (Role r : {Role::kViewer, Role::kApprover, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)).value(), r);
  }
  Result<Role> bad = ParseRole("root");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("viewer, approver or admin"), std::string::npos);
  EXPECT_FALSE(ParseRole("Admin").ok());
  EXPECT_FALSE(ParseRole("").ok());
}

TEST(RolesTest, EachRoleAllowsItsRoutesOnly) {
  EXPECT_TRUE(RoleAllows(Role::kViewer, Access::kView));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Access::kOperate));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Access::kAdmin));
  EXPECT_TRUE(RoleAllows(Role::kApprover, Access::kView));
  EXPECT_TRUE(RoleAllows(Role::kApprover, Access::kOperate));
  EXPECT_FALSE(RoleAllows(Role::kApprover, Access::kAdmin));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kView));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kOperate));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Access::kAdmin));
}

TEST(CheckAccessTest, AViewerCannotApprove) {
  std::optional<Refusal> r =
      CheckAccess(Access::kOperate, SessionOf(Role::kViewer), "POST", "0123456789abcdef");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->message.find("viewer"), std::string::npos) << r->message;
  EXPECT_FALSE(CheckAccess(Access::kView, SessionOf(Role::kViewer), "GET", std::nullopt));
}

TEST(CheckAccessTest, AnApproverIsNoAdmin) {
  EXPECT_FALSE(CheckAccess(Access::kOperate, TokenOf(Role::kApprover), "POST", std::nullopt));
  std::optional<Refusal> r = CheckAccess(Access::kAdmin, TokenOf(Role::kApprover), "GET", {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403);
}

TEST(CheckAccessTest, SessionsNeedTheCsrfTokenToChangeAnything) {
  const Caller c = SessionOf(Role::kApprover);
  std::optional<Refusal> missing = CheckAccess(Access::kOperate, c, "POST", std::nullopt);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 403);
  EXPECT_NE(missing->message.find("missing X-CSRF-Token"), std::string::npos);
  std::optional<Refusal> wrong = CheckAccess(Access::kOperate, c, "POST", "0123456789abcdeX");
  ASSERT_TRUE(wrong.has_value());
  EXPECT_NE(wrong->message.find("wrong X-CSRF-Token"), std::string::npos);
  EXPECT_TRUE(CheckAccess(Access::kOperate, c, "DELETE", "").has_value());
  EXPECT_TRUE(CheckAccess(Access::kOperate, c, "PATCH", "short").has_value());
  EXPECT_FALSE(CheckAccess(Access::kOperate, c, "POST", "0123456789abcdef").has_value());
  // Reads need none.
  EXPECT_FALSE(CheckAccess(Access::kView, c, "GET", std::nullopt).has_value());
  EXPECT_FALSE(CheckAccess(Access::kView, c, "HEAD", std::nullopt).has_value());
}

TEST(CheckAccessTest, ASessionWithoutACsrfTokenNeverPasses) {
  Caller c = SessionOf(Role::kAdmin);
  c.csrf_token.clear();
  EXPECT_TRUE(CheckAccess(Access::kView, c, "POST", "").has_value());
  EXPECT_TRUE(CheckAccess(Access::kView, c, "POST", "x").has_value());
}

TEST(CheckAccessTest, BearerTokensNeedNoCsrfToken) {
  EXPECT_FALSE(CheckAccess(Access::kAdmin, TokenOf(Role::kAdmin), "DELETE", std::nullopt));
}

}  // namespace
}  // namespace gps::ui
