#include "ui/api/requests.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

const std::string kId(64, 'a');

TEST(CheckDeviceIdTest, OnlySixtyFourLowerCaseHex) {
  EXPECT_FALSE(CheckDeviceId(kId).has_value());
  EXPECT_FALSE(CheckDeviceId("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  for (std::string bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
                          std::string(63, 'a') + "g", std::string(""), std::string("../etc")}) {
    std::optional<Refusal> r = CheckDeviceId(bad);
    ASSERT_TRUE(r.has_value()) << bad;
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->message.find("64 lower-case hex"), std::string::npos);
  }
}

TEST(CheckSameOriginTest, NoOriginPasses) {
  EXPECT_FALSE(CheckSameOrigin(std::nullopt, "127.0.0.1:8080").has_value());
  EXPECT_FALSE(CheckSameOrigin(std::nullopt, std::nullopt).has_value());
}

TEST(CheckSameOriginTest, OwnOriginPasses) {
  EXPECT_FALSE(CheckSameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080").has_value());
  EXPECT_FALSE(CheckSameOrigin("https://GPS.example.com", "gps.example.com").has_value());
}

TEST(CheckSameOriginTest, OtherOriginsAreRefused) {
  struct Case {
    std::optional<std::string> origin;
    std::optional<std::string> host;
  };
  for (const Case& c :
       {Case{"http://evil.example", "127.0.0.1:8080"},
        Case{"http://127.0.0.1:9999", "127.0.0.1:8080"}, Case{"null", "127.0.0.1:8080"},
        Case{"http://127.0.0.1:8080/path", "127.0.0.1:8080"},
        Case{"http://127.0.0.1:8080", std::nullopt}, Case{"", "x"}}) {
    std::optional<Refusal> r = CheckSameOrigin(c.origin, c.host);
    ASSERT_TRUE(r.has_value()) << c.origin.value_or("-");
    EXPECT_EQ(r->status, 403);
  }
}

TEST(CheckJsonContentTypeTest, AcceptsApplicationJsonWithParameters) {
  EXPECT_FALSE(CheckJsonContentType("application/json").has_value());
  EXPECT_FALSE(CheckJsonContentType("application/json; charset=utf-8").has_value());
  EXPECT_FALSE(CheckJsonContentType("Application/JSON").has_value());
}

TEST(CheckJsonContentTypeTest, RefusesOthers) {
  std::optional<Refusal> missing = CheckJsonContentType(std::nullopt);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->message.find("application/json"), std::string::npos);
  for (const char* bad : {"text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data; boundary=x", "application/jsonx", ""}) {
    std::optional<Refusal> r = CheckJsonContentType(std::string(bad));
    ASSERT_TRUE(r.has_value()) << bad;
    EXPECT_EQ(r->status, 400);
  }
}

TEST(CheckBodySizeTest, FourKibibytesAtMost) {
  EXPECT_FALSE(CheckBodySize(0).has_value());
  EXPECT_FALSE(CheckBodySize(4096).has_value());
  std::optional<Refusal> r = CheckBodySize(4097);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->message.find("4096"), std::string::npos);
}

TEST(ParseApproveBodyTest, GoodName) {
  Result<ApproveRequest> r = ParseApproveBody(R"({"name":"gw-berlin-0042"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "gw-berlin-0042");
  // Other fields are ignored, so later clients may send more.
  EXPECT_TRUE(ParseApproveBody(R"({"name":"a","note":"x"})").ok());
  EXPECT_TRUE(ParseApproveBody(R"({"name":")" + std::string(63, 'a') + R"("})").ok());
}

TEST(ParseApproveBodyTest, BadJsonAndWrongTypes) {
  struct Case {
    std::string body;
    std::string message_part;
  };
  for (const Case& c :
       {Case{"", "empty"}, Case{"{", "not valid JSON"}, Case{"name=gw-1", "not valid JSON"},
        Case{R"(["gw-1"])", "object"}, Case{R"("gw-1")", "object"},
        Case{R"({})", "body.name: missing"}, Case{R"({"name":null})", "body.name: expected string"},
        Case{R"({"name":42})", "body.name: expected string"},
        Case{R"({"name":["a"]})", "body.name: expected string"},
        Case{R"({"name":"gw-1"} trailing)", "not valid JSON"},
        Case{"{\"name\":\"gw-\xff\"}", "encoding"}}) {
    Result<ApproveRequest> r = ParseApproveBody(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << c.body << " -> " << r.status().message();
  }
}

TEST(ParseApproveBodyTest, BadNames) {
  for (std::string name : {std::string(""), std::string("Gw-1"), std::string("gw_1"),
                           std::string("-gw"), std::string("gw-"), std::string("gw 1"),
                           std::string("gw.1"), std::string(64, 'a'), std::string("gw\\u00e9")}) {
    Result<ApproveRequest> r = ParseApproveBody(R"({"name":")" + name + R"("})");
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().message().rfind("invalid name: ", 0), 0u) << r.status().message();
  }
}

}  // namespace
}  // namespace gps::ui

namespace gps::ui {
namespace {

TEST(ParseRunNowBody, EmptyOrNoStepMeansEveryWaitingStep) {
  for (const char* body : {"", "  ", "{}"}) {
    Result<RunNowRequest> r = ParseRunNowBody(body);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_EQ(r->step, "") << body;
  }
}

TEST(ParseRunNowBody, TakesAKnownStep) {
  Result<RunNowRequest> r = ParseRunNowBody(R"({"step":"vault"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->step, "vault");
}

TEST(ParseRunNowBody, RefusesAnUnknownStepOrBadJson) {
  EXPECT_NE(ParseRunNowBody(R"({"step":"flux"})").status().message().find("unknown step"),
            std::string::npos);
  EXPECT_FALSE(ParseRunNowBody(R"({"step":3})").ok());
  EXPECT_FALSE(ParseRunNowBody("step=vault").ok());
}

}  // namespace
}  // namespace gps::ui
