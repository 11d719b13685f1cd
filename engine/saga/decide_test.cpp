#include "engine/saga/decide.h"

#include <gtest/gtest.h>

#include "engine/saga/decide_test_support.h"
#include "gps/crypto/seal.h"
#include "gps/protocol/step_results.h"

namespace gps::engine {
namespace {

using namespace decide_testing;

// ---- announce --------------------------------------------------------------------------------

TEST(DecideAnnounce, FirstAnnounceRecordsAPendingDeviceAndPublishesItsStatus) {
  Device device;
  Announced a = device.Announce(100);
  Result<Decision> d = Decide(std::nullopt, a, Ctx());
  ASSERT_TRUE(d.ok());
  const Saga& s = *d->next;
  EXPECT_EQ(s.phase, Phase::kPending);
  EXPECT_EQ(s.device_id, device.id());
  EXPECT_EQ(s.mac, "02:00:00:00:00:01");
  EXPECT_EQ(s.transport_key, std::string(32, 'k'));
  EXPECT_EQ(s.fingerprint.rfind("SHA256:", 0), 0u);
  EXPECT_EQ(s.first_seen, kT0);
  EXPECT_EQ(s.last_announce_ts, 100);
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideAnnounce, PendingDeviceTakesANewerAnnounceWithoutCommands) {
  SagaDriver drv;
  Saga s = drv.Pending();
  Result<Decision> d = Decide(s, drv.device.Announce(200, std::string(32, 'n')), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->last_announce_ts, 200);
  EXPECT_EQ(d->next->transport_key, std::string(32, 'n'));
  EXPECT_TRUE(d->commands.empty());
}

TEST(DecideAnnounce, AnnounceThatIsNotNewerIsRefused) {
  SagaDriver drv;
  Saga s = drv.Pending();
  Result<Decision> d = Decide(s, drv.device.Announce(100, std::string(32, 'x')), Ctx());
  EXPECT_TRUE(d.status().IsFailedPrecondition());
}

TEST(DecideAnnounce, CheckingNameTakesANewTransportKey) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  Saga next = Apply(s, drv.device.Announce(200, std::string(32, 'n')));
  EXPECT_EQ(next.phase, Phase::kCheckingName);
  EXPECT_EQ(next.transport_key, std::string(32, 'n'));
}

TEST(DecideAnnounce, ProvisioningWithTheSameKeyOnlyMovesTheTimestamp) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(s, drv.device.Announce(200), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioning);
  EXPECT_TRUE(d->commands.empty());
}

TEST(DecideAnnounce, ProvisioningWithANewTransportKeyFailsTheSaga) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(s, drv.device.Announce(200, std::string(32, 'n')), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_NE(d->next->last_error.find("transport key"), std::string::npos);
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideAnnounce, DeliveringRepublishesTheStoredBundle) {
  SagaDriver drv;
  Saga s = drv.Sealed();
  Result<Decision> d = Decide(s, drv.device.Announce(200), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(All<PublishCredentials>(d->commands).size(), 1u);
}

TEST(DecideAnnounce, DeliveringWithoutASealedBundleAsksForOne) {
  SagaDriver drv;
  Saga s = drv.Delivering();
  Result<Decision> d = Decide(s, drv.device.Announce(200), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(All<SealBundle>(d->commands).size(), 1u);
}

TEST(DecideAnnounce, TerminalPhasesOnlyMoveTheTimestamp) {
  SagaDriver drv;
  for (Saga s : {drv.Provisioned(), drv.Failed(), drv.Dismissed()}) {
    Result<Decision> d = Decide(s, drv.device.Announce(10'000), Ctx());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->next->phase, s.phase);
    EXPECT_EQ(d->next->last_announce_ts, 10'000);
    EXPECT_TRUE(d->commands.empty()) << saga::PhaseName(s.phase);
  }
}

// ---- approve ---------------------------------------------------------------------------------

TEST(DecideApprove, UnknownDeviceIsNotFoundAndItsReservationReleased) {
  Result<Decision> d = Decide(std::nullopt, Approve("gw-1"), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->next.has_value());
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kNotFound);
  auto releases = All<ReleaseName>(d->commands);
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].name, "gw-1");
}

TEST(DecideApprove, InvalidNameIsRefused) {
  SagaDriver drv;
  Result<Decision> d = Decide(drv.Pending(), Approve("Bad_Name", false), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kPending);
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kInvalid);
}

TEST(DecideApprove, NameReservedByAnotherDeviceIsAConflict) {
  SagaDriver drv;
  ApproveRequested a = Approve("gw-1", false);
  a.reservation.holder = std::string(64, 'b');
  Result<Decision> d = Decide(drv.Pending(), a, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kPending);
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kConflict);
  EXPECT_NE(replies[0].message.find("reserved"), std::string::npos);
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
}

