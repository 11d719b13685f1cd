// The hub-manifest step against cloudsim's IoT Hub over real HTTP, in-process (cloudsim::SimHost,
// with faults injected through host->faults() as GPS_CLOUDSIM_FAULTS would): the worker's table
// of answers. Provision: a gateway not yet registered is waited for; a registered one gets a
// manifest the sim stores and the IoT Edge schemas accept, unchanged on a repeat; a wrong key
// (401) and a refused manifest (400) are permanent with IoT Hub's text; 429 with and without
// Retry-After and 5xx are retryable. Revoke: the device is disabled, a repeat and an unknown
// device are done, a device changed under the update (412) is read again, a 409 is permanent.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "cloudsim/faults/fault_config.h"
#include "cloudsim/server/sim_host.h"
#include "gps/azure/sas_token.h"
#include "gps/http/client.h"
#include "gps/json/json.h"
#include "gps/protocol/step_results.h"
#include "workers/hub-manifest/hub_step.h"
#include "workers/hub-manifest/hub_test_support.h"
#include "workers/hub-manifest/manifest_template.h"

namespace gps::worker::hub {
namespace {

constexpr char kHost[] = "myhub.azure-devices.net";
constexpr char kPolicy[] = "iothubowner";
constexpr char kKey[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
constexpr char kOtherKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const std::string kDevice(64, 'a');
const std::size_t kHub = cloudsim::ServiceIndex("hub").value();

// The hub's faults: a permanent answer of status to method on path ("" matches any).
cloudsim::ServiceFaults Fail(int status, std::string method, std::string path,
                             cloudsim::FaultWhen when = cloudsim::FaultWhen::kBefore,
                             std::string message = "") {
  cloudsim::ServiceFaults faults = cloudsim::NoFaults(kHub);
  cloudsim::PermanentFault fail;
  fail.status = status;
  fail.method = std::move(method);
  fail.path = std::move(path);
  fail.when = when;
  fail.message = std::move(message);
  faults.fail.push_back(std::move(fail));
  return faults;
}

class HubCloudsimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cloudsim::SimHost::Options options;
    options.threads_per_port = 4;
    options.hub = cloudsim::HubConfig{kHost, kPolicy, kKey};
    Result<std::unique_ptr<cloudsim::SimHost>> host =
        cloudsim::SimHost::Start(std::move(options), &sim_clock_);
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    host_ = std::move(host).value();
    client_ = std::make_unique<HubClient>(Settings(kKey), clock_);
    step_ = std::make_unique<HubStep>(*client_);
  }

  HubSettings Settings(const char* key) {
    HubSettings s;
    s.url = Url();
    s.host = kHost;
    s.policy_name = kPolicy;
    s.policy_key = key;
    s.api_version = "2021-04-12";
    s.manifest_file = manifest_.path();
    s.wait_retry_s = 90;
    s.throttle_retry_s = 12;
    s.timeout_ms = 5000;
    Status ok = ValidateHubSettings(&s);
    EXPECT_TRUE(ok.ok()) << ok.ToString();
    return s;
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(host_->ports().hub); }

  protocol::Job MakeJob(protocol::Action action, int attempt = 1, std::string name = "gw-1") {
    protocol::Job job;
    job.id.device_id = kDevice;
    job.id.generation = 1;
    job.id.step = protocol::Step::kHubManifest;
    job.id.action = action;
    job.id.attempt = attempt;
    job.deadline = clock_.Now() + 30'000;
    job.name = std::move(name);
    return job;
  }

  // f() on a thread of its own, as the runtime's handler threads run jobs; the thread's
  // keep-alive connection closes when it ends, so stopping the sim need not wait for it.
  template <typename F>
  static auto OnThread(F f) {
    std::optional<decltype(f())> result;
    std::thread([&] { result.emplace(f()); }).join();
    return std::move(result).value();
  }

