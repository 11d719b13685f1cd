#pragma once
// VaultStep: the StepHandler of gps-worker-vault (step "vault").
//   provision: a device certificate from the Vault PKI role, as GPS_VAULT_MODE says. sign: the
//              CSR the gateway announced is signed (the private key never leaves the device); a
//              job without one is a permanent error. issue: Vault makes key and certificate, and
//              the private key goes to the device sealed to its transport key; a job with a CSR
//              is a permanent error (that gateway expects a certificate for its own key).
//              Before answering, the certificate is checked to certify that key.
//   revoke:    revokes the serial in the job's facts ({"serial": "39:dd:..."}, the serial of the
//              provision result), then every other live certificate of the device's name.
//   check_name: not a vault action; answered as a permanent error.
//
// Vault issue/sign is not idempotent: each success mints a certificate with a new serial. So a
// provision that may follow an earlier one of the same device (a retry, attempt > 1, or a later
// approval, generation > 1) first revokes the device's live certificates: those whose CN is the
// one this job issues (names are reserved per device by the engine, so such a certificate can
// only be an earlier attempt's whose answer was lost) or, in sign mode, that certify the CSR's
// key. It lists the mount's serials and reads each certificate it does not know yet (once per
// process: the CertificateCache); when that cannot finish in time, the attempt is retryable and
// nothing is issued. A certificate minted but not delivered (its key check or sealing failed) is
// revoked at once. The private key is never logged.
//
// The Interpret*/Check*/ShouldRevoke functions are the step's decisions as pure functions, exposed
// for the unit tests; the actions only string them together with the client's calls.
// Thread-safety: Handle() may run on several threads at once (the client and the cache are
// thread-safe). Lifetime: the client must outlive the step.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "gps/worker/action_step.h"
#include "workers/vault/certificate_cache.h"
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

// Ok when a provision job fits the worker's mode: sign needs the gateway's CSR, issue refuses
// one. Otherwise a FailedPrecondition naming the settings on both sides that would fix it.
Status CheckModeFitsJob(VaultMode mode, bool job_has_csr);

// Ok when the certificate certifies the key that will use it: the CSR's key in sign mode
// (csr_key not null), otherwise the private key Vault returned (which must then be there).
Status CheckCertificateKey(const IssuedCertificate& certificate, const crypto::PublicKey* csr_key);

// ---- finding and revoking a device's certificates ----

// Which stored certificates are a device's.
struct DeviceCertificates {
  std::string common_name;     // CommonNameFor(settings, name)
  std::string csr_key_sha256;  // sign mode: SHA-256 of the CSR's SubjectPublicKeyInfo; else empty
};
// The subject CN equals common_name (ASCII case-insensitive, as DNS names compare), or the
// certificate certifies the CSR's key.
bool BelongsTo(const StoredCertificate& certificate, const DeviceCertificates& device);
// A certificate to revoke: the device's, not revoked, and not expired at now (revoking an expired
// one changes nothing: Vault refuses to add it to the CRL).
bool ShouldRevoke(const StoredCertificate& certificate, const DeviceCertificates& device,
                  Instant now);
// True when a provision job may find certificates an earlier job of the device made: a retry of
// the step (attempt > 1) or a later approval (generation > 1).
bool MayFollowEarlierCertificates(const protocol::JobId& id);
// The serial a revoke job names: facts {"serial": "..."}, normalised; "" when there is none.
// A serial that is not colon- or hyphen-separated hex is refused.
Result<std::string> SerialFromFacts(std::string_view facts_json);

struct ListAnswer {
  Outcome outcome;
  std::vector<std::string> serials;  // when outcome.ok(); normalised
};
// 200: data.keys. 404 with no error message is Vault's empty list. 412 retryable; the rest as
// http::Classify (a 404 naming an error is an unknown mount: permanent).
ListAnswer InterpretList(const Result<http::Response>& response, std::string_view what,
                         Instant now);

struct ReadAnswer {
  Outcome outcome;
  std::optional<StoredCertificate> certificate;  // outcome.ok() and absent: nothing to read
  std::string unreadable;  // outcome.ok(), absent, and why the 200 could not be read
};
// 200: the certificate. 404: gone (a tidy removed it after the list). A 200 that does not parse is
// not an error of the step (one odd entry must not block every device): unreadable says why.
// 412 retryable; the rest as http::Classify.
ReadAnswer InterpretRead(const Result<http::Response>& response, std::string_view what,
                         Instant now);

struct RevokeAnswer {
  Outcome outcome;
  bool unknown = false;               // 400 "... not found": Vault has no such certificate
  std::vector<std::string> warnings;  // e.g. "... already expired; refusing to add to CRL"
};
// 200/204: revoked, now or earlier (Vault answers a repeated revoke with the first revocation
// time, and an expired certificate with a warning: both mean the certificate is no risk).
// 400 naming "not found", "already revoked" or "already expired": nothing (more) to revoke.
// 412 retryable; the rest as http::Classify.
RevokeAnswer InterpretRevoke(const Result<http::Response>& response, std::string_view what,
                             Instant now);

// The pause before quick retry number `failed_tries` + 1 of one call within an attempt:
// 100 ms doubling per try, at least what Retry-After asked for.
Millis QuickRetryDelay(int failed_tries, Millis retry_after_ms);

class VaultStep final : public ActionStep {
 public:
  // Pauses between quick retries; tests pass one that does not block.
  using Sleep = std::function<void(Millis)>;

  explicit VaultStep(const VaultClient& client, Sleep sleep = nullptr);

 private:
  // How a sweep over the mount's certificates ended, and which serials it revoked.
  struct Sweep {
    Outcome outcome;
    std::vector<std::string> revoked;
  };

  // Names are Mender's and DPS's business; a check_name job here is a routing error.
  protocol::JobResult CheckName(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Revoke(const protocol::Job& job, Instant deadline) const override;

  // Revokes every live certificate of device. Certificates not yet known are read only until
  // stop_reading (later: retryable, nothing issued); every request ends by deadline.
  Sweep RevokeDeviceCertificates(const DeviceCertificates& device, const std::string& what,
                                 Instant stop_reading, Instant deadline) const;
  // Revokes one serial (recording it in the cache). Ok when Vault has nothing left to revoke.
  Outcome RevokeSerial(const std::string& serial, const std::string& what, Instant deadline,
                       bool* revoked) const;
  // Calls call() until it is not retryable, kQuickTries times at most, pausing QuickRetryDelay
  // between tries, and never pausing past deadline.
  template <typename Answer, typename Call>
  Answer WithQuickRetries(Call call, Instant deadline) const;

  const VaultClient& client_;
  Sleep sleep_;
  // Thread-safe; mutable because the actions are const (it is a cache, not the step's state).
  mutable CertificateCache cache_;
};

}  // namespace gps::worker::vault
