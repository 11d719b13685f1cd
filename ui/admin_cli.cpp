#include "ui/admin_cli.h"

#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string_view>

#include "ui/api/admin_handlers.h"
#include "ui/auth/credentials.h"

namespace gps::ui {

namespace {

using Kind = AdminCommand::Kind;

Status Usage(const std::string& what) { return Status::InvalidArgument(what); }

// "<subject> --role <role>" (the flag may also come first, or as --role=<role>).
Result<AdminCommand> WithSubjectAndRole(Kind kind, const std::vector<std::string>& rest) {
  AdminCommand c;
  c.kind = kind;
  bool have_role = false;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    std::string role_text;
    if (a == "--role") {
      if (i + 1 >= rest.size()) {
        return Usage("--role needs a value: viewer, approver or admin");
      }
      role_text = rest[++i];
    } else if (a.rfind("--role=", 0) == 0) {
      role_text = a.substr(7);
    } else if (a.rfind("--", 0) == 0) {
      return Usage("unknown option " + a);
    } else if (c.subject.empty()) {
      c.subject = a;
      continue;
    } else {
      return Usage("unexpected argument " + a);
    }
    GPS_ASSIGN_OR_RETURN(c.role, ParseRole(role_text));
    have_role = true;
  }
  if (c.subject.empty() || !have_role) {
    return Usage("give a name and --role viewer|approver|admin");
  }
  return c;
}

Result<AdminCommand> WithSubject(Kind kind, const std::vector<std::string>& rest, size_t extra) {
  if (rest.size() != 1 + extra) {
    return Usage("wrong number of arguments");
  }
  AdminCommand c;
  c.kind = kind;
  c.subject = rest[0];
  if (extra == 1) {
    GPS_ASSIGN_OR_RETURN(c.role, ParseRole(rest[1]));
  }
  return c;
}

std::string Pad(std::string s, std::size_t width) {
  if (s.size() < width) {
    s.append(width - s.size(), ' ');
  }
  return s;
}

}  // namespace

bool IsAdminCommand(int argc, char** argv) {
  return argc > 1 && (std::strcmp(argv[1], "user") == 0 || std::strcmp(argv[1], "token") == 0);
}

std::string AdminUsage() {
  return "usage:\n"
         "  gps-ui user add <name> --role viewer|approver|admin   (password: one line on stdin)\n"
         "  gps-ui user passwd <name>                              (password: one line on stdin)\n"
         "  gps-ui user role <name> viewer|approver|admin\n"
         "  gps-ui user delete <name>\n"
         "  gps-ui user list\n"
         "  gps-ui token add <label> --role viewer|approver|admin  (prints the token once)\n"
         "  gps-ui token list\n"
         "  gps-ui token delete <id>\n"
         "Redis is found with the GPS_REDIS_* settings, as for the server.\n";
}

Result<AdminCommand> ParseAdminCommand(const std::vector<std::string>& args) {
  if (args.size() < 2) {
    return Usage("name what to do");
  }
  const std::string& area = args[0];
  const std::string& verb = args[1];
  std::vector<std::string> rest(args.begin() + 2, args.end());
  if (area == "user") {
    if (verb == "add") return WithSubjectAndRole(Kind::kUserAdd, rest);
    if (verb == "passwd") return WithSubject(Kind::kUserPasswd, rest, 0);
    if (verb == "role") return WithSubject(Kind::kUserRole, rest, 1);
    if (verb == "delete") return WithSubject(Kind::kUserDelete, rest, 0);
    if (verb == "list" && rest.empty()) return AdminCommand{Kind::kUserList, "", Role::kViewer};
  } else if (area == "token") {
    if (verb == "add") return WithSubjectAndRole(Kind::kTokenAdd, rest);
    if (verb == "delete") return WithSubject(Kind::kTokenDelete, rest, 0);
    if (verb == "list" && rest.empty()) return AdminCommand{Kind::kTokenList, "", Role::kViewer};
  }
  return Usage("unknown command: " + area + " " + verb);
}