  protocol::JobResult Run(const protocol::Job& job, HubStep* step = nullptr) {
    HubStep* handler = step != nullptr ? step : step_.get();
    return OnThread([&] { return handler->Handle(job, job.deadline); });
  }

  // A registry write by someone else: the first registration through DPS (no If-Match, a
  // create), or a later change (If-Match given).
  void PutDevice(const std::string& name, bool edge, std::optional<std::string> if_match = {}) {
    std::string sas =
        azure::BuildSasToken(kHost, kKey, kPolicy, clock_.Now().ms / 1000 + 600).value();
    http::Request put;
    put.method = "PUT";
    put.url = Url() + "/devices/" + name + "?api-version=2021-04-12";
    put.headers = {{"Authorization", sas}, {"Content-Type", "application/json"}};
    if (if_match) {
      put.headers.push_back({"If-Match", *if_match});
    }
    put.body = R"({"deviceId":")" + name + R"(","capabilities":{"iotEdge":)" +
               (edge ? "true" : "false") + "}}";
    http::Client client;  // closed when done
    Result<http::Response> r = client.Send(put);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  void Register(const std::string& name, bool edge = true) { PutDevice(name, edge); }

  std::optional<cloudsim::HubDevice> Stored(const std::string& name) {
    return host_->state().Locked([&](cloudsim::SimData& data) {
      auto it = data.hub.devices.find(name);
      return it == data.hub.devices.end() ? std::nullopt
                                          : std::optional<cloudsim::HubDevice>(it->second);
    });
  }
  std::optional<std::string> StoredManifest(const std::string& name) {
    std::optional<cloudsim::HubDevice> d = Stored(name);
    return d ? std::optional<std::string>(d->configuration_content_json.value_or(""))
             : std::nullopt;
  }

  void SetHubFaults(cloudsim::ServiceFaults faults) {
    host_->faults().SetService(kHub, std::move(faults));
  }
  void ClearHubFaults() { SetHubFaults(cloudsim::NoFaults(kHub)); }
  std::uint64_t HubRequests() { return host_->faults().counts(kHub).requests; }

  SystemClock clock_;
  // The sim's time stands still, so rate windows cannot roll over in the middle of a test.
  FakeClock sim_clock_{SystemClock().Now()};
  testing::TempFile manifest_{testing::kTemplate};
  std::unique_ptr<cloudsim::SimHost> host_;
  std::unique_ptr<HubClient> client_;
  std::unique_ptr<HubStep> step_;
};

TEST_F(HubCloudsimTest, ADeviceNotRegisteredYetIsWaitedFor) {
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(r));
  EXPECT_EQ(r.outcome.retry_after_ms, 90'000);
  EXPECT_NE(r.outcome.error.find("not in IoT Hub yet"), std::string::npos) << r.outcome.error;
  EXPECT_FALSE(Stored("gw-1"));  // looking creates nothing
}

TEST_F(HubCloudsimTest, ARegisteredDeviceGetsAValidManifestAndARepeatChangesNothing) {
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(Run(MakeJob(protocol::Action::kProvision, 1))));
  Register("gw-1");

  protocol::JobResult applied = Run(MakeJob(protocol::Action::kProvision, 2));
  ASSERT_TRUE(applied.outcome.ok()) << applied.outcome.error;
  EXPECT_EQ(applied.data_json, R"({"hubDeviceId":"gw-1","applied":true})");
  std::optional<std::string> stored = StoredManifest("gw-1");
  ASSERT_TRUE(stored.has_value());
  // What IoT Hub now holds passes the IoT Edge deployment schemas, with the device's values in.
  Result<ManifestTemplate> held = ManifestTemplate::Parse(*stored);
  EXPECT_TRUE(held.ok()) << held.status().ToString();
  Result<json::Document> doc = json::ParseObject(*stored, 1 << 20, "stored");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  json::Value app = doc->Root()
                        .GetObject("modulesContent")
                        .value()
                        .GetObject("gatewayapp")
                        .value()
                        .GetObject("properties.desired")
                        .value();
  EXPECT_EQ(app.GetString("gpsDeviceId").value(), kDevice);
  EXPECT_NE(stored->find(R"(\"Hostname\":\"gw-1\")"), std::string::npos) << *stored;

