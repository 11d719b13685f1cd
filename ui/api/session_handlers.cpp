#include "ui/api/session_handlers.h"

#include "gps/core/text.h"
#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "ui/api/requests.h"
#include "ui/auth/credentials.h"

namespace gps::ui {

namespace {

constexpr std::size_t kMaxLoginBodyBytes = 4096;

HttpResponse StoreFailure(const Status& st) {
  return ErrorResponse(st.IsUnavailable() ? 503 : 500, st.message());
}

}  // namespace

SessionHandlers::SessionHandlers(AuthStore& store, Authenticator& auth, AuditLog& audit,
                                 const Clock& clock, LoginSettings settings)
    : store_(store), auth_(auth), audit_(audit), clock_(clock), settings_(settings) {
  // Any value at the same cost: only its verification time matters.
  dummy_hash_ = crypto::HashPassword("not a password of anybody", settings_.cost).value_or("");
}

bool SessionHandlers::SecureCookies(const HttpRequest& request) const {
  std::optional<std::string> proto = request.Header("X-Forwarded-Proto");
  return settings_.cookie_secure || (proto && EqualsIgnoreCase(TrimBlanks(*proto), "https"));
}

std::string SessionHandlers::SessionJson(const Caller& caller) {
  json::Writer w;
  w.BeginObject()
      .Field("user", caller.actor)
      .Field("role", RoleName(caller.role))
      .Field("kind", caller.kind == CallerKind::kSession ? "session" : "token");
  if (caller.kind == CallerKind::kSession) {
    w.Field("csrfToken", caller.csrf_token);
  }
  w.EndObject();
  return w.Take();
}

HttpResponse SessionHandlers::RefuseLogin(const std::string& user, const std::string& why,
                                          bool count) {
  metrics::Inc("ui.logins_refused");
  if (count) {
    Status counted = store_.CountLoginFailure(user, settings_.failure_window_ms);
    if (!counted.ok()) {
      log::Warn("failed login not counted", {{"user", user}, {"err", counted.ToString()}});
    }
  }
  audit_.Append({clock_.Now(), user, "login", "", user, "refused", why});
  return ErrorResponse(401, "wrong user name or password");
}

HttpResponse SessionHandlers::Login(const HttpRequest& request) {
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxLoginBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  Result<std::string> user = body->Root().GetString("username", 64);
  Result<std::string> password = body->Root().GetString("password", crypto::kMaxPasswordBytes);
  if (!user.ok() || !password.ok()) {
    return ErrorResponse(400, (user.ok() ? password.status() : user.status()).message() +
                                  R"(; send {"username": "...", "password": "..."})");
  }
  if (!ValidateUsername(*user).ok()) {
    return ErrorResponse(401, "wrong user name or password");
  }
  Result<std::int64_t> failures = store_.LoginFailures(*user);
  if (!failures.ok()) {
    return StoreFailure(failures.status());
  }
  if (*failures >= settings_.max_failures) {
    metrics::Inc("ui.logins_throttled");
    audit_.Append({clock_.Now(), *user, "login", "", *user, "throttled", "too many failed logins"});
    return ErrorResponse(429, "too many failed logins for " + *user + "; try again in " +
                                  std::to_string(settings_.failure_window_ms / 60'000) +
                                  " minutes");
  }
  Result<std::optional<UserRecord>> record = store_.GetUser(*user);
  if (!record.ok() && record.status().IsUnavailable()) {
    return StoreFailure(record.status());
  }
  if (!record.ok() || !*record) {
    (void)crypto::VerifyPassword(*password, dummy_hash_);
    return RefuseLogin(*user, record.ok() ? "no such user" : record.status().message(), true);
  }
  Result<bool> match = crypto::VerifyPassword(*password, (*record)->password_hash);
  if (!match.ok() || !*match) {
    return RefuseLogin(*user, match.ok() ? "wrong password" : match.status().message(), true);
  }
  Result<std::string> secret = NewSecret();
  Result<std::string> csrf = NewSecret();
  if (!secret.ok() || !csrf.ok()) {
    return ErrorResponse(500, "cannot make a session: " + secret.status().message());
  }
  const AuthSettings& limits = auth_.settings();
  SessionRecord session;
  session.id = SecretId(*secret);
  session.user = *user;
  session.csrf_token = *csrf;
  session.created = clock_.Now();
  session.expires = session.created + limits.session_max_ms;
  Status stored = store_.CreateSession(session, limits.session_idle_ms);
  if (!stored.ok()) {
    return StoreFailure(stored);
  }
  store_.ClearLoginFailures(*user);
  metrics::Inc("ui.logins");
  audit_.Append({clock_.Now(), *user, "login", "", *user, "ok",
                 "role " + std::string(RoleName((*record)->role))});
  HttpResponse r =
      JsonResponse(200, SessionJson(Authenticator::SessionCaller(session, (*record)->role)));
  r.headers.emplace_back(
      "Set-Cookie", SessionCookie(*secret, limits.session_max_ms / 1000, SecureCookies(request)));
  return r;
}

HttpResponse SessionHandlers::Logout(const HttpRequest& request, const Caller& caller) {
  if (caller.kind != CallerKind::kSession) {
    return ErrorResponse(400, "an API token has no session to end; delete the token instead");
  }
  Status ended = store_.DeleteSession(caller.session_id, caller.user);
  if (!ended.ok()) {
    return StoreFailure(ended);
  }
  audit_.Append({clock_.Now(), caller.actor, "logout", "", caller.user, "ok", ""});
  HttpResponse r = JsonResponse(200, R"({"status":"logged out"})");
  r.headers.emplace_back("Set-Cookie", ClearedSessionCookie(SecureCookies(request)));
  return r;
}

HttpResponse SessionHandlers::Session(const HttpRequest&, const Caller& caller) {
  return JsonResponse(200, SessionJson(caller));
}

HttpResponse SessionHandlers::ChangeOwnPassword(const HttpRequest& request, const Caller& caller) {
  if (caller.kind != CallerKind::kSession) {
    return ErrorResponse(400, "an API token has no password");
  }
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxLoginBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  Result<std::string> current =
      body->Root().GetString("currentPassword", crypto::kMaxPasswordBytes);
  Result<std::string> next = body->Root().GetString("newPassword", crypto::kMaxPasswordBytes);
  if (!current.ok() || !next.ok()) {
    return ErrorResponse(400, (current.ok() ? next.status() : current.status()).message());
  }
  Status valid = ValidateNewPassword(*next);
  if (!valid.ok()) {
    return ErrorResponse(400, valid.message());
  }
  Result<std::optional<UserRecord>> record = store_.GetUser(caller.user);
  if (!record.ok()) {
    return StoreFailure(record.status());
  }
  if (!*record) {
    return ErrorResponse(404, "no user " + caller.user);
  }
  Result<bool> match = crypto::VerifyPassword(*current, (*record)->password_hash);
  if (!match.ok() || !*match) {
    audit_.Append({clock_.Now(), caller.actor, "password-change", "", caller.user, "refused",
                   "wrong current password"});
    return ErrorResponse(403, "the current password is wrong");
  }
  Result<std::string> hash = crypto::HashPassword(*next, settings_.cost);
  if (!hash.ok()) {
    return ErrorResponse(500, hash.status().message());
  }
  Result<bool> changed = store_.UpdateUser(caller.user, std::nullopt, *hash);
  if (!changed.ok()) {
    return StoreFailure(changed.status());
  }
  // Whoever else was logged in with the old password is logged out.
  Status ended = store_.EndSessionsOf(caller.user, caller.session_id);
  audit_.Append({clock_.Now(), caller.actor, "password-change", "", caller.user, "ok",
                 ended.ok() ? "other sessions ended" : ended.message()});
  return JsonResponse(200, R"({"status":"password changed"})");
}

}  // namespace gps::ui
