// The vault step against cloudsim's Vault API over real HTTP, in-process: retried provisions leave
// exactly one live certificate per device (the last attempt's), transient failures of the reads
// are retried within the attempt, reads are remembered across attempts, and revoke is idempotent.
// A small wrapper around the simulated API loses answers and fails calls on demand.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cloudsim/ca/ca.h"
#include "cloudsim/server/dispatcher.h"
#include "cloudsim/server/http_server.h"
#include "cloudsim/state/sim_state.h"
#include "cloudsim/vault/vault_api.h"
#include "gps/crypto/seal.h"
#include "gps/json/json.h"
#include "gps/protocol/step_results.h"
#include "workers/vault/vault_cloudsim_support.h"
#include "workers/vault/vault_step.h"
#include "workers/vault/vault_test_support.h"

namespace gps::worker::vault {
namespace {

using cloudsim::ApiRequest;
using cloudsim::ApiResponse;

constexpr char kToken[] = "vault-worker-test-token";
const std::string kDevice(64, 'a');
const std::string kOtherDevice(64, 'b');

// Cloudsim's Vault, with faults on demand: answers lost after the work was done, and failures
// of reads and lists before they reach the API. Counts the reads of stored certificates.
class FaultyVault final : public cloudsim::Service {
 public:
  explicit FaultyVault(cloudsim::Service* inner) : inner_(inner) {}

  std::string_view Name() const override { return "vault"; }

  ApiResponse Handle(const ApiRequest& request) override {
    const std::vector<std::string>& s = request.segments;
    const bool issue = s.size() == 4 && (s[2] == "issue" || s[2] == "sign");
    const bool read = s.size() == 4 && s[2] == "cert";
    const bool list = s.size() == 3 && s[2] == "certs";
    if (read) {
      ++reads;
      if (Take(fail_reads)) {
        return ApiResponse::Json(503, R"({"errors":["Vault is sealed"]})");
      }
    }
    if (list && Take(fail_lists)) {
      return ApiResponse::Json(502, R"({"errors":["upstream error"]})");
    }
    ApiResponse response = inner_->Handle(request);
    if (issue && Take(lose_issue_answers)) {
      return ApiResponse::Json(500, R"({"errors":["internal error"]})");
    }
    return response;
  }

  std::atomic<int> reads{0};
  std::atomic<int> fail_reads{0};
  std::atomic<int> fail_lists{0};
  std::atomic<int> lose_issue_answers{0};

 private:
  static bool Take(std::atomic<int>& budget) {
    int left = budget.load();
    while (left > 0) {
      if (budget.compare_exchange_weak(left, left - 1)) {
        return true;
      }
    }
    return false;
  }

  cloudsim::Service* inner_;
};

class VaultCloudsimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = cloudsim::ca::CertificateAuthority::Create(clock_.Now().ms / 1000).value();
    cloudsim::VaultConfig config;
    config.token = kToken;
    config.mount = "pki";
    config.role.name = "gps-device";
    config.role.key_type = "ec";
    config.role.key_bits = 256;
    config.role.allow_any_name = true;
    config.role.ttl_s = 3600;
    config.role.max_ttl_s = 24 * 3600;
    api_ = std::make_unique<cloudsim::VaultApi>(config, &state_, &clock_, ca_.get());
    faulty_ = std::make_unique<FaultyVault>(api_.get());
    dispatcher_ = std::make_unique<cloudsim::Dispatcher>(faulty_.get(), &state_);
    server_ = std::make_unique<cloudsim::HttpServer>(dispatcher_.get(), 1 << 20);
    Result<int> port = server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    server_->Start();
    ASSERT_TRUE(server_->WaitUntilRunning(std::chrono::seconds(5)));

    VaultSettings s = testing::SimSettings(*port, kToken);
    ASSERT_TRUE(ValidateVaultSettings(&s).ok());
    settings_ = s;
    UseMode("issue");
  }

  // Replaces the client and step by ones in this GPS_VAULT_MODE.
  void UseMode(const std::string& mode) {
    VaultSettings s = settings_;
    s.mode = mode;
    ASSERT_TRUE(ValidateVaultSettings(&s).ok());
    step_.reset();
    client_ = std::make_unique<VaultClient>(s, clock_);
    step_ = std::make_unique<VaultStep>(*client_, [this](Millis ms) {
      std::lock_guard<std::mutex> lock(mutex_);
      pauses_.push_back(ms);
    });
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
  }

