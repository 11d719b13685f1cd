#include "workers/vault/vault_auth.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "gps/config/config.h"
#include "gps/core/text.h"
#include "gps/http/deadline_send.h"
#include "gps/http/outcome.h"
#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "workers/vault/vault_client.h"

namespace gps::worker::vault {

namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kMaxTokenFileBytes = 64 * 1024;
constexpr Millis kMaxExpiryMarginMs = 10000;
constexpr Millis kRenewRetryMs = 5000;

std::string LoginPath(const VaultSettings& s) { return "auth/" + s.approle_mount + "/login"; }

Result<FileStamp> Stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::Unavailable("stat " + path + ": " + std::strerror(errno));
  }
  return FileStamp{st.st_dev, st.st_ino, st.st_size,
                   std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
}

CurrentToken Instead(Result<http::Response> answer) {
  CurrentToken t;
  t.instead = std::move(answer);
  return t;
}

}  // namespace

http::Request LoginRequest(const VaultSettings& s) {
  http::Request r = VaultRequest(s, "POST", LoginPath(s));
  // Every login mints a token: a silent resend by libcurl would leave one nobody uses.
  r.idempotent = false;
  json::Writer w;
  w.BeginObject().Field("role_id", s.role_id).Field("secret_id", s.secret_id).EndObject();
  r.body = w.Take();
  return r;
}

http::Request RenewSelfRequest(const VaultSettings& s, std::string_view token) {
  http::Request r = WithToken(VaultRequest(s, "POST", "auth/token/renew-self"), token);
  r.body = "{}";
  return r;
}

Result<TokenGrant> ParseTokenGrant(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, kMaxAnswerBytes, "vault auth answer"));
  GPS_ASSIGN_OR_RETURN(json::Value auth, doc.Root().GetObject("auth"));
  TokenGrant grant;
  GPS_ASSIGN_OR_RETURN(grant.client_token, auth.GetString("client_token", kMaxTokenBytes));
  if (grant.client_token.empty() || HasControlCharacter(grant.client_token) ||
      grant.client_token.find(' ') != std::string::npos) {
    return Status::InvalidArgument("vault auth answer.auth.client_token: not a token");
  }
  GPS_ASSIGN_OR_RETURN(grant.lease_duration_s, auth.GetIntOr("lease_duration", 0));
  if (grant.lease_duration_s < 0) {
    return Status::InvalidArgument("vault auth answer.auth.lease_duration: negative");
  }
  GPS_ASSIGN_OR_RETURN(grant.renewable, auth.GetBoolOr("renewable", false));
  GPS_ASSIGN_OR_RETURN(grant.warnings, ParseWarnings(body));
  return grant;
}

http::Response LoginRefusal(const http::Response& login, std::string_view login_path) {
  http::Response r;
  r.status = login.status;
  r.headers = login.headers;
  json::Writer w;
  w.BeginObject().Key("errors").BeginArray();
  w.String(std::string(login_path) + ": " + http::ErrorText(login));
  w.EndArray().EndObject();
  r.body = w.Take();
  return r;
}

Instant RenewAt(const TokenLease& lease) { return lease.granted + lease.ttl_ms * 2 / 3; }

Instant UsableUntil(const TokenLease& lease) {
  return lease.granted + (lease.ttl_ms - std::min(lease.ttl_ms / 10, kMaxExpiryMarginMs));
}

TokenAction DecideTokenAction(const std::optional<TokenLease>& lease, Instant now) {
  if (!lease) {
    return TokenAction::kLogin;
  }
  if (lease->ttl_ms <= 0) {
    return TokenAction::kUse;
  }
  if (now >= UsableUntil(*lease)) {
    return TokenAction::kLogin;
  }
  if (now < RenewAt(*lease)) {
    return TokenAction::kUse;
  }
  if (!lease->renewable || lease->capped) {
    return TokenAction::kLogin;
  }
  return now < lease->retry_renew_at ? TokenAction::kUse : TokenAction::kRenew;
}

TokenLease LeaseFromLogin(TokenGrant grant, Instant now) {
  TokenLease lease;
  lease.token = std::move(grant.client_token);
  lease.granted = now;
  lease.ttl_ms = grant.lease_duration_s * 1000;
  lease.login_ttl_ms = lease.ttl_ms;
  lease.renewable = grant.renewable;
  return lease;
}

TokenLease LeaseFromRenewal(const TokenLease& before, TokenGrant grant, Instant now) {
  TokenLease lease = before;
  if (!grant.client_token.empty()) {
    lease.token = std::move(grant.client_token);
  }
  lease.granted = now;
  lease.ttl_ms = grant.lease_duration_s * 1000;
  lease.renewable = grant.renewable;
  lease.capped = lease.ttl_ms < before.login_ttl_ms;
  lease.retry_renew_at = Instant{};
  return lease;
}

TokenLease AfterFailedRenewal(TokenLease lease, Instant now) {
  lease.retry_renew_at = now + kRenewRetryMs;
  return lease;
}

Result<std::string> ParseTokenFile(std::string_view content) {
  std::string_view token = content;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) {
    token.remove_prefix(1);
  }
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.remove_suffix(1);
  }
  if (token.empty()) {
    return Status::InvalidArgument("holds no token");
  }
  if (token.size() > kMaxTokenBytes || HasControlCharacter(token) ||
      token.find(' ') != std::string_view::npos) {
    return Status::InvalidArgument("does not hold one token (" + std::to_string(content.size()) +
                                   " bytes)");
  }
  return std::string(token);
}

VaultAuth::VaultAuth(const VaultSettings& settings, const Clock& clock)
    // The configuration read the token file once at start: the fallback while it is unreadable.
    : settings_(settings), clock_(clock), file_token_(settings.token) {}