TEST(DecideApprove, GrantedApprovalChecksTheNameInMenderAndDps) {
  SagaDriver drv;
  Saga pending = drv.Pending();
  Result<Decision> d = Decide(pending, Approve("gw-1"), Ctx());
  ASSERT_TRUE(d.ok());
  const Saga& s = *d->next;
  EXPECT_EQ(s.phase, Phase::kCheckingName);
  EXPECT_EQ(s.generation, pending.generation + 1);
  EXPECT_EQ(s.name, "gw-1");
  EXPECT_EQ(s.approved_by, "alice");
  EXPECT_EQ(s.pending_reply, kReply);
  auto jobs = All<DispatchJob>(d->commands);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].slot, Slot::kMenderName);
  EXPECT_EQ(jobs[1].slot, Slot::kDpsName);
  for (Slot slot : {Slot::kMenderName, Slot::kDpsName}) {
    EXPECT_EQ(s.steps.at(slot).status, StepStatus::kRunning);
    EXPECT_EQ(s.steps.at(slot).attempt, 1);
    EXPECT_EQ(s.steps.at(slot).deadline, kT0 + kTimeout);
  }
  EXPECT_TRUE(All<SendReply>(d->commands).empty()) << "the reply waits for the name checks";
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideApprove, RepeatedApprovalWithTheSameNameWaitsForTheSameCheck) {
  SagaDriver drv;
  Saga s = drv.CheckingName("gw-1");
  ApproveRequested again = Approve("gw-1");
  again.reply = kReply2;
  Result<Decision> d = Decide(s, again, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->pending_reply, kReply2);
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].target, kReply);
}

TEST(DecideApprove, ApprovalWithAnotherNameDuringACheckIsAConflict) {
  SagaDriver drv;
  Result<Decision> d = Decide(drv.CheckingName("gw-1"), Approve("gw-2"), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->name, "gw-1");
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kConflict);
  auto releases = All<ReleaseName>(d->commands);
  ASSERT_EQ(releases.size(), 1u);
  EXPECT_EQ(releases[0].name, "gw-2");
}

TEST(DecideApprove, DeviceBeyondPendingCannotBeApproved) {
  SagaDriver drv;
  for (Saga s :
       {drv.Provisioning(), drv.Sealed(), drv.Provisioned(), drv.Failed(), drv.Dismissed()}) {
    Result<Decision> d = Decide(s, Approve("gw-9"), Ctx());
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->next->phase, s.phase);
    auto replies = All<SendReply>(d->commands);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].status, ReplyStatus::kConflict) << saga::PhaseName(s.phase);
    EXPECT_EQ(All<ReleaseName>(d->commands).size(), 1u);
  }
}

// ---- dismiss ---------------------------------------------------------------------------------

