#include "gps/retry/policy_spec.h"

#include <gtest/gtest.h>

namespace gps::retry {
namespace {

TEST(ParseDurationMs, TakesEveryUnitAndBareMilliseconds) {
  EXPECT_EQ(ParseDurationMs("250ms").value(), 250);
  EXPECT_EQ(ParseDurationMs("5s").value(), 5000);
  EXPECT_EQ(ParseDurationMs("1.5s").value(), 1500);
  EXPECT_EQ(ParseDurationMs("2m").value(), 120000);
  EXPECT_EQ(ParseDurationMs("1h").value(), 3600000);
  EXPECT_EQ(ParseDurationMs("40").value(), 40);
  EXPECT_EQ(ParseDurationMs("14d").value(), 14LL * 24 * 3600000);
}

TEST(ParseDurationMs, RefusesWhatIsNotADuration) {
  for (const char* bad : {"", "s", "-1s", "5 s", "abc", "1w", "31d", "721h", "1e400s", "nan"}) {
    EXPECT_FALSE(ParseDurationMs(bad).ok()) << bad;
  }
}

TEST(ParsePolicySpec, AnEmptySpecKeepsTheBase) {
  Policy base;
  base.max_attempts = 7;
  Result<Policy> p = ParsePolicySpec("  ", base);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->max_attempts, 7);
}

TEST(ParsePolicySpec, EveryKeyIsApplied) {
  Result<Policy> p = ParsePolicySpec(
      "attempts=3, backoff=200ms,multiplier=1.5,max_backoff=10s,jitter=0,timeout=2s", Policy{});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->max_attempts, 3);
  EXPECT_EQ(p->initial_backoff_ms, 200);
  EXPECT_DOUBLE_EQ(p->multiplier, 1.5);
  EXPECT_EQ(p->max_backoff_ms, 10000);
  EXPECT_DOUBLE_EQ(p->jitter, 0.0);
  EXPECT_EQ(p->attempt_timeout_ms, 2000);
}

TEST(ParsePolicySpec, OnlyTheGivenKeysChange) {
  Policy base;
  Result<Policy> p = ParsePolicySpec("attempts=9", base);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->max_attempts, 9);
  EXPECT_EQ(p->initial_backoff_ms, base.initial_backoff_ms);
  EXPECT_EQ(p->attempt_timeout_ms, base.attempt_timeout_ms);
}

TEST(ParsePolicySpec, ErrorsNameTheKeyAndValue) {
  struct Case {
    const char* spec;
    const char* says;
  };
  for (const Case& c : {Case{"attempts=0", "attempts=0"}, Case{"attempts=2.5", "attempts=2.5"},
                        Case{"jitter=1.5", "jitter=1.5"}, Case{"multiplier=0.5", "multiplier"},
                        Case{"timeout=10ms", "timeout=10ms"}, Case{"retries=3", "unknown key"},
                        Case{"attempts", "key=value"}, Case{"backoff=soon", "backoff"},
                        Case{"backoff=10s,max_backoff=1s", "max_backoff"}}) {
    Result<Policy> p = ParsePolicySpec(c.spec, Policy{});
    ASSERT_FALSE(p.ok()) << c.spec;
    EXPECT_NE(p.status().message().find(c.says), std::string::npos)
        << c.spec << ": " << p.status().message();
  }
}

TEST(FormatPolicySpec, RoundTrips) {
  Policy p;
  p.max_attempts = 4;
  p.initial_backoff_ms = 250;
  p.multiplier = 3;
  p.max_backoff_ms = 90000;
  p.jitter = 0.1;
  p.attempt_timeout_ms = 15000;
  std::string text = FormatPolicySpec(p);
  EXPECT_EQ(text, "attempts=4,backoff=250ms,multiplier=3,max_backoff=90s,jitter=0.1,timeout=15s");
  Result<Policy> back = ParsePolicySpec(text, Policy{});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->max_attempts, 4);
  EXPECT_EQ(back->initial_backoff_ms, 250);
  EXPECT_DOUBLE_EQ(back->multiplier, 3);
  EXPECT_EQ(back->max_backoff_ms, 90000);
  EXPECT_DOUBLE_EQ(back->jitter, 0.1);
  EXPECT_EQ(back->attempt_timeout_ms, 15000);
}

}  // namespace
}  // namespace gps::retry
