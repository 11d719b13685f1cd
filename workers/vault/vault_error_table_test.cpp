// The vault step against the whole simulator (cloudsim::SimHost) over real HTTP, in-process, one
// row per kind of answer Vault gives: success, the same job twice, a wrong token (403), a request
// the role refuses and an injected 400, 429 with Retry-After, 5xx; AppRole login, renewal before
// expiry, renewal capped by the max TTL, a new login after Vault stopped taking the token, a
// refused login; sign mode with a CSR, and the two jobs that do not fit the mode.
// Time is a clock the test moves (shared by the simulator and the worker, or split to make them
// disagree); nothing sleeps.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "cloudsim/faults/fault_config.h"
#include "cloudsim/server/sim_host.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/seal.h"
#include "gps/crypto/x509.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/step_results.h"
#include "workers/vault/vault_cloudsim_support.h"
#include "workers/vault/vault_step.h"

namespace gps::worker::vault {
namespace {

constexpr char kToken[] = "hvs.error-table-token";
constexpr char kRoleId[] = "role-error-table";
constexpr char kSecretId[] = "secret-error-table";
constexpr Millis kSecond = 1000;

// A clock the test moves while server threads read it.
class TestClock final : public Clock {
 public:
  TestClock() : ms_(SystemClock().Now().ms) {}
  Instant Now() const override { return Instant{ms_.load()}; }
  void Advance(Millis d) { ms_ += d; }

 private:
  std::atomic<Millis> ms_;
};

std::uint64_t Counter(std::string_view name) { return metrics::Get(name).Value(); }

class VaultErrorTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cloudsim::SimHost::Options options;
    options.vault.token = kToken;
    options.vault.mount = "pki";
    options.vault.role.name = "gps-device";
    options.vault.role.key_type = "ec";
    options.vault.role.key_bits = 256;
    options.vault.role.allowed_domains = {"devices.example.com"};
    options.vault.role.allow_subdomains = true;
    options.vault.role.ttl_s = 3600;
    options.vault.role.max_ttl_s = 24 * 3600;
    options.vault.approle.role_id = kRoleId;
    options.vault.approle.secret_id = kSecretId;
    options.vault.approle.token_ttl_s = 60;
    options.vault.approle.token_max_ttl_s = 150;
    Result<std::unique_ptr<cloudsim::SimHost>> host =
        cloudsim::SimHost::Start(std::move(options), &sim_clock_);
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    host_ = std::move(host).value();
    UseWorker(TokenSettings());
  }

  void TearDown() override {
    step_.reset();
    client_.reset();
    if (host_) {
      host_->Stop();
    }
  }

  VaultSettings TokenSettings(const std::string& token = kToken) {
    return testing::SimSettings(host_->ports().vault, token);
  }

  VaultSettings AppRoleSettings(const std::string& secret_id = kSecretId) {
    VaultSettings s = TokenSettings("");
    s.auth = "approle";
    s.role_id = kRoleId;
    s.secret_id = secret_id;
    return s;
  }

  // A new worker (client, token holder and step) with these settings.
  void UseWorker(VaultSettings s) {
    ASSERT_TRUE(ValidateVaultSettings(&s).ok()) << ValidateVaultSettings(&s).ToString();
    step_.reset();
    client_ = std::make_unique<VaultClient>(s, worker_clock_);
    step_ = std::make_unique<VaultStep>(*client_, [](Millis) {});
  }

  void SetVaultFaults(const std::string& json) {
    std::size_t vault = cloudsim::ServiceIndex("vault").value();
    Result<cloudsim::ServiceFaults> faults = cloudsim::ParseServiceFaults(vault, json);
    ASSERT_TRUE(faults.ok()) << faults.status().ToString();
    host_->faults().SetService(vault, *faults);
  }

  // Moves both clocks: the simulator and the worker agree on the time.
  void Advance(Millis d) {
    sim_clock_.Advance(d);
    worker_clock_.Advance(d);
  }

  protocol::Job Provision(const std::string& name) {
    return testing::VaultJob(protocol::Action::kProvision,
                             std::string(63, 'a') + std::to_string(++devices_ % 10), 1, name,
                             worker_clock_.Now() + 30 * kSecond, transport_.public_raw());
  }

  protocol::JobResult Run(const protocol::Job& job) { return testing::RunOnThread(*step_, job); }

  protocol::VaultProvisionResult Provisioned(const protocol::JobResult& result) {
    return testing::ProvisionedData(result);
  }

  std::set<std::string> Live() { return testing::LiveSerials(host_->state(), sim_clock_.Now()); }

  // A failed job of this kind whose error text names `text`, and nothing stored in Vault.
  void ExpectFailed(const protocol::JobResult& r, Outcome::Kind kind, const std::string& text) {
    EXPECT_EQ(r.outcome.kind, kind) << r.outcome.error;
    EXPECT_NE(r.outcome.error.find(text), std::string::npos) << r.outcome.error;
    EXPECT_EQ(Stored(), 0u);
  }