TEST(DecideDismiss, UnknownDeviceIsNotFound) {
  Result<Decision> d = Decide(std::nullopt, DismissRequested{"alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->next.has_value());
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kNotFound);
}

TEST(DecideDismiss, PendingDeviceIsDismissed) {
  SagaDriver drv;
  Result<Decision> d = Decide(drv.Pending(), DismissRequested{"alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kDismissed);
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kAccepted);
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideDismiss, DismissDuringANameCheckReleasesTheNameAndAnswersTheApproval) {
  SagaDriver drv;
  Result<Decision> d = Decide(drv.CheckingName("gw-1"), DismissRequested{"bob", kReply2}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kDismissed);
  EXPECT_TRUE(d->next->name.empty());
  EXPECT_EQ(All<ReleaseName>(d->commands).at(0).name, "gw-1");
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].target, kReply);
  EXPECT_EQ(replies[0].status, ReplyStatus::kConflict);
  EXPECT_EQ(replies[1].target, kReply2);
  EXPECT_EQ(replies[1].status, ReplyStatus::kAccepted);
}

TEST(DecideDismiss, ProvisioningDeviceCannotBeDismissed) {
  SagaDriver drv;
  Result<Decision> d = Decide(drv.Provisioning(), DismissRequested{"alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioning);
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kConflict);
}

// ---- name checks -----------------------------------------------------------------------------

TEST(DecideNameCheck, OneFreeNameWaitsForTheOther) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  Result<Decision> d =
      Decide(s, Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true)), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kCheckingName);
  EXPECT_EQ(d->next->steps.at(Slot::kMenderName).status, StepStatus::kSucceeded);
  EXPECT_TRUE(d->commands.empty());
}

TEST(DecideNameCheck, BothFreeStartsMenderDpsAndVaultInParallelAndAcceptsTheApproval) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  s = Apply(s, Result_(s, Slot::kDpsName, Outcome::Ok(), Available(true)));
  Result<Decision> d =
      Decide(s, Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true)), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioning);
  auto jobs = All<DispatchJob>(d->commands);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].slot, Slot::kMender);
  EXPECT_EQ(jobs[1].slot, Slot::kDps);
  EXPECT_EQ(jobs[2].slot, Slot::kVault);
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kAccepted);
  EXPECT_EQ(replies[0].target, kReply);
  EXPECT_TRUE(d->next->pending_reply.empty());
}

TEST(DecideNameCheck, TakenNameReturnsToPendingAndCreatesNothing) {
  SagaDriver drv;
  Saga s = drv.CheckingName("gw-1");
  Result<Decision> d = Decide(
      s, Result_(s, Slot::kDpsName, Outcome::Ok(), Available(false, "DPS enrollment gw-1 exists")),
      Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kPending);
  EXPECT_TRUE(d->next->name.empty());
  EXPECT_NE(d->next->last_error.find("DPS"), std::string::npos);
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
  EXPECT_EQ(All<ReleaseName>(d->commands).at(0).name, "gw-1");
  auto replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kConflict);
  EXPECT_NE(replies[0].message.find("DPS enrollment gw-1 exists"), std::string::npos);
}

TEST(DecideNameCheck, FailedCheckReturnsToPendingAsUnavailable) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  Result<Decision> d =
      Decide(s, Result_(s, Slot::kMenderName, Outcome::Permanent("mender: HTTP 401: unauthorized")),
             Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kPending);
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kUnavailable);
  EXPECT_NE(d->next->last_error.find("401"), std::string::npos);
}

TEST(DecideNameCheck, MalformedCheckDataReturnsToPending) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  Result<Decision> d =
      Decide(s, Result_(s, Slot::kMenderName, Outcome::Ok(), "{\"free\":1}"), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kPending);
}

// ---- stale input -----------------------------------------------------------------------------

TEST(DecideStale, ResultForAnotherAttemptOrGenerationIsRefused) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  StepResultArrived wrong_attempt = Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true));
  wrong_attempt.job.attempt = 2;
  EXPECT_TRUE(Decide(s, wrong_attempt, Ctx()).status().IsFailedPrecondition());
  StepResultArrived wrong_gen = Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true));
  wrong_gen.job.generation = s.generation - 1;
  EXPECT_TRUE(Decide(s, wrong_gen, Ctx()).status().IsFailedPrecondition());
}

TEST(DecideStale, DuplicateResultIsRefused) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  StepResultArrived r = Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true));
  Saga once = Apply(s, r);
  EXPECT_TRUE(Decide(once, r, Ctx()).status().IsFailedPrecondition());
}

