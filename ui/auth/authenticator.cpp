#include "ui/auth/authenticator.h"

#include <algorithm>

#include "gps/crypto/digest.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "ui/auth/credentials.h"

namespace gps::ui {

namespace {

Status NotLoggedIn(std::string why) {
  metrics::Inc("ui.auth_refused");
  return Status::PermissionDenied(std::move(why));
}

}  // namespace

Authenticator::Authenticator(AuthStore& store, const Clock& clock, AuthSettings settings)
    : store_(store), clock_(clock), settings_(std::move(settings)) {}

Caller Authenticator::SessionCaller(const SessionRecord& session, Role role) {
  Caller c;
  c.actor = session.user;
  c.role = role;
  c.kind = CallerKind::kSession;
  c.user = session.user;
  c.session_id = session.id;
  c.csrf_token = session.csrf_token;
  return c;
}

Result<Caller> Authenticator::Authenticate(const HttpRequest& request, bool touch) {
  Result<PresentedCredentials> presented = ReadCredentials(request);
  if (!presented.ok()) {
    return NotLoggedIn(presented.status().message());
  }
  if (presented->bearer) {
    return FromToken(*presented->bearer);
  }
  if (presented->session) {
    return FromSession(*presented->session, touch);
  }
  return NotLoggedIn("log in first (or send Authorization: Bearer <API token>)");
}

Result<Caller> Authenticator::FromToken(const std::string& token) {
  const std::string id = SecretId(token);
  if (!settings_.configured_token_id.empty() &&
      crypto::ConstantTimeEquals(id, settings_.configured_token_id)) {
    Caller c;
    c.actor = "api-token";
    c.role = Role::kAdmin;
    return c;
  }
  GPS_ASSIGN_OR_RETURN(std::optional<TokenRecord> stored, store_.GetToken(id));
  if (!stored) {
    return NotLoggedIn("unknown or revoked API token");
  }
  Caller c;
  c.actor = "token:" + stored->label;
  c.role = stored->role;
  return c;
}

Result<Caller> Authenticator::FromSession(const std::string& secret, bool touch) {
  const std::string id = SecretId(secret);
  GPS_ASSIGN_OR_RETURN(std::optional<SessionRecord> session, store_.GetSession(id));
  if (!session) {
    return NotLoggedIn("the session has ended; log in again");
  }
  Instant now = clock_.Now();
  if (now >= session->expires) {
    store_.DeleteSession(id, session->user);
    return NotLoggedIn("the session reached its maximum age; log in again");
  }
  GPS_ASSIGN_OR_RETURN(std::optional<UserRecord> user, store_.GetUser(session->user));
  if (!user) {
    store_.DeleteSession(id, session->user);
    return NotLoggedIn("the user " + session->user + " no longer exists");
  }
  if (touch) {
    Status touched =
        store_.TouchSession(id, std::min(settings_.session_idle_ms, session->expires - now));
    if (!touched.ok()) {
      // The session still works until its current expiry; the next request renews it.
      log::Warn("session expiry not renewed",
                {{"user", session->user}, {"err", touched.ToString()}});
    }
  }
  return SessionCaller(*session, user->role);
}

}  // namespace gps::ui