  // The same job again (a redelivery), and a later attempt: same answer, same content.
  protocol::JobResult again = Run(MakeJob(protocol::Action::kProvision, 2));
  ASSERT_TRUE(again.outcome.ok()) << again.outcome.error;
  EXPECT_EQ(again.data_json, applied.data_json);
  EXPECT_EQ(StoredManifest("gw-1"), stored);
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 3)).outcome.ok());
  EXPECT_EQ(StoredManifest("gw-1"), stored);
}

TEST_F(HubCloudsimTest, AWrongKeyIsAPermanent401) {
  Register("gw-1");
  HubClient wrong(Settings(kOtherKey), clock_);
  HubStep step(wrong);
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision), &step);
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.error,
            "hub-manifest: gw-1: look up device: HTTP 401: "
            "ErrorCode:IotHubUnauthorizedAccess;Unauthorized");
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(r));
  EXPECT_EQ(StoredManifest("gw-1"), "");

  protocol::JobResult revoke = Run(MakeJob(protocol::Action::kRevoke), &step);
  EXPECT_TRUE(revoke.outcome.permanent());
  EXPECT_EQ(Stored("gw-1")->status, "enabled");
}

TEST_F(HubCloudsimTest, ADeviceThatIsNotAnEdgeDeviceIsPermanent) {
  Register("gw-1", false);
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_NE(r.outcome.error.find("not an IoT Edge device"), std::string::npos) << r.outcome.error;
  EXPECT_EQ(StoredManifest("gw-1"), "");
}

TEST_F(HubCloudsimTest, ARefusedManifestIsPermanentWithIotHubsMessage) {
  Register("gw-1");
  SetHubFaults(Fail(400, "POST", "/devices/*/applyConfigurationContent",
                    cloudsim::FaultWhen::kBefore, "The deployment exceeds the module limit"));
  for (int attempt = 1; attempt <= 2; ++attempt) {
    protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision, attempt));
    EXPECT_TRUE(r.outcome.permanent()) << attempt;
    EXPECT_EQ(r.outcome.error,
              "hub-manifest: gw-1: apply the manifest: HTTP 400: "
              "ErrorCode:ArgumentInvalid;The deployment exceeds the module limit");
  }
  EXPECT_EQ(StoredManifest("gw-1"), "");
  EXPECT_EQ(host_->faults().counts(kHub).failed, 2u);
}

TEST_F(HubCloudsimTest, ThrottlingWithoutRetryAfterWaitsTheDefaultDelay) {
  Register("gw-1");
  SetHubFaults(Fail(429, "", ""));  // IoT Hub's usual 429: ThrottlingException, no Retry-After
  protocol::JobResult throttled = Run(MakeJob(protocol::Action::kProvision, 1));
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(throttled));
  EXPECT_EQ(throttled.outcome.retry_after_ms, 12'000);
  EXPECT_NE(throttled.outcome.error.find("HTTP 429: ErrorCode:ThrottlingException;"),
            std::string::npos)
      << throttled.outcome.error;
  protocol::JobResult revoke = Run(MakeJob(protocol::Action::kRevoke, 1));
  EXPECT_TRUE(revoke.outcome.retryable());
  EXPECT_EQ(revoke.outcome.retry_after_ms, 12'000);

  ClearHubFaults();
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 2)).outcome.ok());
}

