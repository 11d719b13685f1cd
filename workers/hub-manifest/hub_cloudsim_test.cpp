// The hub-manifest step against cloudsim's IoT Hub API over real HTTP, in-process: a gateway not
// yet registered is waited for, a registered one gets the manifest (and again, unchanged, on a
// repeat), a wrong key is a permanent 401, throttling is retryable, and revoke deletes the device
// idempotently. A small wrapper around the simulated API throttles on demand.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "cloudsim/hub/hub_api.h"
#include "cloudsim/server/dispatcher.h"
#include "cloudsim/server/http_server.h"
#include "cloudsim/state/sim_state.h"
#include "gps/azure/sas_token.h"
#include "gps/json/json.h"
#include "gps/protocol/step_results.h"
#include "workers/hub-manifest/hub_step.h"
#include "workers/hub-manifest/hub_test_support.h"

namespace gps::worker::hub {
namespace {

using cloudsim::ApiRequest;
using cloudsim::ApiResponse;

constexpr char kHost[] = "myhub.azure-devices.net";
constexpr char kPolicy[] = "iothubowner";
constexpr char kKey[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
constexpr char kOtherKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const std::string kDevice(64, 'a');

// Cloudsim's IoT Hub, throttling the next `throttle` requests as IoT Hub does (429, no
// Retry-After).
class ThrottlingHub final : public cloudsim::Service {
 public:
  ThrottlingHub(cloudsim::Service* inner, const Clock* clock) : inner_(inner), clock_(clock) {}

  std::string_view Name() const override { return "hub"; }

  ApiResponse Handle(const ApiRequest& request) override {
    int left = throttle.load();
    while (left > 0) {
      if (throttle.compare_exchange_weak(left, left - 1)) {
        return cloudsim::hub::Error(429, "ThrottlingException", "Rate limit exceeded",
                                    clock_->Now());
      }
    }
    return inner_->Handle(request);
  }

  std::atomic<int> throttle{0};

 private:
  cloudsim::Service* inner_;
  const Clock* clock_;
};

class HubCloudsimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_ = std::make_unique<cloudsim::HubApi>(cloudsim::HubConfig{kHost, kPolicy, kKey}, &state_,
                                              &clock_);
    throttling_ = std::make_unique<ThrottlingHub>(api_.get(), &clock_);
    dispatcher_ = std::make_unique<cloudsim::Dispatcher>(throttling_.get(), &state_);
    server_ = std::make_unique<cloudsim::HttpServer>(dispatcher_.get(), 1 << 20);
    Result<int> port = server_->Bind("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    server_->Start();
    ASSERT_TRUE(server_->WaitUntilRunning(std::chrono::seconds(5)));
    client_ = std::make_unique<HubClient>(Settings(kKey), clock_);
    step_ = std::make_unique<HubStep>(*client_);
  }

  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
  }