TEST(DecideStale, ResultForAStepNeverDispatchedIsRefused) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  protocol::JobId id{s.device_id, s.generation, protocol::Step::kVault,
                     protocol::Action::kProvision, 1};
  EXPECT_TRUE(Decide(s, StepResultArrived{id, {Outcome::Ok(), VaultData()}}, Ctx())
                  .status()
                  .IsFailedPrecondition());
}

TEST(DecideStale, EventsForAnUnknownDeviceAreRefused) {
  protocol::JobId id{std::string(64, 'a'), 1, protocol::Step::kMender, protocol::Action::kProvision,
                     1};
  EXPECT_FALSE(Decide(std::nullopt, StepResultArrived{id, {Outcome::Ok(), "{}"}}, Ctx()).ok());
  EXPECT_FALSE(Decide(std::nullopt, AckReceived{"g1"}, Ctx()).ok());
  EXPECT_FALSE(Decide(std::nullopt, BundleSealed{"g1", "x"}, Ctx()).ok());
}

// ---- provisioning ----------------------------------------------------------------------------

TEST(DecideProvisioning, OneSucceededStepWaitsForTheOthers) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(s, Result_(s, Slot::kVault, Outcome::Ok(), VaultData()), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioning);
  EXPECT_EQ(d->next->steps.at(Slot::kVault).status, StepStatus::kSucceeded);
  EXPECT_EQ(d->next->steps.at(Slot::kVault).data_json, VaultData());
  EXPECT_TRUE(d->commands.empty());
}

TEST(DecideProvisioning, AllThreeSucceededAsksForTheBundleToBeSealed) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kMender, Outcome::Ok(), MenderData()));
  s = Apply(s, Result_(s, Slot::kVault, Outcome::Ok(), VaultData()));
  Result<Decision> d = Decide(s, Result_(s, Slot::kDps, Outcome::Ok(), DpsData()), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kDelivering);
  EXPECT_EQ(d->next->bundle_id, BundleIdFor(s.generation));
  EXPECT_EQ(All<SealBundle>(d->commands).size(), 1u);
}

TEST(DecideProvisioning, FailedStepFailsTheSagaWithTheCloudsMessage) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(
      s, Result_(s, Slot::kMender, Outcome::Permanent("mender: HTTP 400: bad pubkey")), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_NE(d->next->last_error.find("bad pubkey"), std::string::npos);
  EXPECT_EQ(d->next->steps.at(Slot::kMender).status, StepStatus::kFailed);
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideProvisioning, ResultWithInvalidDataFailsTheSaga) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d =
      Decide(s, Result_(s, Slot::kDps, Outcome::Ok(), "{\"registrationId\":\"x\"}"), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_NE(d->next->last_error.find("invalid data"), std::string::npos);
}

