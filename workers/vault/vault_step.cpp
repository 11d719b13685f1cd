#include "workers/vault/vault_step.h"

#include <optional>

#include "gps/crypto/x509.h"
#include "gps/http/outcome.h"
#include "gps/http/parse_answer.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/step_results.h"
#include "gps/worker/runtime.h"

namespace gps::worker::vault {

CertificateAnswer InterpretCertificate(const Result<http::Response>& response,
                                       std::string_view what, Instant now) {
  // Statuses special to Vault, before the shared mapping (which would make 412 permanent):
  // 412 is Vault Enterprise's "this node has not caught up yet"; another try succeeds.
  if (response.ok() && response->status == 412) {
    metrics::Inc("worker.vault.precondition_failed");
    return {Outcome::Retryable(std::string(what) + ": HTTP 412: " + http::ErrorText(*response)),
            {}};
  }
  CertificateAnswer answer;
  answer.outcome =
      http::ParseAnswer(response, what, now, ParseCertificateAnswer, &answer.certificate);
  return answer;
}

Status CheckCertificateKey(const IssuedCertificate& certificate, const crypto::PublicKey* csr_key) {
  GPS_ASSIGN_OR_RETURN(crypto::Certificate cert,
                       crypto::Certificate::FromPem(certificate.certificate_pem));
  if (csr_key) {
    return crypto::CertificateMatchesKey(cert, *csr_key)
        .WithContext("the certificate does not certify the CSR's key");
  }
  if (certificate.private_key_pem.empty()) {
    return Status::InvalidArgument("the answer carries no private_key");
  }
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                       crypto::PrivateKey::FromPem(certificate.private_key_pem));
  return crypto::CertificateMatchesKey(cert, key).WithContext(
      "the certificate does not certify the returned private key");
}

protocol::JobResult VaultStep::CheckName(const protocol::Job&, Instant) const {
  return Failed(Outcome::Permanent("vault: check_name is not a vault action"));
}

protocol::JobResult VaultStep::Provision(const protocol::Job& job, Instant deadline) const {
  const bool sign_mode = !job.csr_pem.empty();
  const std::string what =
      std::string(sign_mode ? "vault: sign certificate " : "vault: issue certificate ") + job.name;
  if (job.name.empty()) {
    return Failed(Outcome::Permanent(what + ": the job carries no name"));
  }
  std::optional<crypto::PublicKey> csr_key;
  if (sign_mode) {
    Result<crypto::PublicKey> key = CsrPublicKey(job.csr_pem);
    if (!key.ok()) {
      return Failed(Outcome::Permanent(what + ": " + key.status().message()));
    }
    csr_key = std::move(key).value();
  }
  const std::string common_name = CommonNameFor(client_.settings(), job.name);
  CertificateAnswer answer =
      InterpretCertificate(sign_mode ? client_.Sign(common_name, job.csr_pem, deadline)
                                     : client_.Issue(common_name, deadline),
                           what, client_.Now());
  if (!answer.outcome.ok()) {
    return Failed(std::move(answer.outcome));
  }
  const IssuedCertificate& certificate = answer.certificate;
  // A certificate with this serial now exists whatever happens next. This is where the serial
  // must be recorded (before answering) so that the certificates of attempts whose answers were
  // lost can be revoked; that record comes in a later issue. Until then this log line is the trail.
  log::Info("vault certificate made", {{"device_id", job.id.device_id},
                                       {"serial", certificate.serial},
                                       {"mode", sign_mode ? "sign" : "issue"},
                                       {"expiration", certificate.expiration}});
  for (const std::string& warning : certificate.warnings) {
    metrics::Inc("worker.vault.warnings");
    log::Warn("vault warning", {{"device_id", job.id.device_id}, {"warning", warning}});
  }
  Status matches = CheckCertificateKey(certificate, csr_key ? &*csr_key : nullptr);
  if (!matches.ok()) {
    metrics::Inc("worker.vault.key_mismatch");
    return Failed(Outcome::Permanent(what + ": " + matches.message()));
  }
  protocol::VaultProvisionResult result;
  result.certificate_pem = certificate.certificate_pem;
  result.ca_chain_pem = certificate.ca_chain_pem;
  result.serial = certificate.serial;
  result.expiration = certificate.expiration;
  if (!sign_mode) {
    Result<std::string> sealed = SealForDevice(job, "privateKey", certificate.private_key_pem);
    if (!sealed.ok()) {
      return Failed(Outcome::Permanent(
          what + ": sealing the key to the device: " + sealed.status().message()));
    }
    result.sealed_private_key = std::move(sealed).value();
  }
  return protocol::JobResult{Outcome::Ok(), protocol::EncodeVaultProvision(result)};
}

}  // namespace gps::worker::vault
