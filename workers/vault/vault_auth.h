#pragma once
// VaultAuth: the token gps-worker-vault sends with each Vault request
// (/work/shared/reference/cloud-apis.md 3.2), from one of three sources:
//   GPS_VAULT_TOKEN        used as given; never renewed (keeping it valid is the operator's).
//   GPS_VAULT_TOKEN_FILE   read again whenever the file changes (a Vault Agent sink is rewritten
//                          when the agent renews or logs in again), and after a 403.
//   GPS_VAULT_AUTH=approle POST /v1/auth/{mount}/login {role_id, secret_id}; the token is renewed
//                          (POST /v1/auth/token/renew-self) once 2/3 of its TTL have passed, and
//                          replaced by a new login when renewal is refused, when the max TTL caps
//                          it, when it is not renewable, or after a 403.
//
// Renewal is lazy: due dates are checked before each request, not on a background thread. An idle
// worker lets its token lapse and logs in on its next job (one extra round trip, and one use of a
// secret_id that may have num_uses set); in exchange there is no thread to own, stop and test, no
// Vault traffic while nothing happens, and a busy worker renews long before expiry anyway.
//
// The decisions (when to renew, when to log in again) are pure functions of a TokenLease and the
// time, exposed for the unit tests; VaultAuth only strings them together with the HTTP calls.
// Thread-safety: VaultAuth is thread-safe. One mutex is held across a login or renewal, so handler
// threads that need a token meanwhile wait for that one call instead of each logging in.
// Lifetime: the clock must outlive the VaultAuth. Tokens and the secret_id are never logged.

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/http/client.h"
#include "workers/vault/vault_settings.h"

namespace gps::worker::vault {

// ---- requests and answers ----

// POST /v1/auth/{approle mount}/login {"role_id","secret_id"}; no token.
http::Request LoginRequest(const VaultSettings& s);
// POST /v1/auth/token/renew-self {} with the token; Vault extends it by its default TTL.
http::Request RenewSelfRequest(const VaultSettings& s, std::string_view token);

// The auth block of a login or renew-self answer.
struct TokenGrant {
  std::string client_token;
  std::int64_t lease_duration_s = 0;  // 0: the token does not expire
  bool renewable = false;
  std::vector<std::string> warnings;  // e.g. the max TTL capped the renewal
};
Result<TokenGrant> ParseTokenGrant(std::string_view body);

// The answer a request stands for when no token could be had because Vault refused the login:
// the login's status and headers (so a 429's Retry-After still counts) and its error text, with
// the login path in front, as the body.
http::Response LoginRefusal(const http::Response& login, std::string_view login_path);

// ---- decisions ----

// A token obtained by a login, as of its latest login or renewal.
struct TokenLease {
  std::string token;
  Instant granted;          // when the latest login or renewal answered
  Millis ttl_ms = 0;        // what that answer granted; 0: no expiry
  Millis login_ttl_ms = 0;  // what the login granted
  bool renewable = false;
  bool capped = false;     // a renewal granted less than the login: the max TTL is near
  Instant retry_renew_at;  // after a renewal that failed on the way: not before this
};

enum class TokenAction {
  kUse,    // send with lease.token
  kRenew,  // renew-self first
  kLogin,  // log in first (no token, it is about to expire, or it cannot be renewed further)
};

// 2/3 of the TTL after the grant.
Instant RenewAt(const TokenLease& lease);
// The last moment a request may start with the token: a margin (a tenth of the TTL, 10 s at
// most) before expiry, so a request is not sent with a token that expires on the way.
Instant UsableUntil(const TokenLease& lease);
TokenAction DecideTokenAction(const std::optional<TokenLease>& lease, Instant now);

TokenLease LeaseFromLogin(TokenGrant grant, Instant now);
// A renewal granting less than the login did means the max TTL capped it: the next due date is
// a login, since another renewal could only grant less.
TokenLease LeaseFromRenewal(const TokenLease& before, TokenGrant grant, Instant now);
// A renewal that failed on the way (5xx, 429, no answer): the token stays in use until it is
// due for a login, and renewal is tried again a few seconds later.
TokenLease AfterFailedRenewal(TokenLease lease, Instant now);

// What identifies one version of a token file: a rewrite in place changes size or mtime, a
// rename (how Vault Agent writes its sink) changes the inode.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};
// The token a file holds: its content without surrounding blanks and newlines; one word.
Result<std::string> ParseTokenFile(std::string_view content);

// ---- the token holder ----

// The token to send with, or the answer a request gets instead when no token could be had.
struct CurrentToken {
  std::string token;
  // Obtained for this very request (a login, or a changed token file): a 403 then says nothing
  // about the token's age.
  bool fresh = false;
  // Set when there is no token: the login's refusal (LoginRefusal) or why it got no answer.
  std::optional<Result<http::Response>> instead;
};

class VaultAuth {
 public:
  VaultAuth(const VaultSettings& settings, const Clock& clock);
  VaultAuth(const VaultAuth&) = delete;
  VaultAuth& operator=(const VaultAuth&) = delete;

  // The token for a request to be sent now, after a login, a renewal or a read of the token file
  // when one is due. Calls to Vault end by deadline.
  CurrentToken Token(Instant deadline);
  // After Vault answered 403 to a request sent with `used`: another token when there can be one
  // (a new login, the token file read again, or what another thread already obtained); `used`
  // itself when there is none (a fixed token, or the file still holds it).
  CurrentToken Refresh(const std::string& used, Instant deadline);

 private:
  CurrentToken Login(Instant deadline);
  CurrentToken RenewOrLogin(Instant deadline);
  CurrentToken FromFile(bool force);

  const VaultSettings& settings_;
  const Clock& clock_;
  std::mutex mu_;
  std::optional<TokenLease> lease_;      // AppRole
  std::string file_token_;               // token file: the last token read
  std::optional<FileStamp> file_stamp_;  // token file: the version file_token_ came from
};

}  // namespace gps::worker::vault