TEST(DecideProvisioning, LateSuccessInAFailedSagaIsRecordedWithoutLeavingFailed) {
  SagaDriver drv;
  Saga s = drv.Failed();
  Result<Decision> d = Decide(s, Result_(s, Slot::kVault, Outcome::Ok(), VaultData()), Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_EQ(d->next->steps.at(Slot::kVault).status, StepStatus::kSucceeded);
  EXPECT_TRUE(d->commands.empty());
}

// ---- delivery --------------------------------------------------------------------------------

TEST(DecideDelivery, SealedBundleIsStoredAndPublished) {
  SagaDriver drv;
  Saga s = drv.Delivering();
  Result<Decision> d = Decide(s, BundleSealed{s.bundle_id, "ciphertext"}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->sealed_bundle, "ciphertext");
  EXPECT_EQ(d->next->delivered_at, kT0);
  EXPECT_EQ(All<PublishCredentials>(d->commands).size(), 1u);
}

TEST(DecideDelivery, SecondSealKeepsTheFirstCiphertext) {
  SagaDriver drv;
  Saga s = drv.Sealed();
  Result<Decision> d = Decide(s, BundleSealed{s.bundle_id, "other"}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->sealed_bundle, "ciphertext");
  EXPECT_EQ(All<PublishCredentials>(d->commands).size(), 1u);
}

TEST(DecideDelivery, SealForAnotherBundleIsRefused) {
  SagaDriver drv;
  EXPECT_TRUE(
      Decide(drv.Delivering(), BundleSealed{"g99", "x"}, Ctx()).status().IsFailedPrecondition());
}

TEST(DecideDelivery, AckProvisionsTheDeviceAndForgetsEveryCiphertext) {
  SagaDriver drv;
  Saga s = drv.Sealed();
  Result<Decision> d = Decide(s, AckReceived{s.bundle_id}, Ctx());
  ASSERT_TRUE(d.ok());
  const Saga& n = *d->next;
  EXPECT_EQ(n.phase, Phase::kProvisioned);
  EXPECT_EQ(n.provisioned_at, kT0);
  EXPECT_TRUE(n.sealed_bundle.empty());
  EXPECT_EQ(n.steps.at(Slot::kDps).data_json.find("sealed"), std::string::npos);
  EXPECT_EQ(n.steps.at(Slot::kVault).data_json.find("sealed"), std::string::npos);
  EXPECT_NE(n.steps.at(Slot::kVault).data_json.find("01:02"), std::string::npos)
      << "the serial stays, for revocation";
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideDelivery, AckForAnotherBundleIsRefused) {
  SagaDriver drv;
  EXPECT_TRUE(Decide(drv.Sealed(), AckReceived{"g99"}, Ctx()).status().IsFailedPrecondition());
}

TEST(DecideDelivery, RepeatedAckIsConfirmedAgain) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  Result<Decision> d = Decide(s, AckReceived{s.bundle_id}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioned);
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideDelivery, AckBeforeDeliveryIsRefused) {
  SagaDriver drv;
  EXPECT_FALSE(Decide(drv.Pending(), AckReceived{"g1"}, Ctx()).ok());
  EXPECT_FALSE(Decide(drv.Provisioning(), AckReceived{"g1"}, Ctx()).ok());
}

// ---- retries, leases and timers
// ------------------------------------------------------------------ Ctx() uses the default policy:
// 5 attempts, 1 s backoff doubling, jitter centred by random01 0.5.

namespace retries {

Outcome Busy(Millis retry_after = 0) {
  return Outcome::Retryable("dps: HTTP 503: busy", retry_after);
}

// Fails the current attempt of a slot with a retryable outcome and fires its backoff timer.
Saga FailAndRetry(Saga s, Slot slot, Instant now) {
  s = Apply(s, Result_(s, slot, Busy()), now);
  return Apply(s, TimerFired{}, s.steps.at(slot).retry_at);
}

TEST(DecideRetry, RetryableNameCheckFailureWaitsOutItsBackoff) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  Result<Decision> d = Decide(s, Result_(s, Slot::kDpsName, Busy()), Ctx(kT0 + 10));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kCheckingName);
  const saga::StepState& st = d->next->steps.at(Slot::kDpsName);
  EXPECT_EQ(st.status, StepStatus::kWaiting);
  EXPECT_EQ(st.retry_at, kT0 + 10 + 1000);
  EXPECT_EQ(st.last_error, "dps: HTTP 503: busy");
  EXPECT_TRUE(d->commands.empty()) << "the approval keeps waiting";
  EXPECT_EQ(saga::NextDue(*d->next), kT0 + 1010) << "the retry comes before the other lease";
}

TEST(DecideRetry, NameCheckThatKeepsFailingReturnsToPendingAsUnavailable) {
  SagaDriver drv;
  Saga s = drv.CheckingName();
  Instant now = kT0;
  for (int i = 0; i < 4; ++i) {
    s = FailAndRetry(s, Slot::kDpsName, now);
    now = s.steps.at(Slot::kDpsName).started;
  }
  ASSERT_EQ(s.steps.at(Slot::kDpsName).attempt, 5);
  Result<Decision> d = Decide(s, Result_(s, Slot::kDpsName, Busy()), Ctx(now));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kPending);
  EXPECT_NE(d->next->last_error.find("after 5 attempts"), std::string::npos) << d->next->last_error;
  std::vector<SendReply> replies = All<SendReply>(d->commands);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].status, ReplyStatus::kUnavailable);
  EXPECT_EQ(All<ReleaseName>(d->commands).size(), 1u);
}