  HubSettings Settings(const char* key) {
    HubSettings s;
    s.url = "http://127.0.0.1:" + std::to_string(port_);
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

  // Each job on a thread of its own, as the runtime's handler threads do; the thread's keep-alive
  // connection closes when it ends, so stopping the server need not wait for it to time out.
  protocol::JobResult Run(const protocol::Job& job, HubStep* step = nullptr) {
    protocol::JobResult result;
    HubStep* handler = step != nullptr ? step : step_.get();
    std::thread([&] { result = handler->Handle(job, job.deadline); }).join();
    return result;
  }

  // What a gateway's first registration through DPS does to the registry: create the device.
  void Register(const std::string& name, bool edge = true) {
    std::string sas =
        azure::BuildSasToken(kHost, kKey, kPolicy, clock_.Now().ms / 1000 + 600).value();
    Result<ApiRequest> put =
        cloudsim::MakeRequest("PUT", "/devices/" + name + "?api-version=2021-04-12",
                              {{"Authorization", sas}, {"Content-Type", "application/json"}},
                              R"({"deviceId":")" + name + R"(","capabilities":{"iotEdge":)" +
                                  (edge ? "true" : "false") + "}}");
    ASSERT_TRUE(put.ok());
    ApiResponse r = api_->Handle(*put);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::optional<std::string> StoredManifest(const std::string& name) {
    return state_.Locked([&](cloudsim::SimData& data) -> std::optional<std::string> {
      auto it = data.hub.devices.find(name);
      if (it == data.hub.devices.end()) {
        return std::nullopt;
      }
      return it->second.configuration_content_json.value_or("");
    });
  }

  bool Exists(const std::string& name) {
    return state_.Locked([&](cloudsim::SimData& data) { return data.hub.devices.count(name) > 0; });
  }

  SystemClock clock_;
  cloudsim::SimState state_;
  testing::TempFile manifest_{testing::kTemplate};
  std::unique_ptr<cloudsim::HubApi> api_;
  std::unique_ptr<ThrottlingHub> throttling_;
  std::unique_ptr<cloudsim::Dispatcher> dispatcher_;
  std::unique_ptr<cloudsim::HttpServer> server_;
  int port_ = 0;
  std::unique_ptr<HubClient> client_;
  std::unique_ptr<HubStep> step_;
};

TEST_F(HubCloudsimTest, ADeviceNotRegisteredYetIsWaitedFor) {
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(r));
  EXPECT_EQ(r.outcome.retry_after_ms, 90'000);
  EXPECT_NE(r.outcome.error.find("not in IoT Hub yet"), std::string::npos) << r.outcome.error;
  EXPECT_FALSE(Exists("gw-1"));  // looking creates nothing
}

TEST_F(HubCloudsimTest, ARegisteredDeviceGetsTheManifestAndARepeatChangesNothing) {
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(Run(MakeJob(protocol::Action::kProvision, 1))));
  Register("gw-1");

  protocol::JobResult applied = Run(MakeJob(protocol::Action::kProvision, 2));
  ASSERT_TRUE(applied.outcome.ok()) << applied.outcome.error;
  EXPECT_EQ(applied.data_json, R"({"hubDeviceId":"gw-1","applied":true})");
  std::optional<std::string> stored = StoredManifest("gw-1");
  ASSERT_TRUE(stored.has_value());
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
}

TEST_F(HubCloudsimTest, ADeviceThatIsNotAnEdgeDeviceIsPermanent) {
  Register("gw-1", false);
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_NE(r.outcome.error.find("not an IoT Edge device"), std::string::npos) << r.outcome.error;
  EXPECT_EQ(StoredManifest("gw-1"), "");
}

TEST_F(HubCloudsimTest, ThrottlingIsRetryableWithTheDefaultDelay) {
  Register("gw-1");
  throttling_->throttle = 1;
  protocol::JobResult throttled = Run(MakeJob(protocol::Action::kProvision, 1));
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(throttled));
  EXPECT_EQ(throttled.outcome.retry_after_ms, 12'000);
  EXPECT_NE(throttled.outcome.error.find("HTTP 429"), std::string::npos);
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kProvision, 2)).outcome.ok());
}

TEST_F(HubCloudsimTest, RevokeDeletesTheDeviceAndIsIdempotent) {
  Register("gw-1");
  Register("gw-2");
  ASSERT_TRUE(Run(MakeJob(protocol::Action::kProvision)).outcome.ok());
  for (int i = 0; i < 2; ++i) {
    protocol::JobResult r = Run(MakeJob(protocol::Action::kRevoke));
    EXPECT_TRUE(r.outcome.ok()) << i << ": " << r.outcome.error;
    EXPECT_EQ(r.data_json, "{}");
    EXPECT_FALSE(Exists("gw-1")) << i;
  }
  EXPECT_TRUE(Exists("gw-2"));
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(Run(MakeJob(protocol::Action::kProvision))));
}

TEST_F(HubCloudsimTest, CheckNameIsNotThisStepsAndABadNameIsPermanent) {
  EXPECT_TRUE(Run(MakeJob(protocol::Action::kCheckName)).outcome.permanent());
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision, 1, "GW_1"));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_FALSE(Run(MakeJob(protocol::Action::kRevoke, 1, "")).outcome.ok());
}

}  // namespace
}  // namespace gps::worker::hub
