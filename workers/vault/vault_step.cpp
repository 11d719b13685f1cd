#include "workers/vault/vault_step.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/x509.h"
#include "gps/http/outcome.h"
#include "gps/http/parse_answer.h"
#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/step_results.h"
#include "gps/worker/runtime.h"

namespace gps::worker::vault {

namespace {

// Tries of one call (list, read, revoke) within an attempt before the attempt gives up on it.
constexpr int kQuickTries = 3;
constexpr Millis kQuickRetryBaseMs = 100;
// Time a provision keeps for its issue (or sign) request after reading certificates.
constexpr Millis kIssueReserveMs = 5000;

// Vault Enterprise's "this node has not caught up yet": another try succeeds.
std::optional<Outcome> PreconditionFailed(const Result<http::Response>& response,
                                          std::string_view what) {
  if (response.ok() && response->status == 412) {
    metrics::Inc("worker.vault.precondition_failed");
    return Outcome::Retryable(std::string(what) + ": HTTP 412: " + http::ErrorText(*response));
  }
  return std::nullopt;
}

// Vault's answer to a LIST with no results: 404 {"errors":[]}.
bool IsEmptyList(const Result<http::Response>& response) {
  if (!response.ok() || response->status != 404) {
    return false;
  }
  Result<json::Document> doc = json::ParseObject(response->body, 4096, "vault list answer");
  if (!doc.ok()) {
    return false;
  }
  Result<std::vector<json::Value>> errors = doc->Root().GetArray("errors");
  return errors.ok() && errors->empty();
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ",") + item;
  }
  return out;
}

}  // namespace

CertificateAnswer InterpretCertificate(const Result<http::Response>& response,
                                       std::string_view what, Instant now) {
  // Statuses special to Vault before the shared mapping, which would make 412 permanent.
  if (std::optional<Outcome> retry = PreconditionFailed(response, what)) {
    return {std::move(*retry), {}};
  }
  CertificateAnswer answer;
  answer.outcome =
      http::ParseAnswer(response, what, now, ParseCertificateAnswer, &answer.certificate);
  return answer;
}

Status CheckModeFitsJob(VaultMode mode, bool job_has_csr) {
  if (mode == VaultMode::kSign && !job_has_csr) {
    return Status::FailedPrecondition(
        "GPS_VAULT_MODE=sign needs a CSR in the gateway's announce, and this gateway sent none: "
        "set GPS_CLIENT_CERT_MODE=csr on the gateway, or GPS_VAULT_MODE=issue on this worker");
  }
  if (mode == VaultMode::kIssue && job_has_csr) {
    return Status::FailedPrecondition(
        "the gateway sent a CSR (GPS_CLIENT_CERT_MODE=csr): it keeps its own key and takes only "
        "a certificate for that key, but GPS_VAULT_MODE=issue would have Vault make a new one; "
        "set GPS_VAULT_MODE=sign on this worker, or GPS_CLIENT_CERT_MODE=vault-key on the gateway");
  }
  return Status::Ok();
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

bool BelongsTo(const StoredCertificate& certificate, const DeviceCertificates& device) {
  if (!device.common_name.empty() &&
      EqualsIgnoreCase(certificate.common_name, device.common_name)) {
    return true;
  }
  return !device.csr_key_sha256.empty() && certificate.key_sha256 == device.csr_key_sha256;
}

bool ShouldRevoke(const StoredCertificate& certificate, const DeviceCertificates& device,
                  Instant now) {
  return !certificate.revoked && certificate.not_after > now.ms / 1000 &&
         BelongsTo(certificate, device);
}

bool MayFollowEarlierCertificates(const protocol::JobId& id) {
  return id.attempt > 1 || id.generation > 1;
}

Result<std::string> SerialFromFacts(std::string_view facts_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(facts_json, protocol::kMaxJobBytes, "job.facts"));
  GPS_ASSIGN_OR_RETURN(std::string serial, doc.Root().GetStringOr("serial", "", 128));
  if (serial.empty()) {
    return serial;
  }
  if (!IsSerial(serial)) {
    return Status::InvalidArgument("job.facts.serial: '" + serial +
                                   "' is not a serial like 39:dd:2e");
  }
  return NormalizeSerial(serial);
}

