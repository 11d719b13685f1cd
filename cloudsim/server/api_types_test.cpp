#include "cloudsim/server/api_types.h"

#include <gtest/gtest.h>

#include "cloudsim/server/if_match.h"
#include "cloudsim/testing/test_util.h"

namespace gps::cloudsim {
namespace {

using testing::Req;

TEST(MakeRequest, SplitsAndDecodesPathSegmentsAndQuery) {
  Result<ApiRequest> r =
      MakeRequest("GET", "/devices/gw%2F1/x+y?api-version=2021-04-12&a=b%20c&e", {}, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "/devices/gw%2F1/x+y");
  ASSERT_EQ(r->segments.size(), 3u);
  EXPECT_EQ(r->segments[1], "gw/1");  // an encoded slash stays inside its segment
  EXPECT_EQ(r->segments[2], "x+y");   // '+' is literal in a path
  EXPECT_EQ(r->Query("api-version").value_or(""), "2021-04-12");
  EXPECT_EQ(r->Query("a").value_or(""), "b c");
  EXPECT_TRUE(r->Query("e").has_value());
  EXPECT_FALSE(r->Query("missing").has_value());
}

TEST(MakeRequest, RefusesMalformedEscapes) {
  EXPECT_FALSE(MakeRequest("GET", "/devices/%zz", {}, "").ok());
  EXPECT_FALSE(MakeRequest("GET", "/devices/x?a=%4", {}, "").ok());
}

TEST(MakeRequest, HeadersAreCaseInsensitive) {
  ApiRequest r = Req("GET", "/", {{"x-men-requestid", "abc"}});
  EXPECT_EQ(r.Header("X-MEN-RequestID").value_or(""), "abc");
}

TEST(ClassifyContentType, JsonWithParametersOtherAndUnparseable) {
  EXPECT_EQ(ClassifyContentType(Req("POST", "/", {{"Content-Type", "application/json"}})),
            MediaType::kJson);
  EXPECT_EQ(
      ClassifyContentType(Req("POST", "/", {{"Content-Type", "Application/JSON; charset=utf-8"}})),
      MediaType::kJson);
  EXPECT_EQ(ClassifyContentType(Req("POST", "/", {{"Content-Type", "text/plain"}})),
            MediaType::kOther);
  EXPECT_EQ(ClassifyContentType(Req("POST", "/")), MediaType::kUnparseable);
  EXPECT_EQ(ClassifyContentType(Req("POST", "/", {{"Content-Type", "json"}})),
            MediaType::kUnparseable);
}

TEST(CheckIfMatch, QuotedStarWeakAndUnquoted) {
  EXPECT_EQ(CheckIfMatch(Req("PUT", "/"), "AAA"), IfMatch::kAbsent);
  EXPECT_EQ(CheckIfMatch(Req("PUT", "/", {{"If-Match", "*"}}), "AAA"), IfMatch::kAny);
  EXPECT_EQ(CheckIfMatch(Req("PUT", "/", {{"If-Match", "\"AAA\""}}), "AAA"), IfMatch::kMatch);
  EXPECT_EQ(CheckIfMatch(Req("PUT", "/", {{"If-Match", "W/\"AAA\""}}), "AAA"), IfMatch::kMatch);
  EXPECT_EQ(CheckIfMatch(Req("PUT", "/", {{"If-Match", "\"BBB\""}}), "AAA"), IfMatch::kMismatch);
  // The services compare quoted etags: a bare value never matches.
  EXPECT_EQ(CheckIfMatch(Req("PUT", "/", {{"If-Match", "AAA"}}), "AAA"), IfMatch::kMismatch);
}

}  // namespace
}  // namespace gps::cloudsim