CurrentToken VaultAuth::Token(Instant deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (settings_.auth_method == VaultAuthMethod::kAppRole) {
    return RenewOrLogin(deadline);
  }
  if (!settings_.token_file.empty()) {
    return FromFile(/*force=*/false);
  }
  return CurrentToken{settings_.token, false, std::nullopt};
}

CurrentToken VaultAuth::Refresh(const std::string& used, Instant deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (settings_.auth_method == VaultAuthMethod::kAppRole) {
    if (lease_ && lease_->token != used) {
      return CurrentToken{lease_->token, true, std::nullopt};  // another thread logged in
    }
    lease_.reset();
    log::Info("vault token refused; logging in again", {{"mount", settings_.approle_mount}});
    return Login(deadline);
  }
  if (!settings_.token_file.empty()) {
    return FromFile(/*force=*/true);
  }
  return CurrentToken{settings_.token, false, std::nullopt};
}

CurrentToken VaultAuth::RenewOrLogin(Instant deadline) {
  const Instant now = clock_.Now();
  switch (DecideTokenAction(lease_, now)) {
    case TokenAction::kUse:
      return CurrentToken{lease_->token, false, std::nullopt};
    case TokenAction::kLogin:
      return Login(deadline);
    case TokenAction::kRenew:
      break;
  }
  Result<http::Response> response =
      http::SendBefore(RenewSelfRequest(settings_, lease_->token), deadline, clock_);
  Outcome outcome = http::Classify(response, "vault: renew token", clock_.Now());
  Result<TokenGrant> grant = outcome.ok() ? ParseTokenGrant(response->body)
                                          : Result<TokenGrant>(Status::Unavailable(outcome.error));
  if (grant.ok()) {
    metrics::Inc("worker.vault.token_renewals");
    for (const std::string& warning : grant->warnings) {
      log::Warn("vault warning", {{"call", "renew-self"}, {"warning", warning}});
    }
    lease_ = LeaseFromRenewal(*lease_, std::move(grant).value(), clock_.Now());
    log::Info("vault token renewed",
              {{"ttl_s", lease_->ttl_ms / 1000}, {"capped", lease_->capped ? "true" : "false"}});
    return CurrentToken{lease_->token, false, std::nullopt};
  }
  metrics::Inc("worker.vault.token_renewal_failed");
  if (outcome.permanent()) {
    // Refused (expired, revoked, not renewable after all): only a login gives a token now.
    log::Warn("vault token renewal refused; logging in again", {{"err", outcome.error}});
    lease_.reset();
    return Login(deadline);
  }
  log::Warn("vault token renewal failed; the token is still valid and renewal is tried again",
            {{"err", outcome.ok() ? grant.status().message() : outcome.error}});
  lease_ = AfterFailedRenewal(*lease_, clock_.Now());
  return CurrentToken{lease_->token, false, std::nullopt};
}

CurrentToken VaultAuth::Login(Instant deadline) {
  const std::string path = LoginPath(settings_);
  Result<http::Response> response = http::SendBefore(LoginRequest(settings_), deadline, clock_);
  metrics::Inc("worker.vault.logins");
  if (!response.ok()) {
    return Instead(response.status().WithContext(path));
  }
  if (response->status < 200 || response->status >= 300) {
    metrics::Inc("worker.vault.login_refused");
    log::Warn("vault login refused", {{"mount", settings_.approle_mount},
                                      {"status", response->status},
                                      {"err", http::ErrorText(*response)}});
    return Instead(LoginRefusal(*response, path));
  }
  Result<TokenGrant> grant = ParseTokenGrant(response->body);
  if (!grant.ok()) {
    return Instead(Status::Unavailable(path + ": unreadable answer: " + grant.status().message()));
  }
  for (const std::string& warning : grant->warnings) {
    log::Warn("vault warning", {{"call", "login"}, {"warning", warning}});
  }
  lease_ = LeaseFromLogin(std::move(grant).value(), clock_.Now());
  log::Info("vault login", {{"mount", settings_.approle_mount},
                            {"ttl_s", lease_->ttl_ms / 1000},
                            {"renewable", lease_->renewable ? "true" : "false"}});
  return CurrentToken{lease_->token, true, std::nullopt};
}

CurrentToken VaultAuth::FromFile(bool force) {
  const std::string& path = settings_.token_file;
  Result<FileStamp> stamp = Stamp(path);
  if (stamp.ok() && !force && file_stamp_ && *stamp == *file_stamp_) {
    return CurrentToken{file_token_, false, std::nullopt};
  }
  Result<std::string> token = Status::Unavailable("unread");
  if (!stamp.ok()) {
    token = stamp.status();
  } else if (Result<std::string> content = config::ReadFile(path, kMaxTokenFileBytes);
             content.ok()) {
    token = ParseTokenFile(*content);
  } else {
    token = content.status();
  }
  if (!token.ok()) {
    metrics::Inc("worker.vault.token_file_unreadable");
    if (!file_token_.empty()) {
      // An agent between writes, or a passing glitch: the last token read may still be good.
      log::Warn("vault token file unreadable; using the token read before",
                {{"path", path}, {"err", token.status().message()}});
      return CurrentToken{file_token_, false, std::nullopt};
    }
    return Instead(
        Status::Unavailable("GPS_VAULT_TOKEN_FILE " + path + ": " + token.status().message()));
  }
  const bool changed = *token != file_token_;
  file_stamp_ = *stamp;
  if (changed) {
    metrics::Inc("worker.vault.token_file_reads");
    if (!file_token_.empty()) {
      log::Info("vault token file changed; using its new token", {{"path", path}});
    }
    file_token_ = std::move(token).value();
  }
  return CurrentToken{file_token_, changed, std::nullopt};
}

}  // namespace gps::worker::vault
