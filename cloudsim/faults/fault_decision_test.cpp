#include "cloudsim/faults/fault_decision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

namespace gps::cloudsim {
namespace {

constexpr Instant kNow{1'800'000'000'000};

// Draws from a fixed-seed generator, as the FaultInjector makes them.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : rng_(seed) {}
  FaultDraws Next() { return {One(), One(), One(), One()}; }

 private:
  double One() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  std::mt19937_64 rng_;
};

ServiceFaults Faults() { return NoFaults(0); }

FaultAction Decide(const ServiceFaults& f, const FaultDraws& d, std::string_view method = "GET",
                   std::string_view path = "/x") {
  return DecideFault(f, method, path, kNow, RateWindow{}, d).action;
}

// |observed - expected| within 5 standard deviations of a binomial count.
void ExpectFraction(std::uint64_t count, std::uint64_t n, double p, const char* what) {
  double expected = p * static_cast<double>(n);
  double sigma = std::sqrt(static_cast<double>(n) * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(count), expected, 5 * sigma + 1) << what;
}

TEST(FaultDecision, NoSettingsMeanNoFault) {
  Draws draws(1);
  for (int i = 0; i < 1000; ++i) {
    FaultDecision d =
        DecideFault(Faults(), "PUT", "/enrollments/a", kNow, RateWindow{}, draws.Next());
    EXPECT_EQ(d.action.kind, FaultKind::kNone);
    EXPECT_EQ(d.action.latency_ms, 0);
    EXPECT_EQ(d.window, RateWindow{});  // no rate limit: the window is left alone
  }
}

TEST(FaultDecision, LatencyIsFixedOrUniformInTheRange) {
  ServiceFaults f = Faults();
  f.latency_min_ms = f.latency_max_ms = 250;
  EXPECT_EQ(Decide(f, {}).latency_ms, 250);

  f.latency_min_ms = 100;
  f.latency_max_ms = 300;
  EXPECT_EQ(Decide(f, {.latency = 0.0}).latency_ms, 100);
  EXPECT_EQ(Decide(f, {.latency = 0.9999999999}).latency_ms, 300);
  Draws draws(7);
  double sum = 0;
  Millis lo = 1000;
  Millis hi = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    FaultAction a = Decide(f, draws.Next());
    EXPECT_EQ(a.kind, FaultKind::kNone);  // latency alone is no fault
    sum += static_cast<double>(a.latency_ms);
    lo = std::min(lo, a.latency_ms);
    hi = std::max(hi, a.latency_ms);
  }
  EXPECT_EQ(lo, 100);
  EXPECT_EQ(hi, 300);
  EXPECT_NEAR(sum / n, 200.0, 3.0);
}

TEST(FaultDecision, RatesAreHonouredWithAFixedSeed) {
  ServiceFaults f = Faults();
  f.drop_rate = 0.05;
  f.hang_rate = 0.02;
  f.error_rate = 0.2;
  f.error_status = {500, 502, 503};
  f.hang_ms = 45000;
  Draws draws(20261123);
  const std::uint64_t n = 40000;
  std::map<FaultKind, std::uint64_t> kinds;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t after = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    FaultAction a = Decide(f, draws.Next());
    ++kinds[a.kind];
    if (a.kind == FaultKind::kServerError) {
      ++statuses[a.status];
    }
    if (a.kind == FaultKind::kHang) {
      EXPECT_EQ(a.hang_ms, 45000);
    }
    if (a.kind != FaultKind::kNone && a.timing == FaultTiming::kAfter) {
      ++after;
    }
  }
  ExpectFraction(kinds[FaultKind::kDrop], n, 0.05, "drop");
  ExpectFraction(kinds[FaultKind::kHang], n, 0.02, "hang");
  ExpectFraction(kinds[FaultKind::kServerError], n, 0.2, "5xx");
  ExpectFraction(kinds[FaultKind::kNone], n, 0.73, "none");
  EXPECT_EQ(kinds[FaultKind::kThrottle] + kinds[FaultKind::kFail], 0u);
  std::uint64_t errors = kinds[FaultKind::kServerError];
  for (int s : {500, 502, 503}) {
    ExpectFraction(statuses[s], errors, 1.0 / 3, "status share");
  }
  EXPECT_EQ(statuses.size(), 3u);
  // "either": half before, half after.
  ExpectFraction(after, n - kinds[FaultKind::kNone], 0.5, "after");
}

