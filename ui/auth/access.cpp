#include "ui/auth/access.h"

#include "gps/crypto/digest.h"

namespace gps::ui {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kApprover:
      return "approver";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

Result<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kViewer, Role::kApprover, Role::kAdmin}) {
    if (text == RoleName(r)) {
      return r;
    }
  }
  return Status::InvalidArgument("unknown role '" + std::string(text.substr(0, 32)) +
                                 "'; expected viewer, approver or admin");
}

bool RoleAllows(Role role, Access need) {
  switch (need) {
    case Access::kPublic:
    case Access::kView:
      return true;
    case Access::kOperate:
      return role == Role::kApprover || role == Role::kAdmin;
    case Access::kAdmin:
      return role == Role::kAdmin;
  }
  return false;
}

std::optional<Refusal> CheckAccess(Access need, const Caller& caller, std::string_view method,
                                   const std::optional<std::string>& csrf_header) {
  if (!RoleAllows(caller.role, need)) {
    std::string needed = need == Access::kAdmin ? "admin" : "approver or admin";
    return Refusal{403, "the role " + std::string(RoleName(caller.role)) + " of " + caller.actor +
                            " may not do this; it needs " + needed};
  }
  bool changes_state = method != "GET" && method != "HEAD";
  if (caller.kind == CallerKind::kSession && changes_state) {
    if (!csrf_header || csrf_header->empty()) {
      return Refusal{
          403, "missing " + std::string(kCsrfHeader) + " header: reload the page and try again"};
    }
    if (caller.csrf_token.empty() || !crypto::ConstantTimeEquals(*csrf_header, caller.csrf_token)) {
      return Refusal{403, "wrong " + std::string(kCsrfHeader) + ": reload the page and try again"};
    }
  }
  return std::nullopt;
}

}  // namespace gps::ui