TEST(DecideRetry, RetryableProvisioningFailureWaitsWithGrowingBackoffAndHonoursRetryAfter) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kDps, Busy()), kT0);
  EXPECT_EQ(s.phase, Phase::kProvisioning);
  EXPECT_EQ(s.steps.at(Slot::kDps).retry_at, kT0 + 1000);
  s = Apply(s, TimerFired{}, kT0 + 1000);
  s = Apply(s, Result_(s, Slot::kDps, Busy()), kT0 + 1500);
  EXPECT_EQ(s.steps.at(Slot::kDps).retry_at, kT0 + 1500 + 2000);
  s = Apply(s, TimerFired{}, kT0 + 3500);
  s = Apply(s, Result_(s, Slot::kDps, Busy(9000)), kT0 + 4000);
  EXPECT_EQ(s.steps.at(Slot::kDps).retry_at, kT0 + 4000 + 9000) << "Retry-After is a floor";
}

TEST(DecideRetry, WaitingStepStartsItsNextAttemptWhenTheTimerFires) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kVault, Busy()), kT0);
  Result<Decision> d = Decide(s, TimerFired{}, Ctx(kT0 + 1000));
  ASSERT_TRUE(d.ok());
  const saga::StepState& st = d->next->steps.at(Slot::kVault);
  EXPECT_EQ(st.status, StepStatus::kRunning);
  EXPECT_EQ(st.attempt, 2);
  EXPECT_EQ(st.deadline, kT0 + 1000 + kTimeout);
  std::vector<DispatchJob> jobs = All<DispatchJob>(d->commands);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].slot, Slot::kVault);
}

TEST(DecideRetry, TimerBeforeAnythingIsDueChangesNothing) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kVault, Busy()), kT0);
  Result<Decision> d = Decide(s, TimerFired{}, Ctx(kT0 + 999));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d->next, s);
  EXPECT_TRUE(d->commands.empty());
}

TEST(DecideRetry, BudgetSpentFailsTheSagaWithStepAttemptsAndCloudError) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Instant now = kT0;
  for (int i = 0; i < 4; ++i) {
    s = FailAndRetry(s, Slot::kDps, now);
    now = s.steps.at(Slot::kDps).started;
  }
  Result<Decision> d = Decide(s, Result_(s, Slot::kDps, Busy()), Ctx(now));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_EQ(d->next->last_error,
            "DPS step failed after 5 attempts (attempt 5): dps: HTTP 503: busy");
  EXPECT_EQ(d->next->steps.at(Slot::kDps).status, StepStatus::kFailed);
  EXPECT_EQ(All<PublishStatus>(d->commands).size(), 1u);
}

TEST(DecideRetry, PermanentFailureFailsAtOnceWithoutRetrying) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(
      s, Result_(s, Slot::kVault, Outcome::Permanent("vault: HTTP 400: common name not allowed")),
      Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_EQ(d->next->steps.at(Slot::kVault).attempt, 1);
  EXPECT_NE(d->next->last_error.find("common name not allowed"), std::string::npos);
}

TEST(DecideLease, ExpiredAttemptIsDispatchedAgainAtOnceAsTheNextAttempt) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(s, TimerFired{}, Ctx(kT0 + kTimeout));
  ASSERT_TRUE(d.ok());
  for (Slot slot : {Slot::kMender, Slot::kDps, Slot::kVault}) {
    const saga::StepState& st = d->next->steps.at(slot);
    EXPECT_EQ(st.status, StepStatus::kRunning);
    EXPECT_EQ(st.attempt, 2);
    EXPECT_NE(st.last_error.find("lease"), std::string::npos);
  }
  EXPECT_EQ(All<DispatchJob>(d->commands).size(), 3u);
  // The late result of attempt 1 is stale.
  StepResultArrived late = Result_(s, Slot::kMender, Outcome::Ok(), MenderData());
  EXPECT_TRUE(Decide(*d->next, late, Ctx(kT0 + kTimeout + 1)).status().IsFailedPrecondition());
}