TEST(FaultDecision, RateOneAlwaysAndRateZeroNever) {
  ServiceFaults f = Faults();
  f.error_rate = 1.0;
  EXPECT_EQ(Decide(f, {.kind = 0.9999999999}).kind, FaultKind::kServerError);
  EXPECT_EQ(Decide(f, {.kind = 0.0}).kind, FaultKind::kServerError);
  EXPECT_EQ(Decide(f, {.kind = 0.0}).status, 500);  // the service's first default
  f.error_rate = 0;
  f.drop_rate = 1.0;
  EXPECT_EQ(Decide(f, {.kind = 0.9999999999}).kind, FaultKind::kDrop);
  f.drop_rate = 0;
  EXPECT_EQ(Decide(f, {.kind = 0.0}).kind, FaultKind::kNone);
}

TEST(FaultDecision, WhenBeforeAfterOrEither) {
  ServiceFaults f = Faults();
  f.error_rate = 1.0;
  f.when = FaultWhen::kBefore;
  EXPECT_EQ(Decide(f, {.timing = 0.9}).timing, FaultTiming::kBefore);
  f.when = FaultWhen::kAfter;
  EXPECT_EQ(Decide(f, {.timing = 0.1}).timing, FaultTiming::kAfter);
  f.when = FaultWhen::kEither;
  EXPECT_EQ(Decide(f, {.timing = 0.1}).timing, FaultTiming::kBefore);
  EXPECT_EQ(Decide(f, {.timing = 0.7}).timing, FaultTiming::kAfter);
  // Drops and hangs follow the same setting.
  f.error_rate = 0;
  f.drop_rate = 1;
  f.when = FaultWhen::kAfter;
  EXPECT_EQ(Decide(f, {}).timing, FaultTiming::kAfter);
}