Result<std::string> ReadPasswordFromStdin(const std::string& user) {
  bool terminal = isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::cerr << "Password for " << user << ": " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  if (!got) {
    return Status::InvalidArgument("no password on stdin");
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

int RunAdminCommand(const AdminCommand& c, AuthStore& store, AuditLog& audit, const Clock& clock,
                    const std::string& actor, AdminIo io, crypto::ScryptCost cost) {
  auto fail = [&](const Status& st) {
    io.err << "gps-ui: " << st.message() << "\n";
    return 1;
  };
  auto record = [&](std::string action, std::string outcome, std::string message) {
    audit.Append({clock.Now(), actor, std::move(action), "", c.subject, std::move(outcome),
                  std::move(message)});
  };
  auto new_hash = [&]() -> Result<std::string> {
    GPS_ASSIGN_OR_RETURN(std::string password, io.read_password(c.subject));
    GPS_RETURN_IF_ERROR(ValidateNewPassword(password));
    return crypto::HashPassword(password, cost);
  };
  switch (c.kind) {
    case Kind::kUserAdd: {
      if (Status valid = ValidateUsername(c.subject); !valid.ok()) {
        return fail(valid);
      }
      Result<std::string> hash = new_hash();
      if (!hash.ok()) {
        return fail(hash.status());
      }
      Result<bool> created = store.CreateUser({c.subject, c.role, *hash, clock.Now(), actor});
      if (!created.ok()) {
        return fail(created.status());
      }
      if (!*created) {
        return fail(Status::AlreadyExists("a user named " + c.subject + " exists"));
      }
      record("user-add", "ok", "role " + std::string(RoleName(c.role)));
      io.out << "user " << c.subject << " added with the role " << RoleName(c.role) << "\n";
      return 0;
    }
    case Kind::kUserPasswd:
    case Kind::kUserRole: {
      std::optional<Role> role;
      std::optional<std::string> hash;
      if (c.kind == Kind::kUserRole) {
        role = c.role;
      } else {
        Result<std::string> h = new_hash();
        if (!h.ok()) {
          return fail(h.status());
        }
        hash = *h;
      }
      Result<bool> changed = store.UpdateUser(c.subject, role, hash);
      if (!changed.ok()) {
        return fail(changed.status());
      }
      if (!*changed) {
        return fail(Status::NotFound("no user named " + c.subject));
      }
      if (hash) {
        store.EndSessionsOf(c.subject);
      }
      std::string what = role ? "role " + std::string(RoleName(*role)) : "password set";
      record("user-update", "ok", what);
      io.out << "user " << c.subject << ": " << what << "\n";
      return 0;
    }
    case Kind::kUserDelete: {
      Result<bool> deleted = store.DeleteUser(c.subject);
      if (!deleted.ok()) {
        return fail(deleted.status());
      }
      if (!*deleted) {
        return fail(Status::NotFound("no user named " + c.subject));
      }
      record("user-delete", "ok", "sessions ended");
      io.out << "user " << c.subject << " deleted\n";
      return 0;
    }
    case Kind::kUserList: {
      Result<std::vector<UserRecord>> users = store.ListUsers();
      if (!users.ok()) {
        return fail(users.status());
      }
      for (const UserRecord& u : *users) {
        io.out << Pad(u.name, 24) << Pad(std::string(RoleName(u.role)), 10)
               << FormatRfc3339(u.created) << "  " << u.created_by << "\n";
      }
      return 0;
    }
    case Kind::kTokenAdd: {
      if (Status valid = ValidateTokenLabel(c.subject); !valid.ok()) {
        return fail(valid);
      }
      Result<std::string> token = NewApiToken();
      if (!token.ok()) {
        return fail(token.status());
      }
      TokenRecord t{SecretId(*token), c.subject, c.role, clock.Now(), actor};
      if (Status stored = store.CreateToken(t); !stored.ok()) {
        return fail(stored);
      }
      record("token-add", "ok",
             "id " + t.id.substr(0, kTokenIdChars) + ", role " + std::string(RoleName(c.role)));
      io.err << "token " << t.id.substr(0, kTokenIdChars) << " (" << c.subject << ", "
             << RoleName(c.role) << "); it is shown only now:\n";
      io.out << *token << "\n";
      return 0;
    }
    case Kind::kTokenList: {
      Result<std::vector<TokenRecord>> tokens = store.ListTokens();
      if (!tokens.ok()) {
        return fail(tokens.status());
      }
      for (const TokenRecord& t : *tokens) {
        io.out << t.id.substr(0, kTokenIdChars) << "  " << Pad(t.label, 24)
               << Pad(std::string(RoleName(t.role)), 10) << FormatRfc3339(t.created) << "  "
               << t.created_by << "\n";
      }
      return 0;
    }
    case Kind::kTokenDelete: {
      Result<std::optional<TokenRecord>> found =
          c.subject.size() == kTokenIdChars ? store.FindToken(c.subject)
                                            : Result<std::optional<TokenRecord>>(std::nullopt);
      if (!found.ok()) {
        return fail(found.status());
      }
      if (!*found) {
        return fail(Status::NotFound("no API token with id " + c.subject));
      }
      Result<bool> deleted = store.DeleteToken((*found)->id);
      if (!deleted.ok()) {
        return fail(deleted.status());
      }
      record("token-delete", "ok", "label " + (*found)->label);
      io.out << "token " << c.subject << " deleted\n";
      return 0;
    }
  }
  return 2;
}

}  // namespace gps::ui