ListAnswer InterpretList(const Result<http::Response>& response, std::string_view what,
                         Instant now) {
  if (std::optional<Outcome> retry = PreconditionFailed(response, what)) {
    return {std::move(*retry), {}};
  }
  // An empty list is 404 {"errors":[]}; an unknown path is 404 with a message.
  if (IsEmptyList(response)) {
    return {Outcome::Ok(), {}};
  }
  ListAnswer answer;
  answer.outcome = http::ParseAnswer(response, what, now, ParseSerialList, &answer.serials);
  return answer;
}

ReadAnswer InterpretRead(const Result<http::Response>& response, std::string_view what,
                         Instant now) {
  if (std::optional<Outcome> retry = PreconditionFailed(response, what)) {
    return {std::move(*retry), std::nullopt, ""};
  }
  if (response.ok() && response->status == 404) {
    return {Outcome::Ok(), std::nullopt, ""};
  }
  Outcome outcome = http::Classify(response, what, now);
  if (!outcome.ok()) {
    return {std::move(outcome), std::nullopt, ""};
  }
  Result<StoredCertificate> certificate = ParseStoredCertificate(response->body);
  if (!certificate.ok()) {
    return {Outcome::Ok(), std::nullopt, certificate.status().message()};
  }
  return {Outcome::Ok(), std::move(certificate).value(), ""};
}

RevokeAnswer InterpretRevoke(const Result<http::Response>& response, std::string_view what,
                             Instant now) {
  if (std::optional<Outcome> retry = PreconditionFailed(response, what)) {
    return {std::move(*retry), false, {}};
  }
  if (response.ok() && response->status == 400) {
    // Vault's revokeCert: "certificate with serial <s> not found". Nothing to revoke is what a
    // revoke wants: the certificate cannot be used (it never existed in this mount, or a tidy
    // removed it after it expired). Older Vault versions answered a repeated or late revoke
    // with 400 "already revoked" / "already expired" rather than 200.
    const std::string error = ToLower(http::ErrorText(*response));
    if (error.find("not found") != std::string::npos) {
      return {Outcome::Ok(), true, {}};
    }
    if (error.find("already revoked") != std::string::npos ||
        error.find("already expired") != std::string::npos) {
      return {Outcome::Ok(), false, {}};
    }
  }
  RevokeAnswer answer;
  answer.outcome = http::ParseAnswer(response, what, now, ParseWarnings, &answer.warnings);
  return answer;
}

Millis QuickRetryDelay(int failed_tries, Millis retry_after_ms) {
  const int shift = std::clamp(failed_tries - 1, 0, 10);
  return std::max(kQuickRetryBaseMs << shift, retry_after_ms);
}

VaultStep::VaultStep(const VaultClient& client, Sleep sleep)
    : ActionStep(protocol::Step::kVault),
      client_(client),
      sleep_(sleep ? std::move(sleep)
                   : [](Millis ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }),
      cache_(static_cast<std::size_t>(std::max(client.settings().cert_cache_entries, 0))) {}

template <typename Answer, typename Call>
Answer VaultStep::WithQuickRetries(Call call, Instant deadline) const {
  for (int tries = 1;; ++tries) {
    Answer answer = call();
    if (!answer.outcome.retryable() || tries >= kQuickTries) {
      return answer;
    }
    const Millis delay = QuickRetryDelay(tries, answer.outcome.retry_after_ms);
    if (client_.Now() + delay >= deadline) {
      return answer;
    }
    metrics::Inc("worker.vault.quick_retries");
    sleep_(delay);
  }
}

protocol::JobResult VaultStep::CheckName(const protocol::Job&, Instant) const {
  return Failed(Outcome::Permanent("vault: check_name is not a vault action"));
}

Outcome VaultStep::RevokeSerial(const std::string& serial, const std::string& what,
                                Instant deadline, bool* revoked) const {
  *revoked = false;
  const std::string call = what + ": revoke " + serial;
  RevokeAnswer answer = WithQuickRetries<RevokeAnswer>(
      [&] { return InterpretRevoke(client_.Revoke(serial, deadline), call, client_.Now()); },
      deadline);
  if (!answer.outcome.ok()) {
    return std::move(answer.outcome);
  }
  for (const std::string& warning : answer.warnings) {
    metrics::Inc("worker.vault.warnings");
    log::Warn("vault warning", {{"serial", serial}, {"warning", warning}});
  }
  cache_.MarkRevoked(serial);
  *revoked = !answer.unknown;
  return Outcome::Ok();
}