  protocol::Job MakeJob(protocol::Action action, int attempt, std::string name = "gw-1",
                        const std::string& device = kDevice) {
    return testing::VaultJob(action, device, attempt, std::move(name), clock_.Now() + 30'000,
                             transport_.public_raw());
  }

  protocol::JobResult Run(const protocol::Job& job) { return testing::RunOnThread(*step_, job); }

  // The serial of a successful provision.
  std::string Provisioned(const protocol::JobResult& result) {
    return testing::ProvisionedData(result).serial;
  }

  // Serials of the live (unrevoked, unexpired) certificates with this CN, as Vault holds them.
  std::set<std::string> Live(const std::string& common_name) {
    return testing::LiveSerials(state_, clock_.Now(), common_name);
  }

  std::size_t Stored() {
    return state_.Locked([](cloudsim::SimData& data) { return data.vault.certificates.size(); });
  }

  std::vector<Millis> Pauses() {
    std::lock_guard<std::mutex> lock(mutex_);
    return pauses_;
  }

  SystemClock clock_;
  cloudsim::SimState state_;
  std::unique_ptr<cloudsim::ca::CertificateAuthority> ca_;
  std::unique_ptr<cloudsim::VaultApi> api_;
  std::unique_ptr<FaultyVault> faulty_;
  std::unique_ptr<cloudsim::Dispatcher> dispatcher_;
  std::unique_ptr<cloudsim::HttpServer> server_;
  VaultSettings settings_;
  std::unique_ptr<VaultClient> client_;
  std::unique_ptr<VaultStep> step_;
  crypto::TransportKeyPair transport_ = crypto::TransportKeyPair::Generate().value();
  std::mutex mutex_;
  std::vector<Millis> pauses_;
};

constexpr char kCn[] = "gw-1.devices.example.com";

TEST_F(VaultCloudsimTest, RetryRevokesTheEarlierAttemptsCertificate) {
  const std::string other =
      Provisioned(Run(MakeJob(protocol::Action::kProvision, 1, "gw-2", kOtherDevice)));
  const std::string first = Provisioned(Run(MakeJob(protocol::Action::kProvision, 1)));
  EXPECT_EQ(Live(kCn), std::set<std::string>{first});

  // The engine never heard of attempt 1's result and tries again.
  const std::string second = Provisioned(Run(MakeJob(protocol::Action::kProvision, 2)));
  EXPECT_NE(second, first);
  EXPECT_EQ(Live(kCn), std::set<std::string>{second});
  EXPECT_EQ(Live("gw-2.devices.example.com"), std::set<std::string>{other});  // not ours
}

TEST_F(VaultCloudsimTest, AnswerLostAfterVaultIssuedLeavesOnlyTheRetrysCertificate) {
  faulty_->lose_issue_answers = 1;
  protocol::JobResult lost = Run(MakeJob(protocol::Action::kProvision, 1));
  EXPECT_TRUE(lost.outcome.retryable()) << lost.outcome.error;
  ASSERT_EQ(Live(kCn).size(), 1u);  // Vault made it; nobody will deliver it

  const std::string delivered = Provisioned(Run(MakeJob(protocol::Action::kProvision, 2)));
  EXPECT_EQ(Live(kCn), std::set<std::string>{delivered});

  // Attempt 3 (attempt 2's result lost too) again leaves only its own.
  const std::string third = Provisioned(Run(MakeJob(protocol::Action::kProvision, 3)));
  EXPECT_EQ(Live(kCn), std::set<std::string>{third});
}

TEST_F(VaultCloudsimTest, TransientReadAndListFailuresAreRetriedWithinTheAttempt) {
  Provisioned(Run(MakeJob(protocol::Action::kProvision, 1)));
  faulty_->fail_lists = 1;
  faulty_->fail_reads = 2;
  const std::string second = Provisioned(Run(MakeJob(protocol::Action::kProvision, 2)));
  EXPECT_EQ(Live(kCn), std::set<std::string>{second});
  // One pause before the list's second try, two before the read's second and third.
  EXPECT_EQ(Pauses(), (std::vector<Millis>{100, 100, 200}));
}

