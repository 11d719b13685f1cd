// Device revocation (docs/design/saga.md rows 59-66): the compensations, their order, their
// retries, and creations that land after the revocation began.

#include <gtest/gtest.h>

#include "engine/saga/decide.h"
#include "engine/saga/decide_test_support.h"

namespace gps::engine {
namespace {

using namespace decide_testing;

const RevokeRequested kRevoke{"bob", kReply};

std::vector<Slot> Dispatched(const std::vector<Command>& commands) {
  std::vector<Slot> out;
  for (const DispatchJob& j : All<DispatchJob>(commands)) {
    out.push_back(j.slot);
  }
  return out;
}

Decision MustDecide(const Saga& s, const Event& e, Instant now = kT0) {
  Result<Decision> d = Decide(s, e, Ctx(now));
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : Decision{};
}

// Completes every running revoke slot, DPS first.
Saga CompleteRevocation(Saga s) {
  for (Slot slot : {Slot::kDpsRevoke, Slot::kMenderRevoke, Slot::kVaultRevoke, Slot::kHubRevoke}) {
    s = Apply(s, Result_(s, slot, Outcome::Ok()));
  }
  return s;
}

TEST(DecideRevoke, AProvisionedDeviceStartsThreeCompensationsInANewGeneration) {
  SagaDriver drv;
  Saga before = drv.Provisioned();
  Decision d = MustDecide(before, kRevoke);
  const Saga& s = *d.next;
  EXPECT_EQ(s.phase, Phase::kRevoking);
  EXPECT_EQ(s.generation, before.generation + 1);
  EXPECT_EQ(s.revoked_by, "bob");
  EXPECT_EQ(s.revoke_requested_at, kT0);
  EXPECT_EQ(s.name, "gw-1") << "the name stays reserved";
  EXPECT_TRUE(s.bundle_id.empty());
  EXPECT_EQ(Dispatched(d.commands),
            (std::vector<Slot>{Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke}));
  EXPECT_FALSE(s.steps.contains(Slot::kHubRevoke)) << "the hub device waits for the enrollment";
  EXPECT_EQ(s.steps.at(Slot::kHubManifest).status, StepStatus::kFailed)
      << "the manifest step stops";
  ASSERT_EQ(All<SendReply>(d.commands).size(), 1u);
  EXPECT_EQ(All<SendReply>(d.commands)[0].status, ReplyStatus::kAccepted);
  EXPECT_EQ(All<PublishStatus>(d.commands).size(), 1u);
  EXPECT_EQ(saga::ApiState(s.phase), "revoking");
}

TEST(DecideRevoke, TheHubDeviceIsDisabledOnceTheEnrollmentIsGone) {
  SagaDriver drv;
  Saga s = Apply(drv.Provisioned(), kRevoke);
  Decision d = MustDecide(s, Result_(s, Slot::kMenderRevoke, Outcome::Ok()));
  EXPECT_TRUE(Dispatched(d.commands).empty());
  s = *d.next;
  d = MustDecide(s, Result_(s, Slot::kDpsRevoke, Outcome::Ok()));
  EXPECT_EQ(Dispatched(d.commands), std::vector<Slot>{Slot::kHubRevoke});
  s = *d.next;
  s = Apply(s, Result_(s, Slot::kVaultRevoke, Outcome::Ok()));
  EXPECT_EQ(s.phase, Phase::kRevoking);
  d = MustDecide(s, Result_(s, Slot::kHubRevoke, Outcome::Ok(), R"({"disabled":true})"));
  EXPECT_EQ(d.next->phase, Phase::kRevoked);
  EXPECT_EQ(d.next->revoked_at, kT0);
  EXPECT_EQ(All<PublishStatus>(d.commands).size(), 1u);
  EXPECT_FALSE(saga::NextDue(*d.next).has_value());
}

TEST(DecideRevoke, ACompensationWaitsForTheRunningAttemptItUndoes) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  s = Apply(s, Result_(s, Slot::kMender, Outcome::Ok(), MenderData()));
  Instant dps_deadline = s.steps.at(Slot::kDps).deadline;
  Decision d = MustDecide(s, kRevoke, kT0 + 1000);
  EXPECT_EQ(Dispatched(d.commands), std::vector<Slot>{Slot::kMenderRevoke})
      << "only Mender's creation has settled";
  const saga::StepState& dps = d.next->steps.at(Slot::kDpsRevoke);
  EXPECT_EQ(dps.status, StepStatus::kWaiting);
  EXPECT_EQ(dps.retry_at, dps_deadline);
  EXPECT_EQ(d.next->steps.at(Slot::kDps).status, StepStatus::kFailed);
  // At the lease's end the compensation starts.
  d = MustDecide(*d.next, TimerFired{}, dps_deadline);
  std::vector<Slot> started = Dispatched(d.commands);
  EXPECT_NE(std::find(started.begin(), started.end(), Slot::kDpsRevoke), started.end());
  EXPECT_EQ(d.next->steps.at(Slot::kDpsRevoke).attempt, 1);
}

TEST(DecideRevoke, TheJobsCarryWhatTheProvisioningLearned) {
  SagaDriver drv;
  Saga s = Apply(drv.Provisioned(), kRevoke);
  // job_facts.h reads them from the kept step data: Mender's id, Vault's serial.
  EXPECT_EQ(protocol::ParseMenderProvision(s.steps.at(Slot::kMender).data_json)->mender_device_id,
            "mender-uuid-1");
  EXPECT_EQ(protocol::ParseVaultProvision(s.steps.at(Slot::kVault).data_json)->serial, "01:02");
}

TEST(DecideRevoke, ResultsOfTheProvisioningAreStaleAfterwards) {
  SagaDriver drv;
  Saga provisioning = drv.Provisioning();
  Saga s = Apply(provisioning, kRevoke);
  Result<Decision> d =
      Decide(s, Result_(provisioning, Slot::kVault, Outcome::Permanent("late")), Ctx());
  EXPECT_TRUE(d.status().IsFailedPrecondition());
}

TEST(DecideRevoke, AVaultCertificateReportedLateIsRevokedByItsSerial) {
  SagaDriver drv;
  Saga provisioning = drv.Provisioning();
  Saga s = Apply(provisioning, kRevoke);
  Decision d = MustDecide(s, Result_(provisioning, Slot::kVault, Outcome::Ok(), VaultData()));
  std::vector<RevokeCertificate> revokes = All<RevokeCertificate>(d.commands);
  ASSERT_EQ(revokes.size(), 1u);
  EXPECT_EQ(revokes[0].serial, "01:02");
  EXPECT_EQ(revokes[0].generation, provisioning.generation)
      << "its job id stays in the generation that made it";
}

TEST(DecideRevoke, AMenderCreationReportedAfterItsCompensationIsUndoneAgain) {
  SagaDriver drv;
  Saga provisioning = drv.Provisioning();
  Saga s = Apply(provisioning, kRevoke, kT0 + kTimeout + 1);  // every lease is over
  s = CompleteRevocation(s);
  ASSERT_EQ(s.phase, Phase::kRevoked);
  Decision d = MustDecide(s, Result_(provisioning, Slot::kMender, Outcome::Ok(),
                                     protocol::EncodeMenderProvision({"late-id"})));
  EXPECT_EQ(d.next->phase, Phase::kRevoking);
  EXPECT_EQ(Dispatched(d.commands), std::vector<Slot>{Slot::kMenderRevoke});
  EXPECT_EQ(d.next->steps.at(Slot::kMenderRevoke).attempt, 2);
  EXPECT_EQ(
      protocol::ParseMenderProvision(d.next->steps.at(Slot::kMender).data_json)->mender_device_id,
      "late-id")
      << "the compensation needs the id the late creation reported";
  Saga again = Apply(*d.next, Result_(*d.next, Slot::kMenderRevoke, Outcome::Ok()));
  EXPECT_EQ(again.phase, Phase::kRevoked);
}

TEST(DecideRevoke, ADpsCreationReportedLateDisablesTheHubDeviceAgainAfterwards) {
  SagaDriver drv;
  Saga provisioning = drv.Provisioning();
  Saga s = CompleteRevocation(Apply(provisioning, kRevoke, kT0 + kTimeout + 1));
  Decision d = MustDecide(s, Result_(provisioning, Slot::kDps, Outcome::Ok(), DpsData()));
  EXPECT_EQ(Dispatched(d.commands), std::vector<Slot>{Slot::kDpsRevoke});
  EXPECT_FALSE(d.next->steps.contains(Slot::kHubRevoke));
  d = MustDecide(*d.next, Result_(*d.next, Slot::kDpsRevoke, Outcome::Ok()));
  EXPECT_EQ(Dispatched(d.commands), std::vector<Slot>{Slot::kHubRevoke});
}

TEST(DecideRevoke, ARetryableFailureWaitsAndAPermanentOneFailsTheRevocation) {
  SagaDriver drv;
  Saga s = Apply(drv.Provisioned(), kRevoke);
  s = Apply(s, Result_(s, Slot::kMenderRevoke, Outcome::Retryable("mender: HTTP 503", 4000)));
  EXPECT_EQ(s.phase, Phase::kRevoking);
  EXPECT_EQ(s.steps.at(Slot::kMenderRevoke).status, StepStatus::kWaiting);
  EXPECT_GE(s.steps.at(Slot::kMenderRevoke).retry_at, kT0 + 4000);
  s = Apply(s, Result_(s, Slot::kDpsRevoke, Outcome::Permanent("dps: HTTP 401: unauthorized")));
  EXPECT_EQ(s.phase, Phase::kFailed);
  EXPECT_NE(s.last_error.find("DPS revocation failed"), std::string::npos) << s.last_error;
  EXPECT_NE(s.last_error.find("HTTP 401"), std::string::npos);
  EXPECT_EQ(saga::ApiState(s.phase), "failed");
  // The still-running Vault compensation's result is recorded in the failed saga.
  s = Apply(s, Result_(s, Slot::kVaultRevoke, Outcome::Ok()));
  EXPECT_EQ(s.steps.at(Slot::kVaultRevoke).status, StepStatus::kSucceeded);

  Decision d = MustDecide(s, RetryRequested{"carol", kReply2});
  EXPECT_EQ(d.next->phase, Phase::kRevoking);
  EXPECT_EQ(Dispatched(d.commands), (std::vector<Slot>{Slot::kMenderRevoke, Slot::kDpsRevoke}))
      << "the succeeded Vault compensation is not repeated";
  EXPECT_EQ(d.next->steps.at(Slot::kDpsRevoke).budget_start, 1) << "a fresh budget";
  ASSERT_EQ(All<SendReply>(d.commands).size(), 1u);
  EXPECT_NE(All<SendReply>(d.commands)[0].message.find("revocation"), std::string::npos);
}

TEST(DecideRevoke, RevokingAFailedRevocationRetriesIt) {
  SagaDriver drv;
  Saga s = Apply(drv.Provisioned(), kRevoke);
  s = Apply(s, Result_(s, Slot::kVaultRevoke, Outcome::Permanent("vault: HTTP 403")));
  ASSERT_EQ(s.phase, Phase::kFailed);
  std::int64_t generation = s.generation;
  Decision d = MustDecide(s, kRevoke);
  EXPECT_EQ(d.next->phase, Phase::kRevoking);
  EXPECT_EQ(d.next->generation, generation) << "the same revocation goes on";
  EXPECT_EQ(Dispatched(d.commands), std::vector<Slot>{Slot::kVaultRevoke});
}

TEST(DecideRevoke, AFailedProvisioningCanBeRevoked) {
  SagaDriver drv;
  Decision d = MustDecide(drv.Failed(), kRevoke, kT0 + kTimeout + 1);
  EXPECT_EQ(d.next->phase, Phase::kRevoking);
  EXPECT_EQ(Dispatched(d.commands).size(), 3u);
}

TEST(DecideRevoke, OnlyACreatedDeviceCanBeRevoked) {
  SagaDriver drv;
  for (const Saga& s : {drv.Pending(), drv.CheckingName(), drv.Dismissed()}) {
    Decision d = MustDecide(s, kRevoke);
    ASSERT_EQ(All<SendReply>(d.commands).size(), 1u);
    EXPECT_EQ(All<SendReply>(d.commands)[0].status, ReplyStatus::kConflict)
        << saga::PhaseName(s.phase);
    EXPECT_EQ(d.next->phase, s.phase);
  }
  Saga revoking = Apply(drv.Provisioned(), kRevoke);
  Decision again = MustDecide(revoking, kRevoke);
  EXPECT_EQ(All<SendReply>(again.commands)[0].status, ReplyStatus::kConflict);
  EXPECT_TRUE(Dispatched(again.commands).empty());
  Saga revoked = CompleteRevocation(revoking);
  EXPECT_EQ(All<SendReply>(MustDecide(revoked, kRevoke).commands)[0].status,
            ReplyStatus::kConflict);
  Result<Decision> unknown = Decide(std::nullopt, kRevoke, Ctx());
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->next.has_value());
  EXPECT_EQ(All<SendReply>(unknown->commands)[0].status, ReplyStatus::kNotFound);
}

TEST(DecideRevoke, ARevokedDeviceIsNeitherApprovedNorRetried) {
  SagaDriver drv;
  Saga revoked = CompleteRevocation(Apply(drv.Provisioned(), kRevoke));
  EXPECT_EQ(All<SendReply>(MustDecide(revoked, Approve("gw-2")).commands)[0].status,
            ReplyStatus::kConflict);
  EXPECT_EQ(All<SendReply>(MustDecide(revoked, RetryRequested{"op", kReply}).commands)[0].status,
            ReplyStatus::kConflict);
  Decision announce = MustDecide(revoked, drv.device.Announce(999));
  EXPECT_TRUE(announce.commands.empty());
  EXPECT_EQ(announce.next->phase, Phase::kRevoked);
}

}  // namespace
}  // namespace gps::engine
