#pragma once
// VaultTokens: the tokens cloudsim's Vault hands out through the AppRole auth method, with Vault's
// TTL rules (/work/shared/reference/cloud-apis.md 3.2):
//   login       one configured role_id + secret_id; the token lives token_ttl, renewable.
//   renew-self  extends the token by the increment asked for (or token_ttl), never past
//               token_max_ttl after its login; a capped renewal carries Vault's warning.
//   expiry      a token past its TTL is gone: every use of it is 403 "permission denied".
// The static token of VaultConfig is not kept here; it never expires and is not renewable.
//
// Thread-safe (one mutex); time arrives with each call. Tokens are random and never logged.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"

namespace gps::cloudsim {

// The AppRole credentials cloudsim accepts when none are configured (cloudsim/README.md).
inline constexpr char kDemoVaultRoleId[] = "gps-demo-role-id";
inline constexpr char kDemoVaultSecretId[] = "gps-demo-secret-id";

struct AppRoleConfig {
  std::string mount = "approle";  // login is POST /v1/auth/{mount}/login
  std::string role_id = kDemoVaultRoleId;
  std::string secret_id = kDemoVaultSecretId;
  std::int64_t token_ttl_s = 1200;       // the role's token_ttl (the reference's sample answer)
  std::int64_t token_max_ttl_s = 14400;  // the role's token_max_ttl
  std::vector<std::string> policies = {"default", "gps-vault-worker"};
};

// One token as lookup-self shows it. Times are Unix seconds.
struct VaultToken {
  std::string id;
  std::string accessor;
  std::int64_t issue_time = 0;    // the login
  std::int64_t creation_ttl = 0;  // what the login granted
  std::int64_t expire_time = 0;   // the current expiry
  std::int64_t max_expire = 0;    // issue_time + token_max_ttl: no renewal goes past it
  std::int64_t last_renewal = 0;  // 0: never renewed
};

// A login or renewal's answer: the token and the warnings that go with it.
struct TokenAnswer {
  VaultToken token;
  std::int64_t ttl_s = 0;  // what this answer grants, from now
  std::vector<std::string> warnings;
};

// The expiry a renewal at now_s grants: now + (increment, or the role's TTL when 0), capped at
// max_expire; a warning in Vault's words when the cap applied. Pure.
std::int64_t RenewedExpiry(const VaultToken& token, std::int64_t increment_s,
                           std::int64_t default_ttl_s, std::int64_t now_s,
                           std::vector<std::string>* warnings);

class VaultTokens {
 public:
  explicit VaultTokens(AppRoleConfig config);

  const AppRoleConfig& config() const { return config_; }

  // POST auth/{mount}/login. InvalidArgument with Vault's message for missing or wrong ids.
  Result<TokenAnswer> Login(std::string_view role_id, std::string_view secret_id, Instant now);
  // The live token with this id; nullopt when unknown or expired (an expired one is forgotten).
  std::optional<VaultToken> Find(std::string_view id, Instant now);
  // POST auth/token/renew-self. NotFound when the token is unknown or expired.
  Result<TokenAnswer> Renew(std::string_view id, std::int64_t increment_s, Instant now);

 private:
  AppRoleConfig config_;
  std::mutex mu_;
  std::map<std::string, VaultToken, std::less<>> tokens_;
};

}  // namespace gps::cloudsim
