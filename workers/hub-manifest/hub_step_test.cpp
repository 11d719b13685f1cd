#include "workers/hub-manifest/hub_step.h"

#include <gtest/gtest.h>

#include "gps/protocol/step_results.h"
#include "workers/testing/http_test_util.h"

namespace gps::worker::hub {
namespace {

using ::gps::worker::testing::MakeResponse;

const Instant kNow{1'763'880'000'000};
constexpr Millis kThrottle = 10'000;
constexpr char kWhat[] = "hub-manifest: gw-1: look up device";

std::string DeviceJson(bool edge, std::string_view id = "gw-1") {
  return R"({"deviceId":")" + std::string(id) +
         R"(","etag":"MQ==","status":"enabled","capabilities":{"iotEdge":)" +
         (edge ? "true" : "false") + "}}";
}

std::string HubError(std::string_view code, std::string_view text) {
  return R"({"Message":"ErrorCode:)" + std::string(code) + ";" + std::string(text) +
         R"(","ExceptionMessage":"Tracking ID:abc-G:0-TimeStamp:01/01/2026 00:00:00"})";
}

http::Response NotFound() {
  return MakeResponse(404, HubError("DeviceNotFound", "Device gw-1 not registered"),
                      {{"iothub-errorcode", "DeviceNotFound"}});
}

TEST(HubDeviceAnswerTest, AnEdgeDeviceIsReady) {
  HubAnswer a =
      InterpretDevice(MakeResponse(200, DeviceJson(true)), "gw-1", kWhat, kThrottle, kNow);
  EXPECT_EQ(a.kind, HubAnswer::Kind::kDone) << a.outcome.error;
}

TEST(HubDeviceAnswerTest, DeviceNotFoundMeansNotThereYet) {
  EXPECT_EQ(InterpretDevice(NotFound(), "gw-1", kWhat, kThrottle, kNow).kind,
            HubAnswer::Kind::kMissing);
  // Without the header, the body's code decides; the JSON-in-Message shape counts too.
  EXPECT_EQ(InterpretDevice(MakeResponse(404, HubError("DeviceNotFound", "x")), "gw-1", kWhat,
                            kThrottle, kNow)
                .kind,
            HubAnswer::Kind::kMissing);
  EXPECT_EQ(InterpretDevice(
                MakeResponse(404, R"({"Message":"{\"errorCode\":404001,\"message\":\"x\"}"})"),
                "gw-1", kWhat, kThrottle, kNow)
                .kind,
            HubAnswer::Kind::kMissing);
  EXPECT_EQ(InterpretDevice(MakeResponse(404, ""), "gw-1", kWhat, kThrottle, kNow).kind,
            HubAnswer::Kind::kMissing);
}

TEST(HubDeviceAnswerTest, A404OfAnotherKindIsPermanent) {
  HubAnswer a = InterpretDevice(
      MakeResponse(404, HubError("NotFound", "The requested resource is not part of the registry"),
                   {{"iothub-errorcode", "NotFound"}}),
      "gw-1", kWhat, kThrottle, kNow);
  EXPECT_EQ(a.kind, HubAnswer::Kind::kFailed);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error,
            "hub-manifest: gw-1: look up device: HTTP 404: ErrorCode:NotFound;The requested "
            "resource is not part of the registry");
}

TEST(HubDeviceAnswerTest, ADeviceThatIsNotAnEdgeDeviceIsPermanent) {
  HubAnswer a =
      InterpretDevice(MakeResponse(200, DeviceJson(false)), "gw-1", kWhat, kThrottle, kNow);
  EXPECT_EQ(a.kind, HubAnswer::Kind::kFailed);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error,
            "hub-manifest: gw-1: look up device: IoT Hub device gw-1 is not an IoT Edge device "
            "(capabilities.iotEdge is false), so no deployment manifest can be applied to it");
}

