// The IoT Hub manifest step after the ack (docs/design/saga.md rows 53-58): waiting for the
// gateway without spending the retry budget, the deadline in days, failures and the retry.

#include <gtest/gtest.h>

#include "engine/saga/decide.h"
#include "engine/saga/decide_manifest.h"
#include "engine/saga/decide_test_support.h"

namespace gps::engine {
namespace {

using namespace decide_testing;

constexpr Millis kDay = 24LL * 3600 * 1000;

DecideContext ManifestCtx(Instant now) {
  DecideContext ctx = Ctx(now);
  ctx.manifest.poll.initial_backoff_ms = 1000;
  ctx.manifest.poll.max_backoff_ms = 8000;
  ctx.manifest.poll.jitter = 0;
  ctx.manifest.deadline_ms = 2 * kDay;
  return ctx;
}

Saga Step(const Saga& s, const Event& e, Instant now) {
  Result<Decision> d = Decide(s, e, ManifestCtx(now));
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return *d->next;
}

StepResultArrived NotInHubYet(const Saga& s) {
  return Result_(s, Slot::kHubManifest,
                 Outcome::Retryable("hub-manifest: gw-1 is not in IoT Hub yet", 500),
                 protocol::EncodeHubManifest({"gw-1", false, true}));
}

TEST(DecideManifest, TheAckStartsTheManifestStep) {
  SagaDriver drv;
  Saga sealed = drv.Sealed();
  Result<Decision> d = Decide(sealed, AckReceived{sealed.bundle_id}, ManifestCtx(kT0));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioned);
  ASSERT_EQ(All<DispatchJob>(d->commands).size(), 1u);
  EXPECT_EQ(All<DispatchJob>(d->commands)[0].slot, Slot::kHubManifest);
  EXPECT_EQ(d->next->steps.at(Slot::kHubManifest).status, StepStatus::kRunning);
}

TEST(DecideManifest, NothingStartsWhenTheStepIsOff) {
  SagaDriver drv;
  Saga sealed = drv.Sealed();
  DecideContext ctx = ManifestCtx(kT0);
  ctx.manifest.enabled = false;
  Result<Decision> d = Decide(sealed, AckReceived{sealed.bundle_id}, ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
  EXPECT_FALSE(d->next->steps.contains(Slot::kHubManifest));
}

TEST(DecideManifest, WaitingForTheGatewayNeverSpendsTheBudget) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  Instant now = kT0;
  // Far more "not yet" answers than the step's five attempts.
  for (int i = 1; i <= 12; ++i) {
    s = Step(s, NotInHubYet(s), now);
    const saga::StepState& st = s.steps.at(Slot::kHubManifest);
    ASSERT_EQ(s.phase, Phase::kProvisioned);
    ASSERT_EQ(st.status, StepStatus::kWaiting);
    ASSERT_EQ(st.polls, i);
    ASSERT_EQ(saga::AttemptsInBudget(st), 0);
    // Backoff of the wait policy, never below the worker's 500 ms.
    Millis expected = std::min<Millis>(1000LL << (i - 1), 8000);
    ASSERT_EQ(st.retry_at, now + expected) << "poll " << i;
    now = st.retry_at;
    s = Step(s, TimerFired{}, now);
    ASSERT_EQ(s.steps.at(Slot::kHubManifest).status, StepStatus::kRunning);
  }
  EXPECT_EQ(s.steps.at(Slot::kHubManifest).waiting_since, kT0);
  // A real failure after all that still has its whole budget.
  s = Step(s, Result_(s, Slot::kHubManifest, Outcome::Retryable("hub: HTTP 503")), now);
  EXPECT_EQ(s.steps.at(Slot::kHubManifest).status, StepStatus::kWaiting);
  EXPECT_EQ(saga::AttemptsInBudget(s.steps.at(Slot::kHubManifest)), 1);
}

TEST(DecideManifest, OnlyFailuresInARowEndTheWait) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  Instant now = kT0;
  // Four failures (one short of the budget of five), a "not yet", four more: still waiting.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 4; ++i) {
      s = Step(s, Result_(s, Slot::kHubManifest, Outcome::Retryable("hub: HTTP 503")), now);
      ASSERT_EQ(s.steps.at(Slot::kHubManifest).status, StepStatus::kWaiting);
      now = s.steps.at(Slot::kHubManifest).retry_at;
      s = Step(s, TimerFired{}, now);
    }
    s = Step(s, NotInHubYet(s), now);
    ASSERT_EQ(saga::AttemptsInBudget(s.steps.at(Slot::kHubManifest)), 0);
    now = s.steps.at(Slot::kHubManifest).retry_at;
    s = Step(s, TimerFired{}, now);
  }
  EXPECT_EQ(s.phase, Phase::kProvisioned);
  EXPECT_EQ(s.steps.at(Slot::kHubManifest).status, StepStatus::kRunning);
}

