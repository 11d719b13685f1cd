// The dps step against cloudsim's DPS service API over real HTTP, in-process (cloudsim::SimHost):
// one row per way the API answers — success, the same job twice, a wrong policy key (401), an
// invalid registration id (400), another device's enrollment (409), a stale ETag (412) on revoke,
// throttling (429 with Retry-After), server errors (5xx) — then revoke (repeated, leaving other
// devices' enrollments alone) and the name check.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "gps/crypto/seal.h"
#include "gps/json/json.h"
#include "gps/protocol/step_results.h"
#include "workers/dps/dps_client.h"
#include "workers/dps/dps_step.h"
#include "workers/testing/cloudsim_fixture.h"

namespace gps::worker::dps {
namespace {

constexpr char kHost[] = "mydps.azure-devices-provisioning.net";
constexpr char kPolicy[] = "provisioningserviceowner";
constexpr char kKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr char kOtherKey[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
constexpr char kEnrollmentPath[] = "/enrollments/gw-1";
const std::string kDevice(64, 'a');
const std::string kOtherDevice(64, 'b');

class DpsCloudsimTest : public testing::CloudsimTest {
 protected:
  void SetUp() override {
    cloudsim::SimHost::Options options;
    options.dps.host = kHost;
    options.dps.policy_name = kPolicy;
    options.dps.policy_key = kKey;
    options.dps.id_scope = "0ne00000000";
    StartCloud(std::move(options));
    ASSERT_FALSE(HasFatalFailure());
    client_ = std::make_unique<DpsClient>(Settings(kKey), clock());
    step_ = std::make_unique<DpsStep>(*client_);
  }

  DpsSettings Settings(const char* policy_key) {
    DpsSettings s;
    s.url = Url(cloud().ports().dps);
    s.host = kHost;
    s.policy_name = kPolicy;
    s.policy_key = policy_key;
    s.id_scope = "0ne00000000";
    s.global_endpoint = "global.azure-devices-provisioning.net";
    s.api_version = "2021-10-01";
    s.timeout_ms = 5000;
    Status valid = ValidateDpsSettings(&s);
    EXPECT_TRUE(valid.ok()) << valid.ToString();
    return s;
  }

  protocol::Job MakeJob(protocol::Action action, const std::string& device = kDevice,
                        std::string name = "gw-1") {
    protocol::Job job = NewJob(protocol::Step::kDps, action, device, std::move(name));
    job.transport_key = transport_.public_raw();
    return job;
  }

  protocol::JobResult Run(const protocol::Job& job) { return CloudsimTest::Run(*step_, job); }

  // The primary key a successful provision handed over, opened with the device's transport key.
  std::string DeliveredKey(const protocol::JobResult& result, const std::string& device = kDevice) {
    EXPECT_TRUE(result.outcome.ok()) << result.outcome.error;
    Result<protocol::DpsProvisionResult> data = protocol::ParseDpsProvision(result.data_json);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    if (!data.ok()) {
      return "";
    }
    EXPECT_EQ(data->registration_id, "gw-1");
    EXPECT_EQ(data->id_scope, "0ne00000000");
    EXPECT_EQ(data->global_endpoint, "global.azure-devices-provisioning.net");
    Result<std::string> key =
        crypto::Open(transport_.private_raw(), data->sealed_symmetric_key,
                     protocol::SecretContext(device, protocol::Step::kDps, "symmetricKey"));
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return key.value_or("");
  }

  std::optional<cloudsim::DpsEnrollment> Stored(const std::string& id = "gw-1") {
    return state().Locked([&](cloudsim::SimData& data) -> std::optional<cloudsim::DpsEnrollment> {
      auto it = data.dps.enrollments.find(id);
      if (it == data.dps.enrollments.end()) {
        return std::nullopt;
      }
      return it->second;
    });
  }

  std::size_t Enrollments() {
    return state().Locked([](cloudsim::SimData& data) { return data.dps.enrollments.size(); });
  }

  static std::string Owner(const cloudsim::DpsEnrollment& e) {
    Result<json::Document> twin =
        json::ParseObject(e.initial_twin_json.value_or("{}"), 1 << 16, "initialTwin");
    EXPECT_TRUE(twin.ok());
    return twin->Root().GetObject("tags").value().GetString("gpsDeviceId").value_or("");
  }

  std::unique_ptr<DpsClient> client_;
  std::unique_ptr<DpsStep> step_;
  crypto::TransportKeyPair transport_ = crypto::TransportKeyPair::Generate().value();
};

TEST_F(DpsCloudsimTest, ProvisionEnrollsAnEdgeDeviceWithSymmetricKeys) {
  const std::string key = DeliveredKey(Run(MakeJob(protocol::Action::kProvision)));
  std::optional<cloudsim::DpsEnrollment> e = Stored();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->registration_id, "gw-1");
  EXPECT_EQ(e->device_id, "gw-1");
  EXPECT_EQ(e->attestation_type, "symmetricKey");
  EXPECT_TRUE(e->iot_edge);
  EXPECT_EQ(e->provisioning_status, "enabled");
  EXPECT_EQ(Owner(*e), kDevice);
  EXPECT_EQ(e->primary_key, key);
  EXPECT_TRUE(ValidateSymmetricKey(e->secondary_key).ok());
  EXPECT_NE(e->secondary_key, key);
}

TEST_F(DpsCloudsimTest, TheSameJobTwiceIsOneEnrollmentAndTheSameKey) {
  protocol::Job job = MakeJob(protocol::Action::kProvision);
  const std::string first = DeliveredKey(Run(job));
  const std::string etag = Stored()->etag;
  const std::string second = DeliveredKey(Run(job));
  EXPECT_EQ(second, first);  // the keys DPS holds, read back after the 409
  EXPECT_EQ(Enrollments(), 1u);
  EXPECT_EQ(Stored()->etag, etag);  // left as it was
}

TEST_F(DpsCloudsimTest, WrongPolicyKeyIsPermanentWithDpsText) {
  DpsClient wrong(Settings(kOtherKey), clock());
  DpsStep step(wrong);
  for (protocol::Action action :
       {protocol::Action::kProvision, protocol::Action::kCheckName, protocol::Action::kRevoke}) {
    protocol::JobResult r = CloudsimTest::Run(step, MakeJob(action));
    EXPECT_TRUE(r.outcome.permanent()) << r.outcome.error;
    EXPECT_NE(r.outcome.error.find("HTTP 401: Unauthorized"), std::string::npos) << r.outcome.error;
  }
  EXPECT_EQ(Enrollments(), 0u);
}

TEST_F(DpsCloudsimTest, InvalidRegistrationIdIsPermanentWithDpsText) {
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision, kDevice, "gw-1-"));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.error,
            "dps: create enrollment gw-1-: HTTP 400: The registration ID 'gw-1-' must begin and "
            "end with an alphanumeric character.");
  EXPECT_EQ(Enrollments(), 0u);
}