  std::size_t Stored() {
    return host_->state().Locked(
        [](cloudsim::SimData& data) { return data.vault.certificates.size(); });
  }

  TestClock sim_clock_;
  TestClock worker_clock_;
  std::unique_ptr<cloudsim::SimHost> host_;
  std::unique_ptr<VaultClient> client_;
  std::unique_ptr<VaultStep> step_;
  crypto::TransportKeyPair transport_ = crypto::TransportKeyPair::Generate().value();
  int devices_ = 0;
};

// ---- token auth: Vault's answers ----

TEST_F(VaultErrorTableTest, SuccessDeliversACertificateForTheSealedKey) {
  protocol::Job job = Provision("gw-1");
  protocol::VaultProvisionResult r = Provisioned(Run(job));
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(r.certificate_pem);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->SubjectCommonName(), "gw-1.devices.example.com");
  Result<std::string> key_pem =
      crypto::Open(transport_.private_raw(), r.sealed_private_key,
                   protocol::SecretContext(job.id.device_id, protocol::Step::kVault, "privateKey"));
  ASSERT_TRUE(key_pem.ok()) << key_pem.status().ToString();
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(*key_pem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *key).ok());
  EXPECT_EQ(r.ca_chain_pem.size(), 2u);
  EXPECT_EQ(Live(), std::set<std::string>{r.serial});
}

TEST_F(VaultErrorTableTest, TheSameJobTwiceLeavesOneLiveCertificate) {
  protocol::Job job = Provision("gw-1");
  const std::string kept = Provisioned(Run(job)).serial;
  // A redelivered job mints again (Vault issue is not idempotent) ...
  const std::string duplicate = Provisioned(Run(job)).serial;
  ASSERT_NE(duplicate, kept);
  // ... and the engine, which keeps the first result, revokes the other with a job that names
  // only its serial (no name: the kept certificate must survive). Delivered twice as well.
  protocol::Job revoke = job;
  revoke.id.action = protocol::Action::kRevoke;
  revoke.name.clear();
  revoke.facts_json = R"({"serial":")" + duplicate + R"("})";
  for (int i = 0; i < 2; ++i) {
    protocol::JobResult r = Run(revoke);
    EXPECT_TRUE(r.outcome.ok()) << i << ": " << r.outcome.error;
  }
  EXPECT_EQ(Live(), std::set<std::string>{kept});
}

TEST_F(VaultErrorTableTest, WrongTokenIsPermanentWithVaultsText) {
  UseWorker(TokenSettings("hvs.wrong"));
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kPermanent, "HTTP 403: permission denied");
}

TEST_F(VaultErrorTableTest, ACommonNameTheRoleForbidsIsPermanentWithVaultsText) {
  VaultSettings s = TokenSettings();
  s.common_name = "{name}.elsewhere.test";
  UseWorker(s);
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kPermanent,
               "HTTP 400: common name gw-1.elsewhere.test not allowed by this role");
}

