#include "gps/retry/backoff.h"

#include <gtest/gtest.h>

namespace gps::retry {
namespace {

// A policy without jitter, so delays are exact.
Policy Exact() {
  Policy p;
  p.initial_backoff_ms = 1000;
  p.multiplier = 2.0;
  p.max_backoff_ms = 60000;
  p.jitter = 0.0;
  return p;
}

TEST(Backoff, GrowsByTheMultiplierPerFailure) {
  Policy p = Exact();
  EXPECT_EQ(NextDelay(p, 1, 0, 0.5), 1000);
  EXPECT_EQ(NextDelay(p, 2, 0, 0.5), 2000);
  EXPECT_EQ(NextDelay(p, 3, 0, 0.5), 4000);
  EXPECT_EQ(NextDelay(p, 4, 0, 0.5), 8000);
  p.multiplier = 3.0;
  EXPECT_EQ(NextDelay(p, 3, 0, 0.5), 9000);
}

TEST(Backoff, IsCappedAtTheMaximum) {
  Policy p = Exact();
  EXPECT_EQ(NextDelay(p, 6, 0, 0.5), 32000);
  EXPECT_EQ(NextDelay(p, 7, 0, 0.5), 60000);
  EXPECT_EQ(NextDelay(p, 8, 0, 0.5), 60000);
  EXPECT_EQ(NextDelay(p, 1000, 0, 0.5), 60000);  // no overflow for absurd counts
}

TEST(Backoff, AttemptNumbersBelowOneCountAsTheFirst) {
  Policy p = Exact();
  EXPECT_EQ(NextDelay(p, 0, 0, 0.5), 1000);
  EXPECT_EQ(NextDelay(p, -3, 0, 0.5), 1000);
}

TEST(Backoff, JitterStaysWithinItsBounds) {
  Policy p = Exact();
  p.jitter = 0.2;
  // random01 = 0 gives the low end, just under 1 the high end, 0.5 the middle.
  EXPECT_EQ(NextDelay(p, 1, 0, 0.0), 800);
  EXPECT_EQ(NextDelay(p, 1, 0, 0.5), 1000);
  EXPECT_EQ(NextDelay(p, 1, 0, 0.999999), 1200);
  EXPECT_EQ(NextDelay(p, 3, 0, 0.0), 3200);
  EXPECT_EQ(NextDelay(p, 3, 0, 0.999999), 4800);
  for (int i = 0; i <= 100; ++i) {
    double r = i / 101.0;
    Millis d = NextDelay(p, 2, 0, r);
    EXPECT_GE(d, 1600) << r;
    EXPECT_LE(d, 2400) << r;
  }
}

TEST(Backoff, JitterAppliesAfterTheCap) {
  Policy p = Exact();
  p.jitter = 0.25;
  EXPECT_EQ(NextDelay(p, 20, 0, 0.0), 45000);
  EXPECT_EQ(NextDelay(p, 20, 0, 0.999999), 75000);
}

TEST(Backoff, RandomOutsideTheUnitIntervalIsClamped) {
  Policy p = Exact();
  p.jitter = 0.2;
  EXPECT_EQ(NextDelay(p, 1, 0, -5.0), 800);
  EXPECT_EQ(NextDelay(p, 1, 0, 7.0), 1200);
}

TEST(Backoff, RetryAfterIsAFloor) {
  Policy p = Exact();
  p.jitter = 0.2;
  EXPECT_EQ(NextDelay(p, 1, 5000, 0.0), 5000);         // longer than the backoff: wins
  EXPECT_EQ(NextDelay(p, 1, 500, 0.0), 800);           // shorter: the backoff stands
  EXPECT_EQ(NextDelay(p, 20, 120000, 0.999), 120000);  // even above the cap
  EXPECT_EQ(NextDelay(p, 1, 0, 0.5), 1000);            // 0 means none
}

TEST(Backoff, NeverNegative) {
  Policy p = Exact();
  p.jitter = 1.5;  // a misconfigured policy
  EXPECT_GE(NextDelay(p, 1, 0, 0.0), 0);
  p.jitter = 0.0;
  p.initial_backoff_ms = 0;
  EXPECT_EQ(NextDelay(p, 5, 0, 0.5), 0);
}

TEST(Backoff, AttemptsLeftCountsTheFirstAttempt) {
  Policy p;
  p.max_attempts = 3;
  EXPECT_TRUE(HasAttemptsLeft(p, 0));
  EXPECT_TRUE(HasAttemptsLeft(p, 1));
  EXPECT_TRUE(HasAttemptsLeft(p, 2));
  EXPECT_FALSE(HasAttemptsLeft(p, 3));
  EXPECT_FALSE(HasAttemptsLeft(p, 4));
  p.max_attempts = 1;
  EXPECT_FALSE(HasAttemptsLeft(p, 1));
}

TEST(Backoff, DefaultPolicyIsSensible) {
  Policy p;
  EXPECT_EQ(p.max_attempts, 5);
  EXPECT_EQ(NextDelay(p, 1, 0, 0.5), 1000);
  EXPECT_EQ(NextDelay(p, 2, 0, 0.5), 2000);
  EXPECT_EQ(NextDelay(p, 100, 0, 0.5), 60000);
}

}  // namespace
}  // namespace gps::retry