TEST_F(HubCloudsimTest, ThrottlingWithRetryAfterWaitsAtLeastThatLong) {
  Register("gw-1");
  // A quota of one request: the look-up passes, the apply is throttled with Retry-After: 30.
  cloudsim::ServiceFaults quota = cloudsim::NoFaults(kHub);
  quota.rate_limit = 1;
  quota.rate_window_s = 3600;
  quota.retry_after_s = 30;
  SetHubFaults(quota);
  protocol::JobResult throttled = Run(MakeJob(protocol::Action::kProvision, 1));
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_GE(throttled.outcome.retry_after_ms, 30'000);
  EXPECT_NE(throttled.outcome.error.find("apply the manifest: HTTP 429"), std::string::npos)
      << throttled.outcome.error;
  EXPECT_EQ(host_->faults().counts(kHub).throttled, 1u);
  EXPECT_EQ(StoredManifest("gw-1"), "");

  ClearHubFaults();
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 2)).outcome.ok());
}

TEST_F(HubCloudsimTest, ServerErrorsAreRetryableAndALostAnswerIsRepeatedHarmlessly) {
  Register("gw-1");
  cloudsim::ServiceFaults down = cloudsim::NoFaults(kHub);
  down.error_rate = 1;
  down.when = cloudsim::FaultWhen::kBefore;
  SetHubFaults(down);
  for (protocol::Action action : {protocol::Action::kProvision, protocol::Action::kRevoke}) {
    protocol::JobResult r = Run(MakeJob(action));
    EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
    EXPECT_EQ(r.outcome.retry_after_ms, 0);
    EXPECT_TRUE(r.outcome.error.find("HTTP 500: ErrorCode:ServerError;") != std::string::npos ||
                r.outcome.error.find("HTTP 503: ErrorCode:ServiceUnavailable;") !=
                    std::string::npos)
        << r.outcome.error;
  }
  EXPECT_EQ(Stored("gw-1")->status, "enabled");

  // The apply is done, but its answer is a 503: the retry applies the same content again.
  SetHubFaults(
      Fail(503, "POST", "/devices/gw-1/applyConfigurationContent", cloudsim::FaultWhen::kAfter));
  protocol::JobResult lost = Run(MakeJob(protocol::Action::kProvision, 2));
  EXPECT_TRUE(lost.outcome.retryable()) << lost.outcome.error;
  std::optional<std::string> stored = StoredManifest("gw-1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->empty());
  ClearHubFaults();
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 3)).outcome.ok());
  EXPECT_EQ(StoredManifest("gw-1"), stored);
}

TEST_F(HubCloudsimTest, RevokeDisablesTheDeviceAndARepeatWritesNothing) {
  Register("gw-1");
  Register("gw-2");
  ASSERT_TRUE(Run(MakeJob(protocol::Action::kProvision)).outcome.ok());
  const cloudsim::HubDevice before = Stored("gw-1").value();

  protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.error;
  EXPECT_EQ(r.data_json, R"({"disabled":true})");
  const cloudsim::HubDevice after = Stored("gw-1").value();
  EXPECT_EQ(after.status, "disabled");
  EXPECT_EQ(after.status_reason, std::string(kRevokedStatusReason));
  EXPECT_NE(after.etag, before.etag);
  // The rest of the device is as it was: same identity, same keys, same deployment.
  EXPECT_EQ(after.generation_id, before.generation_id);
  EXPECT_EQ(after.primary_key, before.primary_key);
  EXPECT_EQ(after.secondary_key, before.secondary_key);
  EXPECT_TRUE(after.iot_edge);
  EXPECT_EQ(after.device_scope, before.device_scope);
  EXPECT_EQ(after.configuration_content_json, before.configuration_content_json);

  // Redelivered: found disabled, so one look-up and no write.
  const std::uint64_t requests = HubRequests();
  protocol::JobResult again = Run(MakeJob(protocol::Action::kRevoke));
  ASSERT_TRUE(again.outcome.ok()) << again.outcome.error;
  EXPECT_EQ(again.data_json, R"({"disabled":true})");
  EXPECT_EQ(HubRequests() - requests, 1u);
  EXPECT_EQ(Stored("gw-1")->etag, after.etag);
  EXPECT_EQ(Stored("gw-2")->status, "enabled");
}

TEST_F(HubCloudsimTest, RevokingAnUnknownDeviceIsDone) {
  protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.error;
  EXPECT_EQ(r.data_json, "{}");
  EXPECT_FALSE(Stored("gw-1"));
}