TEST_F(VaultErrorTableTest, AnInjected400IsPermanentWithItsText) {
  SetVaultFaults(
      R"({"fail":{"status":400,"message":"role gps-device is being rotated","path":"/v1/pki/*"}})");
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kPermanent,
               "HTTP 400: role gps-device is being rotated");
}

TEST_F(VaultErrorTableTest, RateLimitIsRetryableAfterRetryAfter) {
  SetVaultFaults(R"({"rate_limit":1,"rate_window_s":3600,"retry_after_s":7})");
  Provisioned(Run(Provision("gw-1")));  // the window's one request
  protocol::JobResult r = Run(Provision("gw-2"));
  EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
  EXPECT_GE(r.outcome.retry_after_ms, 7 * kSecond);
  EXPECT_NE(r.outcome.error.find("HTTP 429"), std::string::npos) << r.outcome.error;
  EXPECT_EQ(Stored(), 1u);
}

TEST_F(VaultErrorTableTest, ServerErrorsAreRetryable) {
  SetVaultFaults(R"({"error_rate":1,"error_status":[503],"when":"before"})");
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kRetryable, "HTTP 503: Vault is sealed");
}

// ---- AppRole ----

TEST_F(VaultErrorTableTest, AppRoleLogsInOnceAndReusesTheToken) {
  UseWorker(AppRoleSettings());
  const std::uint64_t logins = Counter("worker.vault.logins");
  Provisioned(Run(Provision("gw-1")));
  Provisioned(Run(Provision("gw-2")));
  EXPECT_EQ(Counter("worker.vault.logins") - logins, 1u);
  EXPECT_EQ(Live().size(), 2u);
}

TEST_F(VaultErrorTableTest, AppRoleRenewsBeforeExpiryThenLogsInAtTheMaxTtl) {
  UseWorker(AppRoleSettings());
  const std::uint64_t logins = Counter("worker.vault.logins");
  const std::uint64_t renewals = Counter("worker.vault.token_renewals");
  Provisioned(Run(Provision("gw-0")));  // t=0: login, TTL 60 s, max TTL 150 s
  int n = 0;
  // Due at 2/3 of each TTL: renewed at 41 s and 82 s (60 s each), at 123 s (capped at 27 s,
  // the max TTL), then at 142 s the capped token is replaced by a login.
  for (Millis step : {41, 41, 41}) {
    Advance(step * kSecond);
    Provisioned(Run(Provision("gw-r" + std::to_string(++n))));
    EXPECT_EQ(Counter("worker.vault.logins") - logins, 1u) << "after " << n << " renewals";
    EXPECT_EQ(Counter("worker.vault.token_renewals") - renewals, static_cast<std::uint64_t>(n));
  }
  Advance(19 * kSecond);
  Provisioned(Run(Provision("gw-l")));
  EXPECT_EQ(Counter("worker.vault.logins") - logins, 2u);
  EXPECT_EQ(Counter("worker.vault.token_renewals") - renewals, 3u);
}

TEST_F(VaultErrorTableTest, AppRoleLogsInAgainAfterExpiry) {
  UseWorker(AppRoleSettings());
  const std::uint64_t logins = Counter("worker.vault.logins");
  Provisioned(Run(Provision("gw-1")));
  Advance(61 * kSecond);  // idle past the TTL: nothing renewed it
  Provisioned(Run(Provision("gw-2")));
  EXPECT_EQ(Counter("worker.vault.logins") - logins, 2u);
}

TEST_F(VaultErrorTableTest, A403WithAnOldTokenGetsOneLoginAndOneRetry) {
  UseWorker(AppRoleSettings());
  const std::uint64_t logins = Counter("worker.vault.logins");
  const std::uint64_t retries = Counter("worker.vault.forbidden_retries");
  Provisioned(Run(Provision("gw-1")));
  // Vault no longer takes the token although the worker's clock says it is fresh (revoked, or
  // the clocks disagree).
  sim_clock_.Advance(70 * kSecond);
  protocol::VaultProvisionResult r = Provisioned(Run(Provision("gw-2")));
  EXPECT_FALSE(r.serial.empty());
  EXPECT_EQ(Counter("worker.vault.logins") - logins, 2u);
  EXPECT_EQ(Counter("worker.vault.forbidden_retries") - retries, 1u);
}

TEST_F(VaultErrorTableTest, ARefusedLoginIsPermanentWithVaultsText) {
  UseWorker(AppRoleSettings("wrong-secret"));
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kPermanent,
               "HTTP 400: auth/approle/login: invalid role or secret ID");
}

TEST_F(VaultErrorTableTest, ALoginThatFailsOnTheWayIsRetryable) {
  UseWorker(AppRoleSettings());
  SetVaultFaults(
      R"({"fail":{"status":503,"message":"Vault is sealed","path":"/v1/auth/approle/login"}})");
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kRetryable,
               "HTTP 503: auth/approle/login: Vault is sealed");
}

// ---- modes ----

TEST_F(VaultErrorTableTest, SignModeCertifiesTheCsrKeyAndSendsNoKey) {
  VaultSettings s = AppRoleSettings();
  s.mode = "sign";
  UseWorker(s);
  crypto::PrivateKey device_key = crypto::PrivateKey::GenerateEcdsaP256().value();
  protocol::Job job = Provision("gw-1");
  job.csr_pem = crypto::MakeCsrPem(device_key, "").value();
  protocol::VaultProvisionResult r = Provisioned(Run(job));
  EXPECT_TRUE(r.sealed_private_key.empty());
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(r.certificate_pem);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, device_key).ok());
  // The CSR names nothing, so the certificate carries the worker's common name.
  EXPECT_EQ(cert->SubjectCommonName(), "gw-1.devices.example.com");
}

TEST_F(VaultErrorTableTest, SignModeWithoutACsrIsPermanent) {
  VaultSettings s = TokenSettings();
  s.mode = "sign";
  UseWorker(s);
  ExpectFailed(Run(Provision("gw-1")), Outcome::Kind::kPermanent,
               "needs a CSR in the gateway's announce, and this gateway sent none: set "
               "GPS_CLIENT_CERT_MODE=csr");
}

TEST_F(VaultErrorTableTest, IssueModeWithACsrIsPermanent) {
  protocol::Job job = Provision("gw-1");
  job.csr_pem = crypto::MakeCsrPem(crypto::PrivateKey::GenerateEcdsaP256().value(), "").value();
  ExpectFailed(Run(job), Outcome::Kind::kPermanent, "set GPS_VAULT_MODE=sign on this worker");
}

}  // namespace
}  // namespace gps::worker::vault
