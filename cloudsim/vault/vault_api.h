#pragma once
// VaultApi: HashiCorp Vault's PKI secrets engine as gps-worker-vault uses it — issue (Vault makes
// the key pair), sign (a CSR; the key stays with the caller), revoke and the list of stored
// certificates (LIST certs, or GET certs?list=true) — for one mount and one role, plus the
// unauthenticated reads ca/pem, ca_chain, cert/{serial} and sys/health; and the token side:
// AppRole login (auth/{mount}/login), auth/token/renew-self and auth/token/lookup-self, with
// token TTLs and a max TTL (VaultTokens). Errors use Vault's {"errors":[...]} body; a missing,
// wrong or expired token is 403 "permission denied", an unknown path 404.
//
// Thread-safe: keys are generated and certificates signed outside the state lock; only the
// certificate record is written inside one Locked() step. Tokens have their own lock.
// Lifetime: state, clock and ca must outlive the VaultApi.

#include <string>

#include "cloudsim/ca/ca.h"
#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "cloudsim/vault/role.h"
#include "cloudsim/vault/vault_tokens.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

struct VaultConfig {
  std::string token;  // a root-like token: no TTL, not renewable
  std::string mount = "pki";
  vault::VaultRole role;
  AppRoleConfig approle;  // the one AppRole login accepted, and its tokens' TTLs
};

class VaultApi final : public Service {
 public:
  VaultApi(VaultConfig config, SimState* state, const Clock* clock,
           const ca::CertificateAuthority* ca);

  std::string_view Name() const override { return "vault"; }
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  ApiResponse IssueOrSign(const ApiRequest& request, const std::string& role, bool sign);
  ApiResponse Revoke(const ApiRequest& request);
  ApiResponse ListCertificates();
  ApiResponse ReadCertificate(const std::string& serial);
  ApiResponse Login(const ApiRequest& request);
  ApiResponse RenewSelf(const ApiRequest& request, const std::string& token);
  ApiResponse LookupSelf(const std::string& token);
  // Whether the request's path below /v1/ is auth/{approle mount}/login.
  bool IsLoginPath(const std::vector<std::string>& segments) const;

  VaultConfig config_;
  SimState* state_;
  const Clock* clock_;
  const ca::CertificateAuthority* ca_;
  VaultTokens tokens_;
};

namespace vault {
// "39:DD-2e" -> "39:dd:2e": Vault accepts colon- or hyphen-separated hex in either case.
std::string NormalizeSerial(std::string_view serial);
}  // namespace vault

}  // namespace gps::cloudsim