TEST(DecideLease, ExpiredLastAttemptFailsTheSaga) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Instant now = kT0;
  for (int i = 0; i < 4; ++i) {
    now = s.steps.at(Slot::kVault).deadline;
    s = Apply(s, TimerFired{}, now);  // leases of every running step run out
  }
  ASSERT_EQ(s.steps.at(Slot::kVault).attempt, 5);
  Result<Decision> d = Decide(s, TimerFired{}, Ctx(s.steps.at(Slot::kVault).deadline));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_NE(d->next->last_error.find("after 5 attempts"), std::string::npos) << d->next->last_error;
  EXPECT_NE(d->next->last_error.find("lease"), std::string::npos) << d->next->last_error;
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
}

TEST(DecideLease, ExpiredAttemptOfAFailedSagaIsRecordedAsFailed) {
  SagaDriver drv;
  Saga s = drv.Failed();  // mender and vault still running
  Result<Decision> d = Decide(s, TimerFired{}, Ctx(kT0 + kTimeout));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kFailed);
  EXPECT_EQ(d->next->steps.at(Slot::kMender).status, StepStatus::kFailed);
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
  EXPECT_FALSE(saga::NextDue(*d->next).has_value());
}

TEST(DecideOperatorRetry, UnknownDeviceIsNotFound) {
  Result<Decision> d = Decide(std::nullopt, RetryRequested{"alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->next.has_value());
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kNotFound);
}

TEST(DecideOperatorRetry, OnlyAFailedDeviceCanBeRetried) {
  SagaDriver drv;
  Result<Decision> d = Decide(drv.Provisioning(), RetryRequested{"alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kConflict);
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
}

TEST(DecideOperatorRetry, RunsOnlyTheFailedStepsWithAFreshBudget) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kMender, Outcome::Ok(), MenderData()));
  s = Apply(s, Result_(s, Slot::kVault, Outcome::Ok(), VaultData()));
  Instant now = kT0;
  for (int i = 0; i < 4; ++i) {
    s = FailAndRetry(s, Slot::kDps, now);
    now = s.steps.at(Slot::kDps).started;
  }
  s = Apply(s, Result_(s, Slot::kDps, Busy()), now);
  ASSERT_EQ(s.phase, Phase::kFailed);

  Result<Decision> d = Decide(s, RetryRequested{"alice", kReply}, Ctx(now + 60000));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->phase, Phase::kProvisioning);
  EXPECT_TRUE(d->next->last_error.empty());
  std::vector<DispatchJob> jobs = All<DispatchJob>(d->commands);
  ASSERT_EQ(jobs.size(), 1u) << "succeeded steps are never run again";
  EXPECT_EQ(jobs[0].slot, Slot::kDps);
  const saga::StepState& dps = d->next->steps.at(Slot::kDps);
  EXPECT_EQ(dps.attempt, 6);
  EXPECT_EQ(dps.budget_start, 5);
  EXPECT_EQ(d->next->steps.at(Slot::kMender).attempt, 1);
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kAccepted);
  // The fresh budget allows retries again, and success delivers.
  Saga r = Apply(*d->next, Result_(*d->next, Slot::kDps, Busy()), now + 60001);
  EXPECT_EQ(r.steps.at(Slot::kDps).status, StepStatus::kWaiting);
  r = Apply(r, TimerFired{}, r.steps.at(Slot::kDps).retry_at);
  r = Apply(r, Result_(r, Slot::kDps, Outcome::Ok(), DpsData()), now + 70000);
  EXPECT_EQ(r.phase, Phase::kDelivering);
}