TEST(HubDeviceAnswerTest, UnreadableOrForeignAnswersArePermanent) {
  HubAnswer garbage = InterpretDevice(MakeResponse(200, "<html>"), "gw-1", kWhat, kThrottle, kNow);
  EXPECT_TRUE(garbage.outcome.permanent());
  EXPECT_NE(garbage.outcome.error.find("unreadable answer"), std::string::npos);
  HubAnswer other =
      InterpretDevice(MakeResponse(200, DeviceJson(true, "gw-2")), "gw-1", kWhat, kThrottle, kNow);
  EXPECT_TRUE(other.outcome.permanent());
  EXPECT_NE(other.outcome.error.find("\"gw-2\""), std::string::npos);
}

TEST(HubDeviceAnswerTest, ThrottlingHonoursRetryAfterOrWaitsTheDefault) {
  HubAnswer with = InterpretDevice(
      MakeResponse(429, HubError("ThrottlingException", "slow down"), {{"Retry-After", "7"}}),
      "gw-1", kWhat, kThrottle, kNow);
  EXPECT_EQ(with.kind, HubAnswer::Kind::kFailed);
  EXPECT_TRUE(with.outcome.retryable());
  EXPECT_EQ(with.outcome.retry_after_ms, 7000);
  EXPECT_EQ(
      with.outcome.error,
      "hub-manifest: gw-1: look up device: HTTP 429: ErrorCode:ThrottlingException;slow down");

  HubAnswer without =
      InterpretDevice(MakeResponse(429, HubError("ThrottlingException", "slow down")), "gw-1",
                      kWhat, kThrottle, kNow);
  EXPECT_TRUE(without.outcome.retryable());
  EXPECT_EQ(without.outcome.retry_after_ms, kThrottle);
}

TEST(HubDeviceAnswerTest, ServerErrorsAndTransportFaultsAreRetryable) {
  for (int status : {500, 503}) {
    HubAnswer a = InterpretDevice(MakeResponse(status, HubError("ServerError", "oops")), "gw-1",
                                  kWhat, kThrottle, kNow);
    EXPECT_TRUE(a.outcome.retryable()) << status;
    EXPECT_EQ(a.outcome.retry_after_ms, 0) << status;
  }
  HubAnswer down =
      InterpretDevice(Status::Unavailable("connection refused"), "gw-1", kWhat, kThrottle, kNow);
  EXPECT_TRUE(down.outcome.retryable());
  EXPECT_EQ(down.outcome.error, "hub-manifest: gw-1: look up device: connection refused");
}

TEST(HubDeviceAnswerTest, OtherClientErrorsArePermanentWithIotHubsText) {
  HubAnswer a =
      InterpretDevice(MakeResponse(401, HubError("IotHubUnauthorizedAccess", "Unauthorized"),
                                   {{"iothub-errorcode", "IotHubUnauthorizedAccess"}}),
                      "gw-1", kWhat, kThrottle, kNow);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error,
            "hub-manifest: gw-1: look up device: HTTP 401: "
            "ErrorCode:IotHubUnauthorizedAccess;Unauthorized");
}

TEST(HubApplyAnswerTest, OkOrNoContentIsDone) {
  EXPECT_EQ(InterpretApply(MakeResponse(204, ""), "apply", kThrottle, kNow).kind,
            HubAnswer::Kind::kDone);
  EXPECT_EQ(InterpretApply(MakeResponse(200, "{}"), "apply", kThrottle, kNow).kind,
            HubAnswer::Kind::kDone);
}

TEST(HubApplyAnswerTest, MissingThrottledAndRefused) {
  EXPECT_EQ(InterpretApply(NotFound(), "apply", kThrottle, kNow).kind, HubAnswer::Kind::kMissing);
  HubAnswer throttled = InterpretApply(MakeResponse(429, ""), "apply", kThrottle, kNow);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, kThrottle);
  EXPECT_TRUE(InterpretApply(MakeResponse(503, ""), "apply", kThrottle, kNow).outcome.retryable());
  HubAnswer refused = InterpretApply(
      MakeResponse(400, HubError("ArgumentInvalid", "Device gw-1 is not an Azure IoT Edge device")),
      "hub-manifest: gw-1: apply the manifest", kThrottle, kNow);
  EXPECT_EQ(refused.kind, HubAnswer::Kind::kFailed);
  EXPECT_TRUE(refused.outcome.permanent());
  EXPECT_EQ(refused.outcome.error,
            "hub-manifest: gw-1: apply the manifest: HTTP 400: ErrorCode:ArgumentInvalid;Device "
            "gw-1 is not an Azure IoT Edge device");
}