TEST(FaultDecision, RateLimitCountsRequestsInAFixedWindow) {
  ServiceFaults f = Faults();
  f.rate_limit = 3;
  f.when = FaultWhen::kAfter;  // does not apply to 429: the quota refuses before processing
  Instant t{10'000'250};       // 250 ms into a one-second window
  RateWindow w;
  for (int i = 0; i < 3; ++i) {
    FaultDecision d = DecideFault(f, "GET", "/x", t, w, {});
    EXPECT_EQ(d.action.kind, FaultKind::kNone) << i;
    w = d.window;
  }
  EXPECT_EQ(w, (RateWindow{10'000, 3}));
  FaultDecision over = DecideFault(f, "GET", "/x", t + 500, w, {});
  EXPECT_EQ(over.action.kind, FaultKind::kThrottle);
  EXPECT_EQ(over.action.status, 429);
  EXPECT_EQ(over.action.timing, FaultTiming::kBefore);
  EXPECT_EQ(over.action.retry_after_s, 1);
  EXPECT_EQ(over.action.rate_limit, 3);
  EXPECT_EQ(over.window.count, 3);  // refused requests use no quota
  // The last millisecond of the window is still over; the next window admits again.
  EXPECT_EQ(DecideFault(f, "GET", "/x", Instant{10'000'999}, w, {}).action.kind,
            FaultKind::kThrottle);
  FaultDecision next = DecideFault(f, "GET", "/x", Instant{10'001'000}, w, {});
  EXPECT_EQ(next.action.kind, FaultKind::kNone);
  EXPECT_EQ(next.window, (RateWindow{10'001, 1}));
}

TEST(FaultDecision, RetryAfterIsTheTimeUntilTheWindowEndsOrTheFixedValue) {
  ServiceFaults f = Faults();
  f.rate_limit = 1;
  f.rate_window_s = 60;
  Instant start{60'000 * 1000 + 15'500};  // 15.5 s into a minute window
  FaultDecision first = DecideFault(f, "GET", "/x", start, RateWindow{}, {});
  ASSERT_EQ(first.action.kind, FaultKind::kNone);
  FaultDecision over = DecideFault(f, "GET", "/x", start, first.window, {});
  ASSERT_EQ(over.action.kind, FaultKind::kThrottle);
  EXPECT_EQ(over.action.retry_after_s, 45);  // 44.5 s rounded up
  EXPECT_EQ(over.action.reset_s, 45);
  f.retry_after_s = 7;
  over = DecideFault(f, "GET", "/x", start, first.window, {});
  EXPECT_EQ(over.action.retry_after_s, 7);
  EXPECT_EQ(over.action.reset_s, 45);
  f.retry_after_s = 0;
  EXPECT_EQ(DecideFault(f, "GET", "/x", start, first.window, {}).action.retry_after_s, 0);
}

TEST(FaultDecision, PermanentFaultMatchesMethodAndPathBeforeAnythingElse) {
  ServiceFaults f = Faults();
  f.drop_rate = 1.0;
  f.rate_limit = 1;
  PermanentFault name_taken;
  name_taken.status = 400;
  name_taken.message = "name gw-1 is taken";
  name_taken.method = "PUT";
  name_taken.path = "/enrollments/*";
  PermanentFault any;
  any.status = 503;
  any.body_json = R"({"x":1})";
  any.path = "/enrollments/gw-2";
  any.when = FaultWhen::kAfter;
  f.fail = {name_taken, any};

  RateWindow w;
  FaultDecision d = DecideFault(f, "PUT", "/enrollments/gw-1", kNow, w, {});
  EXPECT_EQ(d.action.kind, FaultKind::kFail);
  EXPECT_EQ(d.action.status, 400);
  EXPECT_EQ(d.action.message, "name gw-1 is taken");
  EXPECT_FALSE(d.action.body_json);
  EXPECT_EQ(d.action.timing, FaultTiming::kBefore);
  EXPECT_EQ(d.window, w);  // permanent answers use no quota
  // The first match wins: PUT gw-2 matches the first entry too.
  EXPECT_EQ(DecideFault(f, "PUT", "/enrollments/gw-2", kNow, w, {}).action.status, 400);
  FaultAction get2 = DecideFault(f, "GET", "/enrollments/gw-2", kNow, w, {}).action;
  EXPECT_EQ(get2.kind, FaultKind::kFail);
  EXPECT_EQ(get2.status, 503);
  EXPECT_EQ(get2.body_json, R"({"x":1})");
  EXPECT_EQ(get2.timing, FaultTiming::kAfter);
  // Not matching: the other settings apply (the quota admits one, then the drop rate).
  EXPECT_EQ(DecideFault(f, "GET", "/enrollments/gw-1", kNow, w, {}).action.kind, FaultKind::kDrop);
}

TEST(FaultDecision, GlobMatch) {
  EXPECT_TRUE(GlobMatch("/enrollments/*", "/enrollments/gw-1"));
  EXPECT_TRUE(GlobMatch("/enrollments/*", "/enrollments/"));
  EXPECT_FALSE(GlobMatch("/enrollments/*", "/enrollments"));
  EXPECT_TRUE(GlobMatch("*", "/anything/at/all"));
  EXPECT_TRUE(GlobMatch("/v1/*/issue/*", "/v1/pki/issue/gps-device"));
  EXPECT_FALSE(GlobMatch("/v1/*/issue/*", "/v1/pki/sign/gps-device"));
  EXPECT_TRUE(GlobMatch("/devices/gw-1", "/devices/gw-1"));
  EXPECT_FALSE(GlobMatch("/devices/gw-1", "/devices/gw-10"));
  EXPECT_TRUE(
      GlobMatch("/devices/*/applyConfigurationContent", "/devices/gw-1/applyConfigurationContent"));
  EXPECT_TRUE(GlobMatch("*a*a*a*", "aaaa"));
  EXPECT_FALSE(GlobMatch("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "/x"));
}

}  // namespace
}  // namespace gps::cloudsim