TEST(DecideOperatorRetry, AfterATransportKeyChangeTheSealedStepsRunAgain) {
  SagaDriver drv;
  Saga s = drv.Sealed();
  s = Apply(s, drv.device.Announce(500, std::string(32, 'n')));
  ASSERT_EQ(s.phase, Phase::kFailed);
  ASSERT_TRUE(s.reseal_needed);
  Result<Decision> d = Decide(s, RetryRequested{"alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  std::vector<DispatchJob> jobs = All<DispatchJob>(d->commands);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].slot, Slot::kDps);
  EXPECT_EQ(jobs[1].slot, Slot::kVault);
  EXPECT_FALSE(d->next->reseal_needed);
  EXPECT_TRUE(d->next->sealed_bundle.empty());
  EXPECT_EQ(d->next->steps.at(Slot::kMender).status, StepStatus::kSucceeded);
}

TEST(DecideRunNow, WaitingStepStartsAtOnce) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kVault, Busy(60000)), kT0);
  Result<Decision> d = Decide(s, RunNowRequested{"vault", "alice", kReply}, Ctx(kT0 + 5));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->next->steps.at(Slot::kVault).status, StepStatus::kRunning);
  EXPECT_EQ(d->next->steps.at(Slot::kVault).attempt, 2);
  EXPECT_EQ(All<DispatchJob>(d->commands).size(), 1u);
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kAccepted);
}

TEST(DecideRunNow, NothingWaitingIsAConflictAndAnUnknownStepInvalid) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  Result<Decision> d = Decide(s, RunNowRequested{"", "alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kConflict);
  EXPECT_TRUE(All<DispatchJob>(d->commands).empty());
  d = Decide(s, RunNowRequested{"flux", "alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kInvalid);
  d = Decide(std::nullopt, RunNowRequested{"", "alice", kReply}, Ctx());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(All<SendReply>(d->commands).at(0).status, ReplyStatus::kNotFound);
}

TEST(DecideOrphans, ALateVaultResultWithAnotherCertificateIsRevoked) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  StepResultArrived first = Result_(s, Slot::kVault, Outcome::Ok(), VaultData());
  s = Apply(s, TimerFired{}, kT0 + kTimeout);  // attempt 1's lease ran out; attempt 2 runs
  protocol::VaultProvisionResult other = protocol::ParseVaultProvision(VaultData()).value();
  other.serial = "0a:0b";
  first.result.data_json = protocol::EncodeVaultProvision(other);
  Result<Decision> d = Decide(s, first, Ctx(kT0 + kTimeout + 5));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<RevokeCertificate> revokes = All<RevokeCertificate>(d->commands);
  ASSERT_EQ(revokes.size(), 1u);
  EXPECT_EQ(revokes[0].serial, "0a:0b");
  EXPECT_EQ(revokes[0].attempt, 1);
  EXPECT_EQ(d->next->steps.at(Slot::kVault).attempt, 2) << "the saga itself does not change";
  EXPECT_EQ(d->next->steps.at(Slot::kVault).status, StepStatus::kRunning);
}

TEST(DecideOrphans, TheSameResultAgainIsOnlyStale) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  StepResultArrived vault = Result_(s, Slot::kVault, Outcome::Ok(), VaultData());
  s = Apply(s, vault);
  Result<Decision> d = Decide(s, vault, Ctx());
  EXPECT_TRUE(d.status().IsFailedPrecondition());
}

TEST(DecideOrphans, ADuplicateAttemptsOtherCertificateIsRevokedAfterDelivery) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  protocol::VaultProvisionResult other = protocol::ParseVaultProvision(VaultData()).value();
  other.serial = "0c:0d";
  StepResultArrived dup{protocol::JobId{s.device_id, s.generation, protocol::Step::kVault,
                                        protocol::Action::kProvision, 1},
                        protocol::JobResult{Outcome::Ok(), protocol::EncodeVaultProvision(other)}};
  Result<Decision> d = Decide(s, dup, Ctx());
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(All<RevokeCertificate>(d->commands).size(), 1u);
  EXPECT_EQ(d->next->phase, Phase::kProvisioned);
}

}  // namespace retries

}  // namespace
}  // namespace gps::engine
