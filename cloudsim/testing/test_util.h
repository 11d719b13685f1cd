#pragma once
// Helpers for cloudsim's unit tests only: build ApiRequests, parse JSON answers, and the fixture
// of one simulated API's handler tests. Not linked into the binary. REQUIRES: the target is well
// formed (a test bug otherwise).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"
#include "gps/json/json.h"

namespace gps::cloudsim::testing {

inline ApiRequest Req(std::string method, std::string target, std::vector<HeaderField> headers = {},
                      std::string body = "") {
  Result<ApiRequest> r =
      MakeRequest(std::move(method), std::move(target), std::move(headers), std::move(body));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ApiRequest{};
}

inline HeaderField JsonType() { return {"Content-Type", "application/json"}; }

// Parses a response body that must be JSON.
inline json::Document Body(const ApiResponse& r) {
  Result<json::Document> doc = json::Parse(r.body, 1 << 22, "response");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString() << " in: " << r.body;
  if (!doc.ok()) {
    return std::move(json::Parse("null", 16, "null").value());
  }
  return std::move(doc).value();
}

inline std::string Str(const json::Value& v, std::string_view key) {
  return v.GetString(key, 1 << 20).value_or("<missing>");
}

// The fixture of one simulated API's handler tests: the state, a fake clock at `now` and the API
// under test, built as Api(config, &state_, &clock_), called the way a good client calls it.
template <typename Api>
class ApiFixture : public ::testing::Test {
 protected:
  // query is appended to every Call()'s target (e.g. the api-version the API requires).
  template <typename Config>
  ApiFixture(Instant now, Config config, std::string query = "")
      : clock_(now), api_(std::move(config), &state_, &clock_), query_(std::move(query)) {}

  // The credentials header a good client sends with every request.
  virtual HeaderField Credentials() = 0;

  // The credentials, a JSON Content-Type when there is a body, then `extra`.
  ApiResponse Call(std::string method, std::string target, std::string body = "",
                   std::vector<HeaderField> extra = {}) {
    std::vector<HeaderField> headers = {Credentials()};
    if (!body.empty()) {
      headers.push_back(JsonType());
    }
    headers.insert(headers.end(), extra.begin(), extra.end());
    return api_.Handle(
        Req(std::move(method), std::move(target) + query_, headers, std::move(body)));
  }

  SimState state_;
  FakeClock clock_;
  Api api_;

 private:
  std::string query_;
};

}  // namespace gps::cloudsim::testing
