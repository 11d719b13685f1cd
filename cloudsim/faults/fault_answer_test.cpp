#include "cloudsim/faults/fault_answer.h"

#include <gtest/gtest.h>

#include "cloudsim/testing/test_util.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::Req;
using testing::Str;

constexpr Instant kNow{1'800'000'000'000};

FaultAction ServerError(int status) {
  FaultAction a;
  a.kind = FaultKind::kServerError;
  a.status = status;
  return a;
}

FaultAction Throttle(std::int64_t retry_after_s) {
  FaultAction a;
  a.kind = FaultKind::kThrottle;
  a.status = 429;
  a.retry_after_s = retry_after_s;
  a.rate_limit = 10;
  a.reset_s = 3;
  return a;
}

FaultAction Fail(int status, std::string message) {
  FaultAction a;
  a.kind = FaultKind::kFail;
  a.status = status;
  a.message = std::move(message);
  return a;
}

TEST(FaultAnswer, MenderShapesWithTheRequestIdEchoed) {
  ApiRequest req = Req("POST", "/api/management/v2/devauth/devices", {{"X-MEN-RequestID", "r-1"}});
  ApiResponse r = FaultAnswer("mender", Throttle(4), req, kNow);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "4");
  EXPECT_EQ(r.Header("X-MEN-RequestID"), "r-1");
  EXPECT_EQ(Str(Body(r).Root(), "error"), "too many requests");
  EXPECT_EQ(Str(Body(r).Root(), "request_id"), "r-1");

  r = FaultAnswer("mender", ServerError(500), req, kNow);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Str(Body(r).Root(), "error"), "internal error");
  EXPECT_FALSE(r.Header("Retry-After"));
  r = FaultAnswer("mender", ServerError(503), Req("GET", "/x"), kNow);
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(Str(Body(r).Root(), "request_id").empty());  // a fresh id when none was sent

  r = FaultAnswer("mender", Fail(400, "name taken"), req, kNow);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Body(r).Root(), "error"), "name taken");
}

TEST(FaultAnswer, DpsShapesCarryTheErrorCodeHeader) {
  ApiRequest req = Req("PUT", "/enrollments/gw-1?api-version=2021-10-01");
  ApiResponse r = FaultAnswer("dps", Throttle(2), req, kNow);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "2");
  EXPECT_EQ(r.Header("x-ms-error-code"), "429001");
  json::Document body = Body(r);
  EXPECT_EQ(body.Root().GetInt("errorCode").value_or(0), 429001);
  EXPECT_FALSE(Str(body.Root(), "trackingId").empty());
  EXPECT_EQ(Str(body.Root(), "timestampUtc"), FormatRfc3339(kNow));

  r = FaultAnswer("dps", ServerError(500), req, kNow);
  EXPECT_EQ(Body(r).Root().GetInt("errorCode").value_or(0), 500000);
  EXPECT_EQ(Str(Body(r).Root(), "message"), "An internal error occurred.");

  r = FaultAnswer("dps", Fail(400, "registration id is reserved"), req, kNow);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("x-ms-error-code"), "400004");
  EXPECT_EQ(Str(Body(r).Root(), "message"), "registration id is reserved");
}

TEST(FaultAnswer, VaultShapesAndQuotaHeaders) {
  ApiRequest req = Req("POST", "/v1/pki/issue/gps-device");
  ApiResponse r = FaultAnswer("vault", Throttle(3), req, kNow);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "3");
  EXPECT_EQ(r.Header("X-Ratelimit-Limit"), "10");
  EXPECT_EQ(r.Header("X-Ratelimit-Remaining"), "0");
  EXPECT_EQ(r.Header("X-Ratelimit-Reset"), "3");
  EXPECT_EQ(r.body,
            R"({"errors":["request path \"pki/issue/gps-device\": rate limit quota exceeded"]})");

  EXPECT_EQ(FaultAnswer("vault", ServerError(503), req, kNow).body,
            R"({"errors":["Vault is sealed"]})");
  EXPECT_EQ(FaultAnswer("vault", ServerError(500), req, kNow).body,
            R"({"errors":["internal error"]})");
  EXPECT_EQ(FaultAnswer("vault", ServerError(502), req, kNow).status, 502);
  EXPECT_EQ(FaultAnswer("vault", Fail(400, "common name not allowed"), req, kNow).body,
            R"({"errors":["common name not allowed"]})");
}

TEST(FaultAnswer, HubShapesNameTheErrorCode) {
  ApiRequest req = Req("GET", "/devices/gw-1?api-version=2021-04-12");
  ApiResponse r = FaultAnswer("hub", Throttle(1), req, kNow);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(r.Header("iothub-errorcode"), "ThrottlingException");
  EXPECT_EQ(Str(Body(r).Root(), "Message").rfind("ErrorCode:ThrottlingException;", 0), 0u);
  EXPECT_EQ(FaultAnswer("hub", ServerError(503), req, kNow).Header("iothub-errorcode"),
            "ServiceUnavailable");
  EXPECT_EQ(FaultAnswer("hub", ServerError(500), req, kNow).Header("iothub-errorcode"),
            "ServerError");
  r = FaultAnswer("hub", Fail(400, "bad content"), req, kNow);
  EXPECT_EQ(r.Header("iothub-errorcode"), "ArgumentInvalid");
  EXPECT_EQ(Str(Body(r).Root(), "Message"), "ErrorCode:ArgumentInvalid;bad content");
}

TEST(FaultAnswer, AFailBodyIsSentVerbatimAndAnEmptyMessageGetsAGenericText) {
  FaultAction a = Fail(409, "");
  a.body_json = R"({"custom":true})";
  ApiResponse r = FaultAnswer("dps", a, Req("GET", "/x"), kNow);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, R"({"custom":true})");
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  r = FaultAnswer("vault", Fail(422, ""), Req("GET", "/v1/x"), kNow);
  EXPECT_EQ(r.body, R"({"errors":["injected fault: unprocessable entity"]})");
}

}  // namespace
}  // namespace gps::cloudsim
