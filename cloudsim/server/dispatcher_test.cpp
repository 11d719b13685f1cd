#include "cloudsim/server/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "cloudsim/testing/test_util.h"

namespace gps::cloudsim {
namespace {

using testing::Req;

constexpr std::size_t kDps = 1;

// Stands in for a simulated API: counts the requests it processed (its "state change").
class CountingService final : public Service {
 public:
  std::string_view Name() const override { return "dps"; }
  ApiResponse Handle(const ApiRequest&) override {
    ++handled;
    return ApiResponse::Json(200, R"({"ok":true})");
  }
  std::atomic<int> handled{0};
};

class DispatcherFaults : public ::testing::Test {
 protected:
  DispatcherFaults()
      : clock_(Instant{1'800'000'000'000}),
        faults_(NoFaults(), 5),
        dispatcher_(&service_, &state_, &faults_, &clock_) {}

  void Set(std::string_view json) {
    Result<ServiceFaults> f = ParseServiceFaults(kDps, json);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    faults_.SetService(kDps, *f);
  }
  Served Get(std::string target = "/enrollments/gw-1") {
    return dispatcher_.Serve(Req("GET", std::move(target)));
  }

  CountingService service_;
  SimState state_;
  FakeClock clock_;
  FaultInjector faults_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherFaults, WithoutFaultsTheServiceAnswers) {
  Served s = Get();
  EXPECT_FALSE(s.close_without_answer);
  EXPECT_EQ(s.response.status, 200);
  EXPECT_EQ(service_.handled, 1);
  EXPECT_EQ(faults_.counts(kDps).requests, 1u);
}

TEST_F(DispatcherFaults, BeforeLeavesTheServiceUntouchedAfterProcessesTheRequest) {
  Set(R"({"error_rate":1,"when":"before"})");
  Served s = Get();
  EXPECT_EQ(s.response.status, 500);
  EXPECT_EQ(s.response.Header("x-ms-error-code"), "500000");
  EXPECT_EQ(service_.handled, 0);

  Set(R"({"error_rate":1,"when":"after","error_status":503})");
  s = Get();
  EXPECT_EQ(s.response.status, 503);
  EXPECT_EQ(service_.handled, 1);  // the change was made; the client only sees the 503

  Set(R"({"drop_rate":1,"when":"after"})");
  s = Get();
  EXPECT_TRUE(s.close_without_answer);
  EXPECT_EQ(service_.handled, 2);

  Set(R"({"drop_rate":1,"when":"before"})");
  EXPECT_TRUE(Get().close_without_answer);
  EXPECT_EQ(service_.handled, 2);
  EXPECT_EQ(faults_.counts(kDps).after, 2u);
}

TEST_F(DispatcherFaults, ThrottleAndPermanentAnswers) {
  Set(R"({"rate_limit":1,"rate_window_s":10,
          "fail":{"status":400,"message":"X","method":"PUT","path":"/enrollments/*"}})");
  EXPECT_EQ(Get().response.status, 200);
  Served s = Get();
  EXPECT_EQ(s.response.status, 429);
  EXPECT_TRUE(s.response.Header("Retry-After"));
  s = dispatcher_.Serve(Req("PUT", "/enrollments/gw-1", {}, "{}"));
  EXPECT_EQ(s.response.status, 400);
  EXPECT_NE(s.response.body.find(R"("message":"X")"), std::string::npos);
  EXPECT_EQ(service_.handled, 1);
}

TEST_F(DispatcherFaults, SimEndpointsNeverGetFaults) {
  Set(R"({"drop_rate":1})");
  for (std::string target : {"/_sim/state", "/_sim/faults", "/_sim/faults/dps"}) {
    Served s = Get(target);
    EXPECT_FALSE(s.close_without_answer) << target;
    EXPECT_EQ(s.response.status, 200) << target;
  }
  EXPECT_EQ(Get("/_sim/other").response.status, 404);
  EXPECT_EQ(faults_.counts(kDps).requests, 0u);
  // Faults can be changed over the port they are hitting.
  Served put = dispatcher_.Serve(Req("DELETE", "/_sim/faults/dps"));
  EXPECT_EQ(put.response.status, 200);
  EXPECT_FALSE(Get().close_without_answer);
}

TEST_F(DispatcherFaults, AHangClosesWithoutAnswerAndEndsAtOnceOnStop) {
  Set(R"({"hang_rate":1,"hang_ms":600000,"when":"before"})");
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    faults_.Stop();
  });
  Served s = Get();
  stopper.join();
  EXPECT_TRUE(s.close_without_answer);
  EXPECT_EQ(service_.handled, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(faults_.counts(kDps).hung, 1u);
}

TEST_F(DispatcherFaults, LatencyDelaysTheAnswer) {
  Set(R"({"latency_ms":[60,80]})");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Get().response.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(60));
  EXPECT_EQ(faults_.counts(kDps).delayed, 1u);
}

}  // namespace
}  // namespace gps::cloudsim
