// The timer scripts against a real redis-server: two engines claiming at once never get the same
// timer, a claim that is never settled comes due again, and a settle never overwrites a timer a
// transition brought forward meanwhile.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <thread>

#include "engine/store/saga_store.h"
#include "tests/support/services.h"

namespace gps::engine {
namespace {

using gps::testing::TempDir;
using gps::testing::TestServices;
using gps::testing::UniqueSuffix;

class TimerStoreTest : public ::testing::Test {
 protected:
  SagaStore NewStore() { return SagaStore(services_.redis_endpoint(), redis::Keys(prefix_)); }
  TempDir dir_{"gps-timers"};
  TestServices services_{dir_.path()};
  std::string prefix_ = "gps-timers-" + UniqueSuffix();
};

std::string Id(int i) { return std::string(60, 'a') + std::to_string(1000 + i); }

TEST_F(TimerStoreTest, TwoEnginesClaimingAtOnceNeverShareATimer) {
  SagaStore setup = NewStore();
  ASSERT_TRUE(setup.Open().ok());
  constexpr int kTimers = 400;
  for (int i = 0; i < kTimers; ++i) {
    ASSERT_TRUE(setup.ScheduleTimer(Id(i), Instant{1000 + i}).ok());
  }
  std::vector<std::string> claimed[2];
  std::thread engines[2];
  for (int e = 0; e < 2; ++e) {
    engines[e] = std::thread([&, e] {
      SagaStore store = NewStore();
      ASSERT_TRUE(store.Open().ok());
      while (true) {
        Result<std::vector<std::string>> got =
            store.ClaimDueTimers(Instant{5000}, Instant{90000}, 7);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        if (got->empty()) {
          return;
        }
        claimed[e].insert(claimed[e].end(), got->begin(), got->end());
      }
    });
  }
  engines[0].join();
  engines[1].join();
  std::set<std::string> all(claimed[0].begin(), claimed[0].end());
  for (const std::string& id : claimed[1]) {
    EXPECT_TRUE(all.insert(id).second) << id << " claimed by both engines";
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kTimers));
  std::printf("timer claims: %zu by one engine, %zu by the other, none twice\n", claimed[0].size(),
              claimed[1].size());
}

TEST_F(TimerStoreTest, AnUnsettledClaimComesDueAgainAfterItsLease) {
  SagaStore store = NewStore();
  ASSERT_TRUE(store.Open().ok());
  ASSERT_TRUE(store.ScheduleTimer(Id(1), Instant{1000}).ok());
  EXPECT_EQ(store.ClaimDueTimers(Instant{2000}, Instant{32000}, 10).value().size(), 1u);
  EXPECT_TRUE(store.ClaimDueTimers(Instant{3000}, Instant{33000}, 10).value().empty())
      << "claimed: no other engine takes it";
  // The claimer died: at the end of its claim the timer is due again.
  EXPECT_EQ(store.ClaimDueTimers(Instant{32000}, Instant{62000}, 10).value().size(), 1u);
}

TEST_F(TimerStoreTest, SchedulingOnlyBringsATimerForward) {
  SagaStore store = NewStore();
  ASSERT_TRUE(store.Open().ok());
  ASSERT_TRUE(store.ScheduleTimer(Id(2), Instant{5000}).ok());
  ASSERT_TRUE(store.ScheduleTimer(Id(2), Instant{9000}).ok());
  EXPECT_TRUE(store.ClaimDueTimers(Instant{4999}, Instant{40000}, 10).value().empty());
  EXPECT_EQ(store.ClaimDueTimers(Instant{5000}, Instant{40000}, 10).value().size(), 1u)
      << "the earlier time stays";
}

TEST_F(TimerStoreTest, SettleMovesOrRemovesOnlyItsOwnClaim) {
  SagaStore store = NewStore();
  ASSERT_TRUE(store.Open().ok());
  ASSERT_TRUE(store.ScheduleTimer(Id(3), Instant{1000}).ok());
  ASSERT_EQ(store.ClaimDueTimers(Instant{1000}, Instant{31000}, 10).value().size(), 1u);
  // A transition brings the timer forward while the claim is being handled.
  ASSERT_TRUE(store.ScheduleTimer(Id(3), Instant{2000}).ok());
  ASSERT_TRUE(store.SettleTimer(Id(3), Instant{31000}, std::nullopt).ok());
  EXPECT_EQ(store.ClaimDueTimers(Instant{2000}, Instant{32000}, 10).value().size(), 1u)
      << "the settle left the newer due time alone";
  // Settled with its own claim: moved, then removed.
  ASSERT_TRUE(store.SettleTimer(Id(3), Instant{32000}, Instant{8000}).ok());
  EXPECT_TRUE(store.ClaimDueTimers(Instant{7999}, Instant{40000}, 10).value().empty());
  ASSERT_EQ(store.ClaimDueTimers(Instant{8000}, Instant{40000}, 10).value().size(), 1u);
  ASSERT_TRUE(store.SettleTimer(Id(3), Instant{40000}, std::nullopt).ok());
  EXPECT_TRUE(store.ClaimDueTimers(Instant{99999999}, Instant{99999999}, 10).value().empty());
}

}  // namespace
}  // namespace gps::engine
