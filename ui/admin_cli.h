#pragma once
// `gps-ui user ...` and `gps-ui token ...`: manage logins in Redis from a shell, without the
// server running (the first admin has to come from somewhere). Settings come from the same
// GPS_* environment (or GPS_CONFIG_FILE) as the server's; only the Redis ones are used.
//
//   gps-ui user add <name> --role viewer|approver|admin   password: one line on stdin
//   gps-ui user passwd <name>                              password: one line on stdin
//   gps-ui user role <name> viewer|approver|admin
//   gps-ui user delete <name>
//   gps-ui user list
//   gps-ui token add <label> --role viewer|approver|admin  prints the token, once
//   gps-ui token list
//   gps-ui token delete <id>
//
// A password is never taken from the command line, where `ps` and shell history would show it.
// Exit codes: 0 done, 1 refused or Redis unavailable, 2 usage error.
// Parsing is pure; running needs the store. Not thread-safe (one command per process).

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/crypto/password.h"
#include "ui/auth/access.h"
#include "ui/store/audit_log.h"
#include "ui/store/auth_store.h"

namespace gps::ui {

struct AdminCommand {
  enum class Kind {
    kUserAdd,
    kUserPasswd,
    kUserRole,
    kUserDelete,
    kUserList,
    kTokenAdd,
    kTokenList,
    kTokenDelete
  };
  Kind kind = Kind::kUserList;
  std::string subject;  // user name, token label or token id
  Role role = Role::kViewer;
};

// True when argv names a subcommand (argv[1] is "user" or "token").
bool IsAdminCommand(int argc, char** argv);
// args: everything after the program name. InvalidArgument with what was wrong.
Result<AdminCommand> ParseAdminCommand(const std::vector<std::string>& args);
std::string AdminUsage();

struct AdminIo {
  // Reads the password for a user (a prompt for a terminal); InvalidArgument when none came.
  std::function<Result<std::string>(const std::string& user)> read_password;
  std::ostream& out;
  std::ostream& err;
};

// Runs the command; returns the exit code. actor: who ran it, for the audit log.
int RunAdminCommand(const AdminCommand& command, AuthStore& store, AuditLog& audit,
                    const Clock& clock, const std::string& actor, AdminIo io,
                    crypto::ScryptCost cost = {});

// One line of `in`, without the line break; prompts on err and hides the typing when stdin is a
// terminal.
Result<std::string> ReadPasswordFromStdin(const std::string& user);

}  // namespace gps::ui