TEST(DecideManifest, TheWaitEndsAtTheDeadline) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  s = Step(s, NotInHubYet(s), kT0);
  s = Step(s, TimerFired{}, s.steps.at(Slot::kHubManifest).retry_at);
  Instant late = kT0 + 2 * kDay;
  Result<Decision> d = Decide(s, NotInHubYet(s), ManifestCtx(late));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_NE(d->next->last_error.find("within 2 days"), std::string::npos) << d->next->last_error;
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideManifest, TheManifestAppliedCompletesTheStep) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  s = Step(s,
           Result_(s, Slot::kHubManifest, Outcome::Ok(),
                   protocol::EncodeHubManifest({"gw-1", true, false})),
           kT0);
  EXPECT_EQ(s.phase, Phase::kProvisioned);
  EXPECT_EQ(s.steps.at(Slot::kHubManifest).status, StepStatus::kSucceeded);
  EXPECT_FALSE(saga::NextDue(s).has_value());
}

TEST(DecideManifest, APermanentFailureFailsTheSagaAndRetryRunsOnlyThisStep) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  s = Step(s, NotInHubYet(s), kT0);
  s = Step(s, TimerFired{}, s.steps.at(Slot::kHubManifest).retry_at);
  s = Step(
      s,
      Result_(s, Slot::kHubManifest, Outcome::Permanent("hub-manifest: HTTP 400: ArgumentInvalid")),
      kT0 + 5000);
  ASSERT_EQ(s.phase, Phase::kFailed);
  EXPECT_NE(s.last_error.find("IoT Hub manifest step failed"), std::string::npos) << s.last_error;
  Result<Decision> d = Decide(s, RetryRequested{"op", kReply}, ManifestCtx(kT0 + 9000));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioned);
  ASSERT_EQ(All<DispatchJob>(d->commands).size(), 1u);
  EXPECT_EQ(All<DispatchJob>(d->commands)[0].slot, Slot::kHubManifest);
  const saga::StepState& st = d->next->steps.at(Slot::kHubManifest);
  EXPECT_EQ(st.waiting_since.ms, 0) << "the wait's deadline starts again";
  EXPECT_EQ(saga::AttemptsInBudget(st), 1);
  EXPECT_TRUE(All<SealBundle>(d->commands).empty()) << "nothing is delivered again";
}

TEST(DecideManifest, InvalidDataFailsTheSaga) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  s = Step(s, Result_(s, Slot::kHubManifest, Outcome::Ok(), "{}"), kT0);
  EXPECT_EQ(s.phase, Phase::kFailed);
}

TEST(DecideManifest, DurationsReadAsTheOperatorWroteThem) {
  EXPECT_EQ(manifest::DescribeDuration(14 * kDay), "14 days");
  EXPECT_EQ(manifest::DescribeDuration(kDay), "1 day");
  EXPECT_EQ(manifest::DescribeDuration(36 * 3600 * 1000LL), "36 hours");
  EXPECT_EQ(manifest::DescribeDuration(90'000), "90 s");
  EXPECT_EQ(manifest::DescribeDuration(1500), "1500 ms");
}

}  // namespace
}  // namespace gps::engine