TEST_F(DpsCloudsimTest, AnotherDevicesEnrollmentIsAPermanentConflict) {
  DeliveredKey(Run(MakeJob(protocol::Action::kProvision, kOtherDevice)), kOtherDevice);
  const cloudsim::DpsEnrollment theirs = Stored().value();
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.error,
            "dps: create enrollment gw-1: HTTP 409: Enrollment with registration ID 'gw-1' "
            "already exists. (DPS enrollment gw-1 belongs to another device)");
  EXPECT_EQ(r.data_json, "{}");
  EXPECT_EQ(Stored()->etag, theirs.etag);
  EXPECT_EQ(Owner(Stored().value()), kOtherDevice);
}

TEST_F(DpsCloudsimTest, StaleEtagIsA412AndRevokeReadsAgain) {
  DeliveredKey(Run(MakeJob(protocol::Action::kProvision)));
  // DPS's own answer to a delete with an etag the enrollment no longer has.
  Result<http::Response> stale = Status::Unavailable("not sent");
  std::thread([&] {
    stale = client_->DeleteEnrollment("gw-1", "AAAAAAAAAAA=", clock().Now() + 5000);
  }).join();
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_EQ(stale->status, 412);
  EXPECT_EQ(stale->HeaderValue("x-ms-error-code"), "412001");
  json::Document body = json::ParseObject(stale->body, 1 << 16, "error").value();
  EXPECT_EQ(body.Root().GetInt("errorCode").value_or(0), 412001);
  EXPECT_FALSE(body.Root().GetString("trackingId").value_or("").empty());
  DeleteAnswer answer = InterpretDelete(stale, "w", clock().Now());
  EXPECT_EQ(answer.kind, DeleteAnswer::Kind::kChanged);
  EXPECT_EQ(answer.outcome.error,
            "w: HTTP 412: The ETag in If-Match does not match the enrollment's ETag.");
  ASSERT_TRUE(Stored().has_value());

  // Every delete meets a 412: a bounded number of rounds, then retryable; nothing deleted.
  FailOn("dps", 412, "DELETE", kEnrollmentPath, "The ETag does not match.");
  protocol::JobResult changing = Run(MakeJob(protocol::Action::kRevoke));
  EXPECT_TRUE(changing.outcome.retryable()) << changing.outcome.error;
  EXPECT_EQ(changing.outcome.error,
            "dps: delete enrollment gw-1: HTTP 412: The ETag does not match. (changed 3 times "
            "while being deleted)");
  EXPECT_TRUE(Stored().has_value());

  // The delete went through but its answer was a 412: reading again finds it gone.
  FailOn("dps", 412, "DELETE", kEnrollmentPath, "The ETag does not match.",
         cloudsim::FaultWhen::kAfter);
  protocol::JobResult done = Run(MakeJob(protocol::Action::kRevoke));
  EXPECT_TRUE(done.outcome.ok()) << done.outcome.error;
  EXPECT_FALSE(Stored().has_value());
}

