#include "cloudsim/faults/fault_config.h"

#include <gtest/gtest.h>

namespace gps::cloudsim {
namespace {

constexpr std::size_t kMender = 0;
constexpr std::size_t kDps = 1;
constexpr std::size_t kVault = 2;
constexpr std::size_t kHub = 3;

TEST(FaultConfig, EmptyMeansNoFaultsWithEachServicesOwnErrorStatuses) {
  for (std::string_view text : {"", "  \n", "{}", R"({"dps":null})"}) {
    Result<FaultConfig> c = ParseFaultConfig(text);
    ASSERT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    EXPECT_EQ(*c, NoFaults()) << text;
  }
  EXPECT_EQ(DefaultErrorStatuses(kMender), (std::vector<int>{500, 503}));
  EXPECT_EQ(DefaultErrorStatuses(kDps), (std::vector<int>{500}));
  EXPECT_EQ(DefaultErrorStatuses(kVault), (std::vector<int>{500, 502, 503}));
  EXPECT_EQ(DefaultErrorStatuses(kHub), (std::vector<int>{500, 503}));
  EXPECT_EQ(ServiceIndex("vault"), kVault);
  EXPECT_FALSE(ServiceIndex("iothub"));
}

TEST(FaultConfig, ParsesEveryField) {
  Result<FaultConfig> c = ParseFaultConfig(R"({
    "mender": {"latency_ms": [20, 80], "error_rate": 0.25, "error_status": 503,
               "rate_limit": 10, "rate_window_s": 60, "retry_after_s": 5, "when": "after"},
    "dps": {"drop_rate": 0.1, "hang_rate": 0.05, "hang_ms": 45000, "latency_ms": 15,
            "fail": {"status": 400, "message": "name is reserved", "method": "put",
                     "path": "/enrollments/*"}},
    "vault": {"error_status": [502, 503], "error_rate": 1, "when": "before"},
    "hub": {"fail": [{"status": 403, "body": {"Message": "quota"}, "when": "either"},
                     {"status": 500}]}
  })");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const ServiceFaults& m = c->services[kMender];
  EXPECT_EQ(m.latency_min_ms, 20);
  EXPECT_EQ(m.latency_max_ms, 80);
  EXPECT_DOUBLE_EQ(m.error_rate, 0.25);
  EXPECT_EQ(m.error_status, (std::vector<int>{503}));
  EXPECT_EQ(m.rate_limit, 10);
  EXPECT_EQ(m.rate_window_s, 60);
  EXPECT_EQ(m.retry_after_s, 5);
  EXPECT_EQ(m.when, FaultWhen::kAfter);
  const ServiceFaults& d = c->services[kDps];
  EXPECT_EQ(d.latency_min_ms, 15);
  EXPECT_EQ(d.latency_max_ms, 15);
  EXPECT_DOUBLE_EQ(d.drop_rate, 0.1);
  EXPECT_DOUBLE_EQ(d.hang_rate, 0.05);
  EXPECT_EQ(d.hang_ms, 45000);
  EXPECT_EQ(d.when, FaultWhen::kEither);
  EXPECT_EQ(d.error_status, (std::vector<int>{500}));  // the default stays
  ASSERT_EQ(d.fail.size(), 1u);
  EXPECT_EQ(d.fail[0].status, 400);
  EXPECT_EQ(d.fail[0].message, "name is reserved");
  EXPECT_EQ(d.fail[0].method, "PUT");
  EXPECT_EQ(d.fail[0].path, "/enrollments/*");
  EXPECT_EQ(d.fail[0].when, FaultWhen::kBefore);
  const ServiceFaults& v = c->services[kVault];
  EXPECT_EQ(v.error_status, (std::vector<int>{502, 503}));
  EXPECT_EQ(v.when, FaultWhen::kBefore);
  const ServiceFaults& h = c->services[kHub];
  ASSERT_EQ(h.fail.size(), 2u);
  EXPECT_EQ(h.fail[0].body_json, R"({"Message":"quota"})");
  EXPECT_EQ(h.fail[0].when, FaultWhen::kEither);
  EXPECT_EQ(h.fail[1].status, 500);
  EXPECT_TRUE(h.fail[1].message.empty());
  EXPECT_TRUE(h.fail[1].method.empty());
}

TEST(FaultConfig, TheWrittenJsonReadsBackToTheSameSettings) {
  Result<FaultConfig> c = ParseFaultConfig(R"({
    "mender": {"latency_ms": [20, 80], "error_rate": 0.1, "rate_limit": 3},
    "dps": {"fail": {"status": 409, "body": [1, "two"], "path": "/x"}, "drop_rate": 0.3},
    "hub": {"hang_rate": 0.000125, "hang_ms": 1, "retry_after_s": 0}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::string text = FaultConfigJson(*c);
  Result<FaultConfig> again = ParseFaultConfig(text);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << text;
  EXPECT_EQ(*again, *c) << text;
  Result<ServiceFaults> one = ParseServiceFaults(kHub, ServiceFaultsJson(c->services[kHub]));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, c->services[kHub]);
  EXPECT_NE(text.find(R"("retry_after_s":null)"), std::string::npos);  // mender: unset
}

TEST(FaultConfig, RefusesBadSettingsNamingTheField) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[]", "must be an object"},
      {"{", "not valid JSON"},
      {R"({"iothub":{}})", "unknown service \"iothub\""},
      {R"({"dps":1})", "dps: must be an object"},
      {R"({"dps":{"eror_rate":1}})", "dps.eror_rate: unknown field"},
      {R"({"dps":{"error_rate":1.5}})", "dps.error_rate: must be a number from 0 to 1"},
      {R"({"dps":{"error_rate":-0.1}})", "dps.error_rate: must be a number from 0 to 1"},
      {R"({"dps":{"drop_rate":"0.1"}})", "dps.drop_rate: must be a number from 0 to 1"},
      {R"({"dps":{"drop_rate":0.6,"error_rate":0.5}})",
       "dps: drop_rate + hang_rate + error_rate must not exceed 1"},
      {R"({"hub":{"latency_ms":-1}})", "hub.latency_ms: must be a number of milliseconds"},
      {R"({"hub":{"latency_ms":[300,100]}})", "hub.latency_ms: min must not exceed max"},
      {R"({"hub":{"latency_ms":[1,2,3]}})", "hub.latency_ms: must be a number of milliseconds"},
      {R"({"hub":{"latency_ms":[1,"2"]}})", "hub.latency_ms[1]: must be an integer"},
      {R"({"vault":{"error_status":404}})", "vault.error_status: must be an integer from 500"},
      {R"({"vault":{"error_status":[]}})", "vault.error_status: must be a 5xx status"},
      {R"({"vault":{"error_status":[500,499]}})", "vault.error_status[1]: must be an integer"},
      {R"({"mender":{"rate_limit":-1}})", "mender.rate_limit: must be an integer from 0"},
      {R"({"mender":{"rate_limit":1.5}})", "mender.rate_limit: must be an integer"},
      {R"({"mender":{"rate_window_s":0}})", "mender.rate_window_s: must be an integer from 1"},
      {R"({"mender":{"retry_after_s":-1}})", "mender.retry_after_s: must be an integer from 0"},
      {R"({"mender":{"hang_ms":3600001}})", "mender.hang_ms: must be an integer from 0"},
      {R"({"mender":{"when":"later"}})", "mender.when: must be \"before\", \"after\" or"},
      {R"({"dps":{"fail":{"message":"x"}}})", "dps.fail.status: is required"},
      {R"({"dps":{"fail":{"status":200}}})", "dps.fail.status: must be an integer from 400"},
      {R"({"dps":{"fail":[{"status":400},{"status":400,"path":"x"}]}})",
       "dps.fail[1].path: must start with '/'"},
      {R"({"dps":{"fail":{"status":400,"method":"FETCH"}}})",
       "dps.fail.method: must be GET, PUT, POST, PATCH or DELETE"},
      {R"({"dps":{"fail":{"status":400,"message":"a","body":{}}}})",
       "dps.fail: give message or body, not both"},
      {R"({"dps":{"fail":{"status":400,"code":1}}})", "dps.fail.code: unknown field"},
      {R"({"dps":{"fail":7}})", "dps.fail: must be an object"},
  };
  for (const Case& c : cases) {
    Result<FaultConfig> r = ParseFaultConfig(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << c.text;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << r.status().message();
  }
  Result<ServiceFaults> one = ParseServiceFaults(kVault, R"({"hang_rate":2})");
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.status().message().find("vault.hang_rate"), std::string::npos);
}

}  // namespace
}  // namespace gps::cloudsim
