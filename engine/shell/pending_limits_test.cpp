#include "engine/shell/pending_limits.h"

#include <gtest/gtest.h>

namespace gps::engine {
namespace {

using saga::Phase;

constexpr Millis kDay = 24LL * 3'600'000;

saga::Saga InPhase(Phase phase) {
  saga::Saga s;
  s.device_id = std::string(64, 'a');
  s.phase = phase;
  s.first_seen = Instant{1'000};
  s.updated_at = Instant{2'000};
  return s;
}

const Phase kEveryPhase[] = {Phase::kPending,    Phase::kCheckingName, Phase::kProvisioning,
                             Phase::kDelivering, Phase::kProvisioned,  Phase::kFailed,
                             Phase::kDismissed,  Phase::kRevoking,     Phase::kRevoked};

TEST(PendingChangeOf, ANewPendingDeviceIsACreationUnderTheCap) {
  EXPECT_EQ(PendingChangeOf(std::nullopt, InPhase(Phase::kPending)), PendingChange::kCreate);
}

TEST(PendingChangeOf, LeavingAndEnteringPendingAreTold) {
  for (Phase to : kEveryPhase) {
    EXPECT_EQ(PendingChangeOf(InPhase(Phase::kPending), InPhase(to)),
              to == Phase::kPending ? PendingChange::kNone : PendingChange::kLeave)
        << saga::PhaseName(to);
  }
  for (Phase from : kEveryPhase) {
    EXPECT_EQ(PendingChangeOf(InPhase(from), InPhase(Phase::kPending)),
              from == Phase::kPending ? PendingChange::kNone : PendingChange::kEnter)
        << saga::PhaseName(from);
  }
  EXPECT_EQ(PendingChangeOf(InPhase(Phase::kProvisioning), InPhase(Phase::kDelivering)),
            PendingChange::kNone);
}

TEST(ShouldExpire, OnlyAPendingDeviceSilentForLongerThanTheExpiry) {
  PendingLimits limits;
  limits.expiry_ms = 7 * kDay;
  Instant last_seen{10 * kDay};
  for (Phase phase : kEveryPhase) {
    bool expires =
        ShouldExpire(InPhase(phase), last_seen, Instant{last_seen.ms + 7 * kDay + 1}, limits);
    EXPECT_EQ(expires, phase == Phase::kPending) << saga::PhaseName(phase);
  }
  // Exactly the expiry after its last announce, it is kept; a moment later it goes.
  EXPECT_FALSE(
      ShouldExpire(InPhase(Phase::kPending), last_seen, Instant{last_seen.ms + 7 * kDay}, limits));
  EXPECT_FALSE(
      ShouldExpire(InPhase(Phase::kPending), last_seen, Instant{last_seen.ms + kDay}, limits));
}

TEST(ShouldExpire, ZeroMeansNever) {
  PendingLimits limits;
  limits.expiry_ms = 0;
  EXPECT_FALSE(ShouldExpire(InPhase(Phase::kPending), Instant{1}, Instant{365 * kDay}, limits));
}

TEST(ShouldExpire, WithoutALastSeenTimeTheSagasLastChangeCounts) {
  PendingLimits limits;
  limits.expiry_ms = kDay;
  saga::Saga s = InPhase(Phase::kPending);
  s.updated_at = Instant{5 * kDay};
  EXPECT_EQ(LastActive(s, std::nullopt), s.updated_at);
  EXPECT_FALSE(ShouldExpire(s, std::nullopt, Instant{6 * kDay}, limits));
  EXPECT_TRUE(ShouldExpire(s, std::nullopt, Instant{6 * kDay + 1}, limits));
  // The later of the two wins: a recent change (its approval just ended) keeps it too.
  EXPECT_EQ(LastActive(s, Instant{kDay}), s.updated_at);
  EXPECT_EQ(LastActive(s, Instant{9 * kDay}), Instant{9 * kDay});
}

TEST(PlanPendingRepair, AMatchingSetNeedsNothing) {
  PendingLimits limits;
  PendingRepair plan = PlanPendingRepair({{"a", 1}, {"b", 2}}, {"a", "b"}, Instant{kDay}, limits);
  EXPECT_TRUE(plan.empty());
}

TEST(PlanPendingRepair, MissingPendingDevicesAreAddedAndStaleEntriesRemovedWithTheirScore) {
  PendingLimits limits;
  limits.repair_grace_ms = 60'000;
  Instant now{kDay};
  PendingRepair plan =
      PlanPendingRepair({{"kept", 5}, {"gone", 7}}, {"kept", "missing"}, now, limits);
  EXPECT_EQ(plan.add, (std::vector<std::string>{"missing"}));
  EXPECT_EQ(plan.remove, (std::vector<SetMember>{{"gone", 7}}));
}

TEST(PlanPendingRepair, YoungEntriesAreLeftToTheTransitionOnItsWay) {
  PendingLimits limits;
  limits.repair_grace_ms = 60'000;
  Instant now{kDay};
  PendingRepair plan = PlanPendingRepair(
      {{"admitted-just-now", now.ms - 59'999}, {"old", now.ms - 60'000}}, {}, now, limits);
  EXPECT_TRUE(plan.add.empty());
  EXPECT_EQ(plan.remove, (std::vector<SetMember>{{"old", now.ms - 60'000}}));
}

}  // namespace
}  // namespace gps::engine
