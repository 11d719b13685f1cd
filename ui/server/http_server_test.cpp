#include "ui/server/http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "gps/http/client.h"

namespace gps::ui {
namespace {

TEST(FormatHttpDateTest, ImfFixdate) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

// A real server on a free loopback port, with a router whose answers are known.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/hello", [](const HttpRequest& r, const PathParams&) {
      HttpResponse out;
      out.content_type = "text/plain";
      out.body = "hello " + r.QueryValues("who").front() + " " + r.Header("X-Test").value_or("-");
      return out;
    });
    router_.Add("POST", "/echo/{what}", [](const HttpRequest& r, const PathParams& p) {
      HttpResponse out;
      out.status = 201;
      out.content_type = "text/plain";
      out.body = p.at("what") + ":" + r.body;
      out.headers.emplace_back("Cache-Control", "no-cache");
      return out;
    });
    server_ = std::make_unique<HttpServer>(HttpServerOptions{"127.0.0.1", 0, 4, 64}, router_);
    Result<int> port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    serving_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    server_->Stop();
    serving_.join();
  }

  Result<http::Response> Send(std::string method, std::string path, std::string body = "",
                              std::vector<http::Header> headers = {}) {
    http::Request r;
    r.method = std::move(method);
    r.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return client_.Send(r);
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread serving_;
  int port_ = 0;
  http::Client client_;
};

TEST_F(HttpServerTest, PassesRequestsToTheRouterAndAddsCommonHeaders) {
  Result<http::Response> r = Send("GET", "/hello?who=operator", "", {{"X-Test", "yes"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello operator yes");
  EXPECT_EQ(r->HeaderValue("Content-Type").value_or(""), "text/plain");
  EXPECT_EQ(r->HeaderValue("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(r->HeaderValue("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_EQ(r->HeaderValue("X-Frame-Options").value_or(""), "DENY");
  EXPECT_TRUE(r->HeaderValue("Date").has_value());
}

TEST_F(HttpServerTest, KeepsTheHandlersHeadersAndStatus) {
  Result<http::Response> r = Send("POST", "/echo/x", "body", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "x:body");
  EXPECT_EQ(r->HeaderValue("Cache-Control").value_or(""), "no-cache");
}

TEST_F(HttpServerTest, HeadIsAnsweredLikeGetWithoutABody) {
  Result<http::Response> r = Send("HEAD", "/hello?who=x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
}

TEST_F(HttpServerTest, EveryMethodReachesTheRouter) {
  for (const char* method : {"PUT", "PATCH", "DELETE", "OPTIONS"}) {
    Result<http::Response> r = Send(method, "/hello");
    ASSERT_TRUE(r.ok()) << method;
    EXPECT_EQ(r->status, 405) << method;
    EXPECT_EQ(r->HeaderValue("Allow").value_or(""), "GET") << method;
  }
}

TEST_F(HttpServerTest, ABodyOverTheLimitIs413WithAJsonError) {
  Result<http::Response> r =
      Send("POST", "/echo/x", std::string(65, 'b'), {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, R"({"error":"the request body is too large"})");
  EXPECT_EQ(r->HeaderValue("Content-Type").value_or(""), "application/json");
}

TEST_F(HttpServerTest, ASecondServerOnTheSamePortFailsToBind) {
  Router router;
  HttpServer second(HttpServerOptions{"127.0.0.1", port_, 2, 64}, router);
  Result<int> bound = second.Bind();
  ASSERT_FALSE(bound.ok());
  EXPECT_TRUE(bound.status().IsUnavailable());
  EXPECT_NE(bound.status().message().find("Address already in use"), std::string::npos)
      << bound.status().message();
  EXPECT_NE(bound.status().message().find(std::to_string(port_)), std::string::npos);
}

TEST(HttpServerStopTest, StopBeforeRunEndsRunAtOnce) {
  Router router;
  HttpServer server(HttpServerOptions{"127.0.0.1", 0, 2, 64}, router);
  ASSERT_TRUE(server.Bind().ok());
  server.Stop();
  EXPECT_TRUE(server.Run());
}

TEST(HttpServerStopTest, AnUnresolvableAddressIsAClearError) {
  Router router;
  HttpServer server(HttpServerOptions{"no-such-host.invalid", 0, 2, 64}, router);
  Result<int> bound = server.Bind();
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.status().message().find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace gps::ui
