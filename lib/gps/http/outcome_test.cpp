#include "gps/http/outcome.h"

#include <gtest/gtest.h>

#include <string>

#include "gps/json/json.h"

namespace gps::http {
namespace {

// 2015-10-21T07:28:00Z, the date of RFC 9110's Retry-After example.
constexpr Instant kNow{1445412480000};

Response Reply(int status, std::string body = "", std::vector<Header> headers = {}) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

Outcome ClassifyReply(const Response& r) { return Classify(r, "mender: preauthorize aa:bb", kNow); }

TEST(HttpOutcome, TwoHundredsAreOk) {
  for (int status : {200, 201, 202, 204, 299}) {
    Outcome o = ClassifyReply(Reply(status, "{}"));
    EXPECT_TRUE(o.ok()) << status;
    EXPECT_EQ(o.error, "") << status;
  }
}

TEST(HttpOutcome, TooManyRequestsHonoursRetryAfterSeconds) {
  Outcome o = ClassifyReply(Reply(429, R"({"error":"slow down"})", {{"Retry-After", "120"}}));
  EXPECT_TRUE(o.retryable());
  EXPECT_EQ(o.retry_after_ms, 120000);
  EXPECT_EQ(o.error, "mender: preauthorize aa:bb: HTTP 429: slow down");
}

TEST(HttpOutcome, TooManyRequestsHonoursRetryAfterHttpDate) {
  // Ninety seconds after kNow.
  Outcome o = ClassifyReply(Reply(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:29:30 GMT"}}));
  EXPECT_TRUE(o.retryable());
  EXPECT_EQ(o.retry_after_ms, 90000);
}

TEST(HttpOutcome, TooManyRequestsWithoutRetryAfterLeavesTheDelayToThePolicy) {
  Outcome o = ClassifyReply(Reply(429, ""));
  EXPECT_TRUE(o.retryable());
  EXPECT_EQ(o.retry_after_ms, 0);
  o = ClassifyReply(Reply(429, "", {{"Retry-After", "soon"}}));
  EXPECT_TRUE(o.retryable());
  EXPECT_EQ(o.retry_after_ms, 0);
}

TEST(HttpOutcome, TheLastRetryAfterHeaderCounts) {
  Outcome o = ClassifyReply(Reply(429, "", {{"Retry-After", "1"}, {"RETRY-AFTER", "2"}}));
  EXPECT_EQ(o.retry_after_ms, 2000);
}

TEST(HttpOutcome, ServerErrorsAndRequestTimeoutAreRetryable) {
  for (int status : {408, 500, 502, 503, 504}) {
    Outcome o = ClassifyReply(Reply(status, R"({"message":"busy"})", {{"Retry-After", "5"}}));
    EXPECT_TRUE(o.retryable()) << status;
    EXPECT_EQ(o.error, "mender: preauthorize aa:bb: HTTP " + std::to_string(status) + ": busy");
  }
}

TEST(HttpOutcome, OtherClientErrorsArePermanent) {
  for (int status : {400, 401, 403, 404, 409, 412, 415, 422}) {
    Outcome o = ClassifyReply(Reply(status, R"({"error":"nope"})"));
    EXPECT_TRUE(o.permanent()) << status;
    EXPECT_EQ(o.retry_after_ms, 0);
    EXPECT_NE(o.error.find("HTTP " + std::to_string(status) + ": nope"), std::string::npos)
        << o.error;
  }
}

TEST(HttpOutcome, KeepsTheMessageOfEachCloudsErrorBody) {
  // Mender.
  EXPECT_EQ(ClassifyReply(Reply(400, R"({"error":"bad identity","request_id":"r1"})")).error,
            "mender: preauthorize aa:bb: HTTP 400: bad identity");
  // DPS.
  EXPECT_EQ(ClassifyReply(Reply(401, R"({"errorCode":401002,"trackingId":"t",)"
                                     R"("message":"unauthorized","timestampUtc":"x"})"))
                .error,
            "mender: preauthorize aa:bb: HTTP 401: unauthorized");
  // Vault.
  EXPECT_EQ(ClassifyReply(Reply(403, R"({"errors":["permission denied","second"]})")).error,
            "mender: preauthorize aa:bb: HTTP 403: permission denied; second");
  // IoT Hub.
  EXPECT_EQ(ClassifyReply(Reply(404, R"({"Message":"ErrorCode:DeviceNotFound;gw-1",)"
                                     R"("ExceptionMessage":"Tracking ID:x"})"))
                .error,
            "mender: preauthorize aa:bb: HTTP 404: ErrorCode:DeviceNotFound;gw-1");
  // Conflict, as Mender sends it.
  EXPECT_EQ(ClassifyReply(Reply(409, R"({"error":"device already exists"})")).error,
            "mender: preauthorize aa:bb: HTTP 409: device already exists");
}

TEST(HttpOutcome, ErrorTextFallsBackToTheBody) {
  EXPECT_EQ(ErrorText(Reply(502, "<html>Bad Gateway</html>")), "<html>Bad Gateway</html>");
  EXPECT_EQ(ErrorText(Reply(500, "")), "(empty body)");
  EXPECT_EQ(ErrorText(Reply(400, R"({"other":"field"})")), R"({"other":"field"})");
  EXPECT_EQ(ErrorText(Reply(400, R"({"error":""})")), R"({"error":""})");
  EXPECT_EQ(ErrorText(Reply(400, R"({"error":42})")), R"({"error":42})");
  EXPECT_EQ(ErrorText(Reply(400, R"({"errors":[]})")), R"({"errors":[]})");
  EXPECT_EQ(ErrorText(Reply(400, R"(["error"])")), R"(["error"])");
}

TEST(HttpOutcome, ErrorTextIsShortened) {
  std::string huge(100000, 'x');
  std::string text = ErrorText(Reply(500, huge));
  EXPECT_LT(text.size(), 600u);
  EXPECT_EQ(text.rfind("xxxx", 0), 0u);
  std::string json_text = ErrorText(Reply(400, R"({"error":")" + huge + R"("})"));
  EXPECT_LT(json_text.size(), 600u);
}

TEST(HttpOutcome, ErrorTextCanTravelInJson) {
  // The error goes into a result message; a body cut mid-character or not UTF-8 at all must not
  // make that message unparseable.
  std::string umlauts;
  for (int i = 0; i < 400; ++i) {
    umlauts += "\xc3\xbc";  // two bytes each, so a byte limit can fall inside one
  }
  for (const std::string& body :
       {umlauts, std::string("\xff\xfe binary"), R"({"error":")" + umlauts + R"("})"}) {
    json::Writer w;
    w.BeginObject().Field("error", ErrorText(Reply(500, body))).EndObject();
    std::string text = w.Take();
    EXPECT_TRUE(json::ParseObject(text, 1 << 20, "result").ok()) << text.substr(0, 80);
  }
}

TEST(HttpOutcome, TransportErrorsAreRetryable) {
  Result<Response> failed = Status::Unavailable("connect to 10.0.0.1:443: connection refused");
  Outcome o = Classify(failed, "dps: create enrollment gw-1", kNow);
  EXPECT_TRUE(o.retryable());
  EXPECT_EQ(o.retry_after_ms, 0);
  EXPECT_EQ(o.error, "dps: create enrollment gw-1: connect to 10.0.0.1:443: connection refused");

  Result<Response> timed_out = Status::DeadlineExceeded("timeout after 10000 ms");
  EXPECT_TRUE(Classify(timed_out, "vault: issue", kNow).retryable());
}

TEST(HttpOutcome, OtherStatusClassesArePermanent) {
  for (int status : {100, 301, 304}) {
    EXPECT_TRUE(ClassifyReply(Reply(status)).permanent()) << status;
  }
}

TEST(RetryAfter, ParsesDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("0", kNow), 0);
  EXPECT_EQ(ParseRetryAfter("1", kNow), 1000);
  EXPECT_EQ(ParseRetryAfter(" 30 ", kNow), 30000);
  EXPECT_EQ(ParseRetryAfter("86400", kNow), 86400000);
}

TEST(RetryAfter, ParsesImfFixdate) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:01 GMT", kNow), 1000);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 08:28:00 GMT", kNow), 3600000);
  // A date in the past means "now".
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", kNow), 0);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", kNow), 0);
}

TEST(RetryAfter, UnparseableValuesGiveZero) {
  for (const char* value :
       {"", "   ", "-5", "1.5", "5s", "0x10", "1234567890123", "Wed, 21 Oct 2015 07:29:00",
        "Wed, 21 Oct 2015 07:29:00 GMT junk", "tomorrow"}) {
    EXPECT_EQ(ParseRetryAfter(value, kNow), 0) << value;
  }
}

}  // namespace
}  // namespace gps::http