VaultStep::Sweep VaultStep::RevokeDeviceCertificates(const DeviceCertificates& device,
                                                     const std::string& what, Instant stop_reading,
                                                     Instant deadline) const {
  Sweep sweep;
  ListAnswer list = WithQuickRetries<ListAnswer>(
      [&] {
        return InterpretList(client_.ListCertificates(deadline), what + ": list certificates",
                             client_.Now());
      },
      deadline);
  if (!list.outcome.ok()) {
    sweep.outcome = std::move(list.outcome);
    return sweep;
  }
  std::vector<std::string> to_revoke;
  std::size_t read = 0;
  for (const std::string& serial : list.serials) {
    std::optional<StoredCertificate> certificate = cache_.Find(serial);
    if (!certificate) {
      if (client_.Now() >= stop_reading) {
        metrics::Inc("worker.vault.sweep_out_of_time");
        sweep.outcome = Outcome::Retryable(
            what + ": out of time reading the mount's certificates (" + std::to_string(read) +
            " read, " + std::to_string(list.serials.size()) +
            " listed; those read are remembered for the next attempt)");
        return sweep;
      }
      const std::string call = what + ": read certificate " + serial;
      ReadAnswer answer = WithQuickRetries<ReadAnswer>(
          [&] {
            return InterpretRead(client_.ReadCertificate(serial, deadline), call, client_.Now());
          },
          deadline);
      ++read;
      metrics::Inc("worker.vault.certificates_read");
      if (!answer.outcome.ok()) {
        sweep.outcome = std::move(answer.outcome);
        return sweep;
      }
      if (!answer.unreadable.empty()) {
        metrics::Inc("worker.vault.certificates_unreadable");
        log::Warn("vault certificate unreadable; left alone",
                  {{"serial", serial}, {"err", answer.unreadable}});
      }
      if (!answer.certificate) {
        continue;
      }
      cache_.Put(serial, *answer.certificate, client_.Now());
      certificate = std::move(answer.certificate);
    }
    if (ShouldRevoke(*certificate, device, client_.Now())) {
      to_revoke.push_back(serial);
    }
  }
  for (const std::string& serial : to_revoke) {
    bool revoked = false;
    Outcome outcome = RevokeSerial(serial, what, deadline, &revoked);
    if (!outcome.ok()) {
      sweep.outcome = std::move(outcome);
      return sweep;
    }
    if (revoked) {
      metrics::Inc("worker.vault.superseded_revoked");
      sweep.revoked.push_back(serial);
    }
  }
  sweep.outcome = Outcome::Ok();
  return sweep;
}

