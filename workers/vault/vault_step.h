#pragma once
// VaultStep: the StepHandler of gps-worker-vault (step "vault").
//   provision: a device certificate from the Vault PKI role. With a CSR in the job it is signed
//              (the private key never leaves the device); without one Vault issues key and
//              certificate, and the private key goes to the device sealed to its transport key.
//              Before answering, the certificate is checked to certify that key.
//   check_name, revoke: not vault actions in this version; answered as a permanent error.
// Vault issue/sign is not idempotent: each success mints a certificate with a new serial, so a
// retried attempt leaves the earlier one orphaned (revoking those comes in a later issue).
// The private key is never logged.
//
// The Interpret*/Check* functions are the step's decisions as pure functions, exposed for the
// unit tests; the actions only string them together with the client's calls.
// Thread-safety: Handle() may run on several threads at once (the client is thread-safe and the
// step keeps no mutable state). Lifetime: the client must outlive the step.

#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "gps/worker/action_step.h"
#include "workers/vault/vault_client.h"

namespace gps::worker::vault {

// The certificate from an issue or sign answer, or how the call failed.
struct CertificateAnswer {
  Outcome outcome;
  IssuedCertificate certificate;  // set when outcome.ok()
};
// 200: the parsed data (an unreadable one is permanent). 412 (Vault Enterprise's eventual
// consistency) is retryable; everything else goes through http::Classify, which reads Vault's
// {"errors":[...]} into the error text.
CertificateAnswer InterpretCertificate(const Result<http::Response>& response,
                                       std::string_view what, Instant now);

// Ok when the certificate certifies the key that will use it: the CSR's key in sign mode
// (csr_key not null), otherwise the private key Vault returned (which must then be there).
Status CheckCertificateKey(const IssuedCertificate& certificate, const crypto::PublicKey* csr_key);

class VaultStep final : public ActionStep {
 public:
  explicit VaultStep(const VaultClient& client)
      : ActionStep(protocol::Step::kVault), client_(client) {}

 private:
  // Names are Mender's and DPS's business; a check_name job here is a routing error.
  protocol::JobResult CheckName(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const override;

  const VaultClient& client_;
};

}  // namespace gps::worker::vault