constexpr char kDisableWhat[] = "hub-manifest: gw-1: look up device to disable";

// The Device as IoT Hub's GET returns it (cloud-apis.md 4.2).
std::string FullDevice(std::string_view status, std::string_view etag = "MTM2") {
  return R"({"deviceId":"gw-1","generationId":"638101","etag":")" + std::string(etag) +
         R"(","connectionState":"Disconnected","status":")" + std::string(status) +
         R"(","statusReason":null,"lastActivityTime":"0001-01-01T00:00:00Z",)"
         R"("authentication":{"symmetricKey":{"primaryKey":"cHJpbWFyeQ==","secondaryKey":)"
         R"("c2Vjb25kYXJ5"},"x509Thumbprint":{"primaryThumbprint":null,)"
         R"("secondaryThumbprint":null},"type":"sas"},"capabilities":{"iotEdge":true},)"
         R"("deviceScope":"ms-azure-iot-edge://gw-1-638101","parentScopes":[]})";
}

TEST(HubDisablePlanTest, AnEnabledDeviceIsWrittenBackDisabledUnderItsEtag) {
  DisablePlan plan =
      PlanDisable(MakeResponse(200, FullDevice("enabled")), "gw-1", kDisableWhat, kThrottle, kNow);
  ASSERT_EQ(plan.kind, DisablePlan::Kind::kDisable) << plan.outcome.error;
  EXPECT_EQ(plan.etag, "MTM2");
  EXPECT_EQ(plan.body, DisabledDeviceBody(FullDevice("enabled"), kRevokedStatusReason).value());
  EXPECT_NE(plan.body.find(R"("status":"disabled")"), std::string::npos) << plan.body;
  EXPECT_NE(plan.body.find(R"("primaryKey":"cHJpbWFyeQ==")"), std::string::npos) << plan.body;
}

TEST(HubDisablePlanTest, DisabledOrMissingNeedsNoWrite) {
  EXPECT_EQ(
      PlanDisable(MakeResponse(200, FullDevice("disabled")), "gw-1", kDisableWhat, kThrottle, kNow)
          .kind,
      DisablePlan::Kind::kAlreadyDisabled);
  DisablePlan gone = PlanDisable(NotFound(), "gw-1", kDisableWhat, kThrottle, kNow);
  EXPECT_EQ(gone.kind, DisablePlan::Kind::kGone);
  EXPECT_TRUE(gone.outcome.ok());
  EXPECT_TRUE(gone.body.empty());
}

TEST(HubDisablePlanTest, FailedLookUpsKeepTheirOutcome) {
  DisablePlan throttled = PlanDisable(MakeResponse(429, HubError("ThrottlingException", "slow")),
                                      "gw-1", kDisableWhat, kThrottle, kNow);
  EXPECT_EQ(throttled.kind, DisablePlan::Kind::kFailed);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, kThrottle);
  DisablePlan server = PlanDisable(MakeResponse(503, ""), "gw-1", kDisableWhat, kThrottle, kNow);
  EXPECT_TRUE(server.outcome.retryable());
  DisablePlan denied =
      PlanDisable(MakeResponse(401, HubError("IotHubUnauthorizedAccess", "Unauthorized")), "gw-1",
                  kDisableWhat, kThrottle, kNow);
  EXPECT_TRUE(denied.outcome.permanent());
  EXPECT_EQ(denied.outcome.error,
            "hub-manifest: gw-1: look up device to disable: HTTP 401: "
            "ErrorCode:IotHubUnauthorizedAccess;Unauthorized");
  DisablePlan wrong_url = PlanDisable(
      MakeResponse(404, HubError("NotFound", "no such path"), {{"iothub-errorcode", "NotFound"}}),
      "gw-1", kDisableWhat, kThrottle, kNow);
  EXPECT_EQ(wrong_url.kind, DisablePlan::Kind::kFailed);
  EXPECT_TRUE(wrong_url.outcome.permanent());
}