protocol::JobResult VaultStep::Provision(const protocol::Job& job, Instant deadline) const {
  const VaultMode mode = client_.settings().vault_mode;
  const bool sign_mode = mode == VaultMode::kSign;
  const std::string what =
      std::string(sign_mode ? "vault: sign certificate " : "vault: issue certificate ") + job.name;
  if (job.name.empty()) {
    return Failed(Outcome::Permanent(what + ": the job carries no name"));
  }
  if (Status fits = CheckModeFitsJob(mode, !job.csr_pem.empty()); !fits.ok()) {
    metrics::Inc("worker.vault.mode_mismatch");
    return Failed(Outcome::Permanent(what + ": " + fits.message()));
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
  if (MayFollowEarlierCertificates(job.id)) {
    DeviceCertificates device{common_name, csr_key ? crypto::Sha256(csr_key->spki_der()) : ""};
    // Time kept for the issue request: a request's timeout at most, and never more than half of
    // what the lease has left (a short lease must still leave time to read).
    const Millis reserve =
        std::min({client_.settings().timeout_ms, kIssueReserveMs, (deadline - client_.Now()) / 2});
    Sweep sweep = RevokeDeviceCertificates(device, what + " (earlier certificates)",
                                           Instant{deadline.ms - reserve}, deadline);
    if (!sweep.outcome.ok()) {
      // Nothing was issued: the next attempt starts over (with what was read remembered).
      return Failed(std::move(sweep.outcome));
    }
    log::Info("vault superseded certificates revoked",
              {{"device_id", job.id.device_id},
               {"attempt", job.id.attempt},
               {"generation", job.id.generation},
               {"count", static_cast<std::int64_t>(sweep.revoked.size())},
               {"serials", Join(sweep.revoked)}});
  }
  CertificateAnswer answer =
      InterpretCertificate(sign_mode ? client_.Sign(common_name, job.csr_pem, deadline)
                                     : client_.Issue(common_name, deadline),
                           what, client_.Now());
  if (!answer.outcome.ok()) {
    return Failed(std::move(answer.outcome));
  }
  const IssuedCertificate& certificate = answer.certificate;
  // A certificate with this serial now exists whatever happens next. If this answer is lost, the
  // next attempt's sweep revokes it; this log line is the trail until then.
  log::Info("vault certificate made", {{"device_id", job.id.device_id},
                                       {"serial", certificate.serial},
                                       {"mode", sign_mode ? "sign" : "issue"},
                                       {"attempt", job.id.attempt},
                                       {"expiration", certificate.expiration}});
  for (const std::string& warning : certificate.warnings) {
    metrics::Inc("worker.vault.warnings");
    log::Warn("vault warning", {{"device_id", job.id.device_id}, {"warning", warning}});
  }
  // A certificate that will not be delivered is revoked now rather than left live.
  auto undeliverable = [&](std::string reason) {
    bool revoked = false;
    Outcome revoke = RevokeSerial(NormalizeSerial(certificate.serial), what, deadline, &revoked);
    if (!revoke.ok()) {
      log::Warn(
          "vault undelivered certificate not revoked; the next attempt's sweep will",
          {{"device_id", job.id.device_id}, {"serial", certificate.serial}, {"err", revoke.error}});
    }
    return Failed(Outcome::Permanent(what + ": " + reason));
  };
  Status matches = CheckCertificateKey(certificate, csr_key ? &*csr_key : nullptr);
  if (!matches.ok()) {
    metrics::Inc("worker.vault.key_mismatch");
    return undeliverable(matches.message());
  }
  protocol::VaultProvisionResult result;
  result.certificate_pem = certificate.certificate_pem;
  result.ca_chain_pem = certificate.ca_chain_pem;
  result.serial = certificate.serial;
  result.expiration = certificate.expiration;
  if (!sign_mode) {
    Result<std::string> sealed = SealForDevice(job, "privateKey", certificate.private_key_pem);
    if (!sealed.ok()) {
      return undeliverable("sealing the key to the device: " + sealed.status().message());
    }
    result.sealed_private_key = std::move(sealed).value();
  }
  return protocol::JobResult{Outcome::Ok(), protocol::EncodeVaultProvision(result)};
}

protocol::JobResult VaultStep::Revoke(const protocol::Job& job, Instant deadline) const {
  const std::string what =
      "vault: revoke certificates of " + (job.name.empty() ? job.id.device_id : job.name);
  Result<std::string> serial = SerialFromFacts(job.facts_json);
  if (!serial.ok()) {
    return Failed(Outcome::Permanent(what + ": " + serial.status().message()));
  }
  if (serial->empty() && job.name.empty()) {
    return Failed(
        Outcome::Permanent(what + ": the job names no serial (facts.serial) and no name"));
  }
  std::vector<std::string> revoked;
  if (!serial->empty()) {
    bool done = false;
    Outcome outcome = RevokeSerial(*serial, what, deadline, &done);
    if (!outcome.ok()) {
      return Failed(std::move(outcome));
    }
    if (done) {
      revoked.push_back(*serial);
    }
  }
  if (!job.name.empty()) {
    // Certificates of attempts whose answers were lost, which the engine never heard of.
    std::string csr_key_sha256;
    if (!job.csr_pem.empty()) {
      if (Result<crypto::PublicKey> key = CsrPublicKey(job.csr_pem); key.ok()) {
        csr_key_sha256 = crypto::Sha256(key->spki_der());
      }
    }
    Sweep sweep = RevokeDeviceCertificates(
        {CommonNameFor(client_.settings(), job.name), csr_key_sha256}, what, deadline, deadline);
    if (!sweep.outcome.ok()) {
      return Failed(std::move(sweep.outcome));
    }
    revoked.insert(revoked.end(), sweep.revoked.begin(), sweep.revoked.end());
  }
  log::Info("vault certificates revoked", {{"device_id", job.id.device_id},
                                           {"count", static_cast<std::int64_t>(revoked.size())},
                                           {"serials", Join(revoked)}});
  return protocol::JobResult{Outcome::Ok(), "{}"};
}

}  // namespace gps::worker::vault
