#include "ui/admin_cli.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

using Kind = AdminCommand::Kind;

Result<AdminCommand> Parse(std::vector<std::string> args) { return ParseAdminCommand(args); }

TEST(AdminCliTest, UserAddTakesARoleAndNoPassword) {
  Result<AdminCommand> c = Parse({"user", "add", "alice", "--role", "approver"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kind, Kind::kUserAdd);
  EXPECT_EQ(c->subject, "alice");
  EXPECT_EQ(c->role, Role::kApprover);
  Result<AdminCommand> flag_first = Parse({"user", "add", "--role=admin", "bob"});
  ASSERT_TRUE(flag_first.ok());
  EXPECT_EQ(flag_first->subject, "bob");
  EXPECT_EQ(flag_first->role, Role::kAdmin);
  // A password on the command line is refused: it would show in ps and the shell history.
  EXPECT_FALSE(Parse({"user", "add", "alice", "--role", "admin", "--password", "x"}).ok());
  EXPECT_FALSE(Parse({"user", "add", "alice", "--role", "admin", "secret"}).ok());
  EXPECT_FALSE(Parse({"user", "add", "alice"}).ok());
  EXPECT_FALSE(Parse({"user", "add", "alice", "--role", "root"}).ok());
  EXPECT_FALSE(Parse({"user", "add", "alice", "--role"}).ok());
}

TEST(AdminCliTest, OtherUserCommands) {
  EXPECT_EQ(Parse({"user", "passwd", "alice"})->kind, Kind::kUserPasswd);
  Result<AdminCommand> role = Parse({"user", "role", "alice", "viewer"});
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->kind, Kind::kUserRole);
  EXPECT_EQ(role->role, Role::kViewer);
  EXPECT_EQ(Parse({"user", "delete", "alice"})->kind, Kind::kUserDelete);
  EXPECT_EQ(Parse({"user", "list"})->kind, Kind::kUserList);
  EXPECT_FALSE(Parse({"user", "list", "x"}).ok());
  EXPECT_FALSE(Parse({"user", "delete"}).ok());
  EXPECT_FALSE(Parse({"user"}).ok());
  EXPECT_FALSE(Parse({"user", "rename", "a", "b"}).ok());
}

TEST(AdminCliTest, TokenCommands) {
  Result<AdminCommand> add = Parse({"token", "add", "ci", "--role", "viewer"});
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->kind, Kind::kTokenAdd);
  EXPECT_EQ(add->subject, "ci");
  EXPECT_EQ(Parse({"token", "list"})->kind, Kind::kTokenList);
  EXPECT_EQ(Parse({"token", "delete", "0123456789abcdef"})->subject, "0123456789abcdef");
  EXPECT_FALSE(Parse({"token", "add", "ci"}).ok());
}

TEST(AdminCliTest, RecognisesItsSubcommands) {
  char prog[] = "gps-ui", user[] = "user", token[] = "token", help[] = "--help";
  char* a[] = {prog, user};
  char* b[] = {prog, token};
  char* c[] = {prog, help};
  EXPECT_TRUE(IsAdminCommand(2, a));
  EXPECT_TRUE(IsAdminCommand(2, b));
  EXPECT_FALSE(IsAdminCommand(2, c));
  EXPECT_FALSE(IsAdminCommand(1, a));
}

}  // namespace
}  // namespace gps::ui