TEST(HubDisablePlanTest, AnswersThatCannotBeWrittenBackArePermanent) {
  for (std::string_view body :
       {std::string_view("<html>"), std::string_view(R"({"deviceId":"gw-2","etag":"MQ=="})")}) {
    DisablePlan plan =
        PlanDisable(MakeResponse(200, std::string(body)), "gw-1", kDisableWhat, kThrottle, kNow);
    EXPECT_EQ(plan.kind, DisablePlan::Kind::kFailed) << body;
    EXPECT_TRUE(plan.outcome.permanent()) << body;
  }
  // As JSON text: an empty etag, one with a quote inside, a space, and one of 129 characters.
  const std::string too_long(129, 'x');
  for (std::string_view etag : {std::string_view(""), std::string_view(R"(a\"b)"),
                                std::string_view("a b"), std::string_view(too_long)}) {
    DisablePlan plan = PlanDisable(MakeResponse(200, FullDevice("enabled", etag)), "gw-1",
                                   kDisableWhat, kThrottle, kNow);
    EXPECT_EQ(plan.kind, DisablePlan::Kind::kFailed) << etag;
    EXPECT_TRUE(plan.outcome.permanent()) << etag;
    EXPECT_NE(plan.outcome.error.find("cannot be sent back in If-Match"), std::string::npos)
        << plan.outcome.error;
  }
}

TEST(HubUpdateAnswerTest, DoneMissingStaleAndFailed) {
  constexpr char kWhatPut[] = "hub-manifest: gw-1: disable device";
  EXPECT_EQ(
      InterpretUpdate(MakeResponse(200, FullDevice("disabled")), kWhatPut, kThrottle, kNow).kind,
      HubAnswer::Kind::kDone);
  EXPECT_EQ(InterpretUpdate(NotFound(), kWhatPut, kThrottle, kNow).kind, HubAnswer::Kind::kMissing);

  HubAnswer stale = InterpretUpdate(
      MakeResponse(412, HubError("PreconditionFailed", "Precondition failed: Invalid ETag"),
                   {{"iothub-errorcode", "PreconditionFailed"}}),
      kWhatPut, kThrottle, kNow);
  EXPECT_EQ(stale.kind, HubAnswer::Kind::kStale);
  EXPECT_EQ(stale.outcome.error,
            "hub-manifest: gw-1: disable device: HTTP 412: ErrorCode:PreconditionFailed;"
            "Precondition failed: Invalid ETag");

  HubAnswer exists = InterpretUpdate(
      MakeResponse(
          409, HubError("DeviceAlreadyExists", "A device with ID 'gw-1' is already registered.")),
      kWhatPut, kThrottle, kNow);
  EXPECT_EQ(exists.kind, HubAnswer::Kind::kFailed);
  EXPECT_TRUE(exists.outcome.permanent());
  HubAnswer refused =
      InterpretUpdate(MakeResponse(400, HubError("ArgumentInvalid", "StatusReason is too long")),
                      kWhatPut, kThrottle, kNow);
  EXPECT_TRUE(refused.outcome.permanent());
  HubAnswer throttled = InterpretUpdate(MakeResponse(429, ""), kWhatPut, kThrottle, kNow);
  EXPECT_EQ(throttled.kind, HubAnswer::Kind::kFailed);
  EXPECT_EQ(throttled.outcome.retry_after_ms, kThrottle);
  EXPECT_TRUE(
      InterpretUpdate(MakeResponse(500, ""), kWhatPut, kThrottle, kNow).outcome.retryable());
  EXPECT_TRUE(InterpretUpdate(Status::Unavailable("connection reset"), kWhatPut, kThrottle, kNow)
                  .outcome.retryable());
}

