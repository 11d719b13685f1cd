#include "cloudsim/vault/vault_tokens.h"

#include "cloudsim/vault/duration.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim {

namespace {

std::string RandomHex(std::size_t bytes) {
  return crypto::HexEncode(crypto::RandomBytes(bytes).value_or(std::string(bytes, '\0')));
}

}  // namespace

std::int64_t RenewedExpiry(const VaultToken& token, std::int64_t increment_s,
                           std::int64_t default_ttl_s, std::int64_t now_s,
                           std::vector<std::string>* warnings) {
  const std::int64_t ttl = increment_s > 0 ? increment_s : default_ttl_s;
  const std::int64_t left = token.max_expire - now_s;
  if (ttl > left) {
    warnings->push_back("TTL of \"" + vault::GoDurationString(ttl) +
                        "\" exceeded the effective max_ttl of \"" + vault::GoDurationString(left) +
                        "\"; TTL value is capped accordingly");
    return token.max_expire;
  }
  return now_s + ttl;
}

VaultTokens::VaultTokens(AppRoleConfig config) : config_(std::move(config)) {}

Result<TokenAnswer> VaultTokens::Login(std::string_view role_id, std::string_view secret_id,
                                       Instant now) {
  if (role_id.empty()) {
    return Status::InvalidArgument("missing role_id");
  }
  if (secret_id.empty()) {
    return Status::InvalidArgument("missing secret_id");
  }
  // Vault answers a wrong role_id and a wrong secret_id alike, so neither can be probed alone.
  if (!crypto::ConstantTimeEquals(role_id, config_.role_id) ||
      !crypto::ConstantTimeEquals(secret_id, config_.secret_id)) {
    return Status::InvalidArgument("invalid role or secret ID");
  }
  const std::int64_t now_s = now.ms / 1000;
  TokenAnswer answer;
  VaultToken& t = answer.token;
  t.id = "hvs." + RandomHex(24);
  t.accessor = RandomHex(12);
  t.issue_time = now_s;
  t.max_expire = now_s + config_.token_max_ttl_s;
  t.expire_time = RenewedExpiry(t, 0, config_.token_ttl_s, now_s, &answer.warnings);
  t.creation_ttl = t.expire_time - now_s;
  answer.ttl_s = t.creation_ttl;
  std::lock_guard<std::mutex> lock(mu_);
  // Forget expired tokens here, so a long run does not keep every token ever issued.
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.expire_time <= now_s; });
  tokens_[t.id] = t;
  return answer;
}

std::optional<VaultToken> VaultTokens::Find(std::string_view id, Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end()) {
    return std::nullopt;
  }
  if (it->second.expire_time <= now.ms / 1000) {
    tokens_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

Result<TokenAnswer> VaultTokens::Renew(std::string_view id, std::int64_t increment_s, Instant now) {
  const std::int64_t now_s = now.ms / 1000;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end() || it->second.expire_time <= now_s) {
    if (it != tokens_.end()) {
      tokens_.erase(it);
    }
    return Status::NotFound("unknown or expired token");
  }
  TokenAnswer answer;
  VaultToken& t = it->second;
  t.expire_time = RenewedExpiry(t, increment_s, config_.token_ttl_s, now_s, &answer.warnings);
  t.last_renewal = now_s;
  answer.token = t;
  answer.ttl_s = t.expire_time - now_s;
  return answer;
}

}  // namespace gps::cloudsim