TEST_F(DpsCloudsimTest, ThrottlingIsRetryableAfterRetryAfter) {
  Throttle("dps", 1, 7);  // the name check passes, the enrollment PUT is throttled
  ASSERT_TRUE(Run(MakeJob(protocol::Action::kCheckName)).outcome.ok());
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
  EXPECT_GE(r.outcome.retry_after_ms, 7000);
  EXPECT_NE(r.outcome.error.find("HTTP 429"), std::string::npos) << r.outcome.error;
  EXPECT_EQ(Enrollments(), 0u);
}

TEST_F(DpsCloudsimTest, ServerErrorsAreRetryable) {
  FailEverything("dps");
  for (protocol::Action action :
       {protocol::Action::kProvision, protocol::Action::kCheckName, protocol::Action::kRevoke}) {
    protocol::JobResult r = Run(MakeJob(action));
    EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
    EXPECT_NE(r.outcome.error.find("HTTP 5"), std::string::npos) << r.outcome.error;
  }
  EXPECT_EQ(Enrollments(), 0u);
}

TEST_F(DpsCloudsimTest, RevokeDeletesOurEnrollmentAndRepeats) {
  DeliveredKey(Run(MakeJob(protocol::Action::kProvision)));
  for (int i = 0; i < 2; ++i) {
    protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
    EXPECT_TRUE(r.outcome.ok()) << i << ": " << r.outcome.error;
    EXPECT_EQ(r.data_json, "{}");
    EXPECT_EQ(Enrollments(), 0u) << i;
  }
}

TEST_F(DpsCloudsimTest, RevokeLeavesAnotherDevicesEnrollmentAlone) {
  DeliveredKey(Run(MakeJob(protocol::Action::kProvision, kOtherDevice)), kOtherDevice);
  const std::string etag = Stored()->etag;
  protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
  EXPECT_TRUE(r.outcome.ok()) << r.outcome.error;
  EXPECT_EQ(r.data_json, "{}");
  ASSERT_TRUE(Stored().has_value());
  EXPECT_EQ(Stored()->etag, etag);
  EXPECT_EQ(Owner(Stored().value()), kOtherDevice);
}

TEST_F(DpsCloudsimTest, NameCheckSeesOtherDevicesButNotThisOne) {
  protocol::JobResult free = Run(MakeJob(protocol::Action::kCheckName));
  ASSERT_TRUE(free.outcome.ok()) << free.outcome.error;
  EXPECT_TRUE(protocol::ParseNameCheck(free.data_json).value().available);

  DeliveredKey(Run(MakeJob(protocol::Action::kProvision)));
  protocol::JobResult mine = Run(MakeJob(protocol::Action::kCheckName));
  ASSERT_TRUE(mine.outcome.ok()) << mine.outcome.error;
  EXPECT_TRUE(protocol::ParseNameCheck(mine.data_json).value().available);

  protocol::JobResult taken = Run(MakeJob(protocol::Action::kCheckName, kOtherDevice));
  ASSERT_TRUE(taken.outcome.ok()) << taken.outcome.error;
  protocol::NameCheckResult result = protocol::ParseNameCheck(taken.data_json).value();
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.detail, "DPS enrollment gw-1 exists");
}

}  // namespace
}  // namespace gps::worker::dps
