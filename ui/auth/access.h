#pragma once
// Who may do what in gps-ui: the three roles, what each route needs, and the check that runs once
// the caller is known (its role, and for a browser session the CSRF token).
//
//   viewer    reads devices, timelines, the audit log and the allow-list
//   approver  also approves, dismisses, retries, runs now and revokes
//   admin     also manages users, API tokens and the allow-list
//
// Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "ui/api/http_types.h"

namespace gps::ui {

enum class Role { kViewer, kApprover, kAdmin };
std::string_view RoleName(Role role);
// "viewer", "approver" or "admin"; InvalidArgument naming the three otherwise.
Result<Role> ParseRole(std::string_view text);

// What a route needs. kPublic routes run without a caller (the page, login, health).
enum class Access { kPublic, kView, kOperate, kAdmin };

bool RoleAllows(Role role, Access need);

// How the caller proved who it is. Sessions come from the page's cookie, tokens from an
// Authorization: Bearer header (scripts, the test stacks).
enum class CallerKind { kSession, kToken };

struct Caller {
  std::string actor;  // the user name; "token:<label>" for an API token; "api-token" for
                      // GPS_UI_API_TOKEN. Written into commands and the audit log.
  Role role = Role::kViewer;
  CallerKind kind = CallerKind::kToken;
  std::string user;        // sessions: the user name (empty for tokens)
  std::string session_id;  // sessions: the session's id (SHA-256 of its secret, hex)
  std::string csrf_token;  // sessions: what X-CSRF-Token must carry
};

// The header the page sends its session's CSRF token in.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// nullopt when the caller may go on. 403 when the role is below `need`. A session caller's
// state-changing request (any method but GET and HEAD) is refused (403) unless csrf_header equals
// the session's token: a cookie alone never changes anything. Bearer requests carry no cookie a
// browser could add on its own, so they need no CSRF token.
std::optional<Refusal> CheckAccess(Access need, const Caller& caller, std::string_view method,
                                   const std::optional<std::string>& csrf_header);

}  // namespace gps::ui