TEST(HubRevokeDataTest, DisabledOrNothingThere) {
  EXPECT_EQ(RevokeData(true), R"({"disabled":true})");
  EXPECT_EQ(RevokeData(false), "{}");
}

TEST(HubWaitingTest, WaitingIsRetryableWithItsMarkAndDelay) {
  protocol::JobResult r = WaitingResult("gw-1", 60'000);
  EXPECT_TRUE(r.outcome.retryable());
  EXPECT_EQ(r.outcome.retry_after_ms, 60'000);
  EXPECT_EQ(r.outcome.error,
            "hub-manifest: gw-1 is not in IoT Hub yet (waiting for the gateway to register "
            "through DPS)");
  EXPECT_EQ(r.data_json, R"({"hubDeviceId":"gw-1","waiting":true})");
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(r));

  // Survives the trip to the engine.
  Result<protocol::JobResult> back = protocol::ParseJobResult(protocol::EncodeJobResult(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(protocol::IsWaitingForHubDevice(*back));
  EXPECT_EQ(back->outcome.retry_after_ms, 60'000);
}

TEST(HubWaitingTest, OnlyAWaitingMarkOnARetryableResultIsWaiting) {
  protocol::JobResult failure{Outcome::Retryable("hub-manifest: HTTP 503"), "{}"};
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(failure));
  protocol::JobResult permanent{Outcome::Permanent("x"),
                                R"({"hubDeviceId":"gw-1","waiting":true})"};
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(permanent));
  protocol::JobResult applied{Outcome::Ok(), R"({"hubDeviceId":"gw-1","applied":true})"};
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(applied));
  protocol::JobResult malformed{Outcome::Retryable("x"), R"({"waiting":"yes"})"};
  EXPECT_FALSE(protocol::IsWaitingForHubDevice(malformed));
}

TEST(HubManifestResultTest, RoundTripsAndRefusesMalformedData) {
  protocol::HubManifestResult applied{"gw-berlin-0042", true, false};
  EXPECT_EQ(protocol::EncodeHubManifest(applied),
            R"({"hubDeviceId":"gw-berlin-0042","applied":true})");
  Result<protocol::HubManifestResult> back =
      protocol::ParseHubManifest(protocol::EncodeHubManifest(applied));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->hub_device_id, "gw-berlin-0042");
  EXPECT_TRUE(back->applied);
  EXPECT_FALSE(back->waiting);

  for (std::string_view bad :
       {R"({})", R"({"hubDeviceId":""})", R"({"hubDeviceId":7})",
        R"({"hubDeviceId":"gw-1","applied":"true"})",
        R"({"hubDeviceId":"gw-1","applied":true,"waiting":true})", "[]", "not json"}) {
    EXPECT_FALSE(protocol::ParseHubManifest(bad).ok()) << bad;
  }
  EXPECT_FALSE(
      protocol::ParseHubManifest(R"({"hubDeviceId":")" + std::string(129, 'a') + R"("})").ok());
}

TEST(HubValuesTest, TheJobGivesNameDeviceIdAndMenderId) {
  protocol::Job job;
  job.id.device_id = std::string(64, 'a');
  job.name = "gw-1";
  job.facts_json = R"({"menderDeviceId":"5c4ad8e1-6f0a-4a8c-9e0e-1f2a3b4c5d6e","other":1})";
  Result<TemplateValues> v = ValuesOf(job);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->device_name, "gw-1");
  EXPECT_EQ(v->device_id, std::string(64, 'a'));
  EXPECT_EQ(v->mender_device_id, "5c4ad8e1-6f0a-4a8c-9e0e-1f2a3b4c5d6e");

  job.facts_json = "{}";
  EXPECT_EQ(ValuesOf(job).value().mender_device_id, "");
  job.facts_json = R"({"menderDeviceId":42})";
  EXPECT_FALSE(ValuesOf(job).ok());
}

}  // namespace
}  // namespace gps::worker::hub