TEST_F(HubCloudsimTest, AnUpdateWithAStaleEtagIsRefusedWith412) {
  Register("gw-1");
  Result<http::Response> read =
      OnThread([&] { return client_->GetDevice("gw-1", clock_.Now() + 5000); });
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  DisablePlan plan = PlanDisable(read, "gw-1", "read", 12'000, clock_.Now());
  ASSERT_EQ(plan.kind, DisablePlan::Kind::kDisable) << plan.outcome.error;
  PutDevice("gw-1", true, "*");  // changed by someone else after the read

  HubAnswer stale = InterpretUpdate(
      OnThread(
          [&] { return client_->UpdateDevice("gw-1", plan.etag, plan.body, clock_.Now() + 5000); }),
      "hub-manifest: gw-1: disable device", 12'000, clock_.Now());
  EXPECT_EQ(stale.kind, HubAnswer::Kind::kStale);
  EXPECT_EQ(stale.outcome.error,
            "hub-manifest: gw-1: disable device: HTTP 412: "
            "ErrorCode:PreconditionFailed;Precondition failed: Invalid ETag");
  EXPECT_EQ(Stored("gw-1")->status, "enabled");
}

TEST_F(HubCloudsimTest, ADeviceChangedUnderTheUpdateIsReadAgain) {
  Register("gw-1");
  // The update is made, but its answer says the device changed: the second read finds it
  // disabled and writes nothing more.
  SetHubFaults(Fail(412, "PUT", "/devices/gw-1", cloudsim::FaultWhen::kAfter));
  const std::uint64_t requests = HubRequests();
  protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.error;
  EXPECT_EQ(r.data_json, R"({"disabled":true})");
  EXPECT_EQ(HubRequests() - requests, 3u);  // GET, PUT (412), GET
  EXPECT_EQ(Stored("gw-1")->status, "disabled");
}

TEST_F(HubCloudsimTest, ADeviceThatKeepsChangingIsLeftToALaterAttempt) {
  Register("gw-1");
  SetHubFaults(Fail(412, "PUT", "/devices/gw-1"));
  const std::uint64_t requests = HubRequests();
  protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke, 1));
  EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
  EXPECT_EQ(r.outcome.error,
            "hub-manifest: gw-1: disable device: HTTP 412: ErrorCode:PreconditionFailed;"
            "injected fault: precondition failed (the device changed under each of 3 updates; "
            "trying later)");
  EXPECT_EQ(HubRequests() - requests, 2u * kDisableRounds);
  EXPECT_EQ(Stored("gw-1")->status, "enabled");

  ClearHubFaults();
  protocol::JobResult later = Run(MakeJob(protocol::Action::kRevoke, 2));
  ASSERT_TRUE(later.outcome.ok()) << later.outcome.error;
  EXPECT_EQ(Stored("gw-1")->status, "disabled");
}

TEST_F(HubCloudsimTest, AnUpdateTakenForACreateIsPermanent) {
  Register("gw-1");
  // What IoT Hub answers a PUT without If-Match on an existing device.
  SetHubFaults(Fail(409, "PUT", "/devices/gw-1", cloudsim::FaultWhen::kBefore,
                    "A device with ID 'gw-1' is already registered."));
  protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.error,
            "hub-manifest: gw-1: disable device: HTTP 409: "
            "ErrorCode:DeviceAlreadyExists;A device with ID 'gw-1' is already registered.");
  EXPECT_EQ(Stored("gw-1")->status, "enabled");
}

TEST_F(HubCloudsimTest, CheckNameIsNotThisStepsAndABadNameIsPermanent) {
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kCheckName)).outcome.permanent());
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision, 1, "GW_1"));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_FALSE(Run(MakeJob(protocol::Action::kRevoke, 1, "")).outcome.ok());
}

}  // namespace
}  // namespace gps::worker::hub