TEST_F(VaultCloudsimTest, SweepThatCannotFinishIsRetryableAndIssuesNothing) {
  const std::string first = Provisioned(Run(MakeJob(protocol::Action::kProvision, 1)));
  faulty_->fail_reads = 100;
  protocol::JobResult failed = Run(MakeJob(protocol::Action::kProvision, 2));
  EXPECT_TRUE(failed.outcome.retryable());
  EXPECT_NE(failed.outcome.error.find("read certificate"), std::string::npos)
      << failed.outcome.error;
  EXPECT_EQ(Stored(), 1u);  // nothing issued
  EXPECT_EQ(Live(kCn), std::set<std::string>{first});

  faulty_->fail_reads = 0;
  const std::string third = Provisioned(Run(MakeJob(protocol::Action::kProvision, 3)));
  EXPECT_EQ(Live(kCn), std::set<std::string>{third});
}

TEST_F(VaultCloudsimTest, EachCertificateIsReadOncePerProcess) {
  for (const char* name : {"gw-a", "gw-b", "gw-c"}) {
    Provisioned(Run(MakeJob(protocol::Action::kProvision, 1, name, kOtherDevice)));
  }
  Provisioned(Run(MakeJob(protocol::Action::kProvision, 1)));
  faulty_->reads = 0;
  Provisioned(Run(MakeJob(protocol::Action::kProvision, 2)));
  EXPECT_EQ(faulty_->reads.load(), 4);  // every stored certificate once
  faulty_->reads = 0;
  Provisioned(Run(MakeJob(protocol::Action::kProvision, 3)));
  EXPECT_EQ(faulty_->reads.load(), 1);  // only attempt 2's, which is new
  EXPECT_EQ(Live(kCn).size(), 1u);
}

TEST_F(VaultCloudsimTest, EmptyMountIsNoObstacle) {
  const std::string serial = Provisioned(Run(MakeJob(protocol::Action::kProvision, 2)));
  EXPECT_EQ(Live(kCn), std::set<std::string>{serial});
}

TEST_F(VaultCloudsimTest, SignModeFindsEarlierCertificatesByTheCsrKey) {
  // The role takes the CSR's CN (use_csr_common_name), so the certificate is not named after the
  // job's common name; it certifies the device's key all the same.
  UseMode("sign");
  crypto::PrivateKey device_key = testing::NewKey();
  protocol::Job job = MakeJob(protocol::Action::kProvision, 1);
  job.csr_pem = testing::CsrPem(device_key, device_key, "gateway-self-named");
  const std::string first = Provisioned(Run(job));
  EXPECT_EQ(Live("gateway-self-named"), std::set<std::string>{first});
  job.id.attempt = 2;
  const std::string second = Provisioned(Run(job));
  EXPECT_EQ(Live("gateway-self-named"), std::set<std::string>{second});
}

TEST_F(VaultCloudsimTest, RevokeIsIdempotentAndTakesTheOrphansToo) {
  faulty_->lose_issue_answers = 1;
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 1)).outcome.retryable());
  const std::string delivered = Provisioned(Run(MakeJob(protocol::Action::kProvision, 2)));
  // An orphan the sweep could not see: made after attempt 2's sweep by a late attempt 1.
  faulty_->lose_issue_answers = 1;
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 1)).outcome.retryable());
  ASSERT_EQ(Live(kCn).size(), 2u);

  protocol::Job revoke = MakeJob(protocol::Action::kRevoke, 1);
  revoke.facts_json = R"({"serial":")" + delivered + R"("})";
  for (int i = 0; i < 2; ++i) {
    protocol::JobResult result = Run(revoke);
    EXPECT_TRUE(result.outcome.ok()) << i << ": " << result.outcome.error;
    EXPECT_TRUE(Live(kCn).empty()) << i;
  }
  bool delivered_revoked = state_.Locked(
      [&](cloudsim::SimData& data) { return data.vault.certificates.at(delivered).revoked; });
  EXPECT_TRUE(delivered_revoked);
}

TEST_F(VaultCloudsimTest, RevokeOfAnUnknownSerialSucceeds) {
  protocol::Job revoke = MakeJob(protocol::Action::kRevoke, 1, "");
  revoke.facts_json = R"({"serial":"01:02:03"})";
  protocol::JobResult result = Run(revoke);
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.error;

  protocol::Job nothing = MakeJob(protocol::Action::kRevoke, 1, "");
  EXPECT_TRUE(Run(nothing).outcome.permanent());
}

}  // namespace
}  // namespace gps::worker::vault
