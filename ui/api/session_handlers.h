#pragma once
// Logging in and out: POST /api/login makes a session (the HttpOnly gps_session cookie plus a
// CSRF token the page sends back in X-CSRF-Token), GET /api/session says who is logged in,
// POST /api/logout ends the session, POST /api/session/password changes one's own password.
//
// Failed logins are counted per user name; past the limit within the window, logins of that
// name are refused (429) until the window ends, whatever the password. An unknown user name
// costs the same scrypt time as a known one, so timing does not tell which names exist.
// Every login, failed login and logout goes to the audit log.
// Thread-safety: handlers run concurrently; collaborators are thread-safe and must outlive this.

#include <string>

#include "gps/core/clock.h"
#include "gps/crypto/password.h"
#include "ui/api/http_types.h"
#include "ui/auth/authenticator.h"
#include "ui/store/audit_log.h"
#include "ui/store/auth_store.h"

namespace gps::ui {

struct LoginSettings {
  bool cookie_secure = false;  // GPS_UI_COOKIE_SECURE; also set per request by X-Forwarded-Proto
  int max_failures = 10;       // failed logins of one user name within the window
  Millis failure_window_ms = 15 * 60'000;
  crypto::ScryptCost cost;  // for new password hashes
};

class SessionHandlers {
 public:
  SessionHandlers(AuthStore& store, Authenticator& auth, AuditLog& audit, const Clock& clock,
                  LoginSettings settings);

  HttpResponse Login(const HttpRequest& request);
  HttpResponse Logout(const HttpRequest& request, const Caller& caller);
  HttpResponse Session(const HttpRequest& request, const Caller& caller);
  HttpResponse ChangeOwnPassword(const HttpRequest& request, const Caller& caller);

  // The session object: {"user", "role", "kind": "session"|"token", "csrfToken" (sessions)}.
  static std::string SessionJson(const Caller& caller);

  const LoginSettings& settings() const { return settings_; }
  // Secure cookies: configured, or the request came through a TLS-terminating proxy.
  bool SecureCookies(const HttpRequest& request) const;

 private:
  HttpResponse RefuseLogin(const std::string& user, const std::string& why, bool count);

  AuthStore& store_;
  Authenticator& auth_;
  AuditLog& audit_;
  const Clock& clock_;
  LoginSettings settings_;
  std::string dummy_hash_;  // verified against for unknown user names
};

}  // namespace gps::ui
