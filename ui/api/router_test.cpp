#include "ui/api/router.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

HttpRequest Req(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

// Answers with the route's name and its parameters, so a test sees which route ran.
Handler Echo(std::string name) {
  return [name](const HttpRequest&, const PathParams& params) {
    HttpResponse r;
    r.body = name;
    for (const auto& [k, v] : params) {
      r.body += " " + k + "=" + v;
    }
    return r;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/", Echo("root"));
    router_.Add("GET", "/api/devices", Echo("list"));
    router_.Add("GET", "/api/devices/{id}", Echo("get"));
    router_.Add("POST", "/api/devices/{id}/approve", Echo("approve"));
    router_.Add("POST", "/api/devices/{id}/dismiss", Echo("dismiss"));
  }
  Router router_;
};

TEST(SplitPathTest, Segments) {
  EXPECT_EQ(SplitPath("/"), (std::vector<std::string>{""}));
  EXPECT_EQ(SplitPath("/a"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(SplitPath("/a/b/"), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(SplitPath("/a//b"), (std::vector<std::string>{"a", "", "b"}));
}

TEST_F(RouterTest, MatchesLiteralsAndPlaceholders) {
  EXPECT_EQ(router_.Dispatch(Req("GET", "/")).body, "root");
  EXPECT_EQ(router_.Dispatch(Req("GET", "/api/devices")).body, "list");
  EXPECT_EQ(router_.Dispatch(Req("GET", "/api/devices/ab12")).body, "get id=ab12");
  EXPECT_EQ(router_.Dispatch(Req("POST", "/api/devices/ab12/approve")).body, "approve id=ab12");
  EXPECT_EQ(router_.Dispatch(Req("POST", "/api/devices/ab12/dismiss")).body, "dismiss id=ab12");
}

TEST_F(RouterTest, UnknownPathIs404WithAnErrorBody) {
  for (const char* path :
       {"/api", "/api/devices/", "/api/devices//approve", "/api/devices/a/b/approve", "/nothing"}) {
    HttpResponse r = router_.Dispatch(Req("GET", path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_NE(r.body.find("\"error\""), std::string::npos) << path;
  }
}

TEST_F(RouterTest, KnownPathWithAnotherMethodIs405WithAllow) {
  HttpResponse r = router_.Dispatch(Req("GET", "/api/devices/ab12/approve"));
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "POST");

  HttpResponse d = router_.Dispatch(Req("DELETE", "/api/devices/ab12"));
  EXPECT_EQ(d.status, 405);
  EXPECT_EQ(d.headers[0].second, "GET");
}

TEST_F(RouterTest, AllowListsEveryMethodOnce) {
  router_.Add("PUT", "/api/devices/{id}", Echo("put"));
  router_.Add("PUT", "/api/devices/{other}", Echo("put2"));
  HttpResponse r = router_.Dispatch(Req("DELETE", "/api/devices/ab12"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers[0].second, "GET, PUT");
}

TEST(HttpRequestTest, HeadersAreCaseInsensitiveAndQueryKeepsRepeats) {
  HttpRequest r;
  r.headers = {{"Content-Type", "application/json"}, {"content-type", "text/plain"}};
  r.query = {{"state", "pending"}, {"state", "failed"}, {"other", "x"}};
  EXPECT_EQ(r.Header("CONTENT-TYPE").value_or(""), "application/json");
  EXPECT_FALSE(r.Header("Origin").has_value());
  EXPECT_EQ(r.QueryValues("state"), (std::vector<std::string>{"pending", "failed"}));
  EXPECT_TRUE(r.QueryValues("missing").empty());
}

TEST(ErrorResponseTest, EscapesTheMessage) {
  HttpResponse r = ErrorResponse(409, "name \"x\" <taken>\n");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body, R"({"error":"name \"x\" <taken>\n"})");
}

}  // namespace
}  // namespace gps::ui
