#pragma once
// Finds out who sent a request: an API token (Authorization: Bearer; GPS_UI_API_TOKEN or one
// stored in Redis) or a browser session (the gps_session cookie). A session past its absolute end,
// or whose user is gone, is ended here. Each use of a session renews its idle expiry, never past
// its absolute end; the role is read from the user's record every time, so a changed role or a
// deleted user takes effect at once.
// Thread-safety: safe from many threads (the store borrows a connection per call).
// Lifetime: store and clock must outlive the authenticator.

#include <string>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "ui/api/http_types.h"
#include "ui/auth/access.h"
#include "ui/store/auth_store.h"

namespace gps::ui {

struct AuthSettings {
  Millis session_idle_ms = 3'600'000;      // a session unused this long ends
  Millis session_max_ms = 12 * 3'600'000;  // and every session ends this long after login
  std::string configured_token_id;         // SecretId(GPS_UI_API_TOKEN); empty: none
};

class Authenticator {
 public:
  Authenticator(AuthStore& store, const Clock& clock, AuthSettings settings);

  // The caller; PermissionDenied (401) with a message for the person or script when there are no
  // credentials, or they are unknown or expired; Unavailable (503) when Redis cannot be asked.
  // touch: renew a session's idle expiry (false for the event stream's periodic re-checks, which
  // are no activity of the operator).
  Result<Caller> Authenticate(const HttpRequest& request, bool touch = true);

  // A caller for a session just created at login.
  static Caller SessionCaller(const SessionRecord& session, Role role);

  const AuthSettings& settings() const { return settings_; }

 private:
  Result<Caller> FromToken(const std::string& token);
  Result<Caller> FromSession(const std::string& secret, bool touch);

  AuthStore& store_;
  const Clock& clock_;
  AuthSettings settings_;
};

}  // namespace gps::ui
