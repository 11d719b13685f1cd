#include "cloudsim/faults/fault_injector.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "cloudsim/faults/fault_api.h"
#include "cloudsim/testing/test_util.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::Req;

constexpr std::size_t kMender = 0;
constexpr std::size_t kDps = 1;
constexpr std::size_t kHub = 3;
constexpr Instant kNow{1'800'000'000'000};

FaultConfig Chaos() {
  FaultConfig c = NoFaults();
  c.services[kDps].error_rate = 0.3;
  c.services[kDps].drop_rate = 0.1;
  c.services[kDps].latency_max_ms = 50;
  return c;
}

std::vector<std::pair<FaultKind, Millis>> Sequence(FaultInjector& f, int n) {
  std::vector<std::pair<FaultKind, Millis>> out;
  for (int i = 0; i < n; ++i) {
    FaultAction a = f.Decide(kDps, "PUT", "/enrollments/x", kNow);
    out.emplace_back(a.kind, a.latency_ms);
  }
  return out;
}

TEST(FaultInjector, TheSameSeedReplaysTheSameFaults) {
  FaultInjector a(Chaos(), 42);
  FaultInjector b(Chaos(), 42);
  FaultInjector c(Chaos(), 43);
  // Requests to another service do not shift this service's draws.
  for (int i = 0; i < 10; ++i) {
    b.Decide(kMender, "GET", "/x", kNow);
  }
  std::vector<std::pair<FaultKind, Millis>> first = Sequence(a, 200);
  EXPECT_EQ(first, Sequence(b, 200));
  EXPECT_NE(first, Sequence(c, 200));
  EXPECT_EQ(a.seed(), 42u);
  EXPECT_LE(FaultInjector::RandomSeed(), FaultInjector::kMaxSeed);
}

TEST(FaultInjector, CountsWhatWasInjectedPerServiceAndKind) {
  FaultConfig config = NoFaults();
  config.services[kHub].error_rate = 1;
  config.services[kHub].when = FaultWhen::kAfter;
  config.services[kHub].latency_min_ms = config.services[kHub].latency_max_ms = 5;
  config.services[kMender].rate_limit = 1;
  config.services[kMender].rate_window_s = 3600;
  FaultInjector f(config, 7);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(f.Decide(kHub, "GET", "/devices/a", kNow).kind, FaultKind::kServerError);
    f.Decide(kMender, "GET", "/x", kNow);
  }
  InjectedCounts hub = f.counts(kHub);
  EXPECT_EQ(hub.requests, 3u);
  EXPECT_EQ(hub.server_error, 3u);
  EXPECT_EQ(hub.after, 3u);
  EXPECT_EQ(hub.delayed, 3u);
  InjectedCounts mender = f.counts(kMender);
  EXPECT_EQ(mender.requests, 3u);
  EXPECT_EQ(mender.throttled, 2u);
  EXPECT_EQ(mender.after, 0u);

  json::Document status = json::ParseObject(f.StatusJson(), 1 << 20, "status").value();
  EXPECT_EQ(status.Root().GetInt("seed").value_or(-1), 7);
  json::Value injected = status.Root().GetObject("injected").value();
  EXPECT_EQ(injected.GetObject("hub").value().GetInt("5xx").value_or(-1), 3);
  EXPECT_EQ(injected.GetObject("mender").value().GetInt("429").value_or(-1), 2);
  EXPECT_EQ(injected.GetObject("dps").value().GetInt("requests").value_or(-1), 0);
  for (std::string_view key :
       {"requests", "delayed", "5xx", "429", "drop", "hang", "fail", "after"}) {
    EXPECT_TRUE(injected.GetObject("vault").value().Has(key)) << key;
  }
  // The settings shown read back to what is in force.
  Result<FaultConfig> shown =
      ParseFaultConfig(status.Root().GetObject("faults").value().Serialize());
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  EXPECT_EQ(*shown, config);

  // New settings restart the rate window; counts stay.
  f.SetService(kMender, config.services[kMender]);
  EXPECT_EQ(f.Decide(kMender, "GET", "/x", kNow).kind, FaultKind::kNone);
  EXPECT_EQ(f.counts(kMender).throttled, 2u);
}

TEST(FaultInjector, SleepEndsAtOnceOnStop) {
  FaultInjector f(NoFaults(), 1);
  EXPECT_TRUE(f.Sleep(1));
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    f.Stop();
  });
  EXPECT_FALSE(f.Sleep(60000));
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(f.Sleep(60000));  // later waits do not wait at all
}

ApiResponse Call(FaultInjector& f, std::string method, std::string target, std::string body = "") {
  return HandleFaultsRequest(f, Req(std::move(method), std::move(target), {}, std::move(body)));
}

TEST(FaultApi, PutGetDeleteWholeAndPerService) {
  FaultInjector f(NoFaults(), 99);
  ApiResponse r = Call(f, "GET", "/_sim/faults");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r).Root().GetInt("seed").value_or(0), 99);

  r = Call(f, "PUT", "/_sim/faults", R"({"dps":{"error_rate":0.5},"hub":{"drop_rate":1}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_DOUBLE_EQ(f.config().services[kDps].error_rate, 0.5);
  EXPECT_DOUBLE_EQ(f.config().services[kHub].drop_rate, 1);
  EXPECT_NE(r.body.find(R"("injected")"), std::string::npos);

  // A whole PUT replaces everything: services left out get no faults.
  r = Call(f, "PUT", "/_sim/faults", R"({"hub":{"hang_rate":1}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(f.config().services[kDps], NoFaults(kDps));
  EXPECT_DOUBLE_EQ(f.config().services[kHub].hang_rate, 1);

  r = Call(f, "PUT", "/_sim/faults/mender", R"({"fail":{"status":400,"message":"X"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(f.config().services[kMender].fail.size(), 1u);
  EXPECT_DOUBLE_EQ(f.config().services[kHub].hang_rate, 1);  // untouched

  r = Call(f, "DELETE", "/_sim/faults/mender");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(f.config().services[kMender], NoFaults(kMender));
  EXPECT_DOUBLE_EQ(f.config().services[kHub].hang_rate, 1);

  r = Call(f, "DELETE", "/_sim/faults");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(f.config(), NoFaults());
}

TEST(FaultApi, RefusesBadRequestsWithClearMessages) {
  FaultInjector f(NoFaults(), 1);
  ApiResponse r = Call(f, "PUT", "/_sim/faults", R"({"dps":{"error_rate":3}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(testing::Str(Body(r).Root(), "error"), "dps.error_rate: must be a number from 0 to 1");
  EXPECT_EQ(f.config(), NoFaults());  // nothing changed

  r = Call(f, "PUT", "/_sim/faults/vault", "not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("vault: not valid JSON"), std::string::npos) << r.body;

  r = Call(f, "PUT", "/_sim/faults/iothub", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("unknown service"), std::string::npos);

  r = Call(f, "POST", "/_sim/faults", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "GET, PUT, DELETE");
  EXPECT_EQ(Call(f, "GET", "/_sim/faults/dps").status, 200);
  EXPECT_EQ(Call(f, "POST", "/_sim/faults/dps").status, 405);
  EXPECT_EQ(Call(f, "GET", "/_sim/faults/dps/x").status, 404);
}

}  // namespace
}  // namespace gps::cloudsim
