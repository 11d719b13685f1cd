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

TEST(HubDeleteAnswerTest, DeletedAndAlreadyGoneAreBothOk) {
  EXPECT_TRUE(InterpretDelete(MakeResponse(204, ""), "delete", kThrottle, kNow).ok());
  EXPECT_TRUE(InterpretDelete(NotFound(), "delete", kThrottle, kNow).ok());
  EXPECT_TRUE(InterpretDelete(MakeResponse(412, HubError("PreconditionFailed", "etag")), "delete",
                              kThrottle, kNow)
                  .permanent());
  EXPECT_TRUE(InterpretDelete(MakeResponse(429, ""), "delete", kThrottle, kNow).retryable());
  EXPECT_TRUE(InterpretDelete(MakeResponse(500, ""), "delete", kThrottle, kNow).retryable());
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
