#include "engine/saga/history.h"

#include <gtest/gtest.h>

#include "engine/saga/decide_test_support.h"
#include "gps/json/json.h"

namespace gps::engine {
namespace {

using namespace decide_testing;

// The transition through the real Decide, and the timeline entries it makes.
struct Transition {
  Saga after;
  std::vector<HistoryEntry> entries;
};

Transition Transit(const std::optional<Saga>& before, const Event& e, Instant now = kT0) {
  Saga after = Apply(before, e, now);
  return {after, HistoryEntries(before, after, e, now)};
}

std::vector<std::string> Kinds(const std::vector<HistoryEntry>& entries) {
  std::vector<std::string> out;
  for (const HistoryEntry& e : entries) {
    out.push_back(e.kind + (e.step.empty() ? "" : ":" + e.step) +
                  (e.outcome.empty() ? "" : ":" + e.outcome));
  }
  return out;
}

TEST(HistoryTest, TheFirstAnnounceIsRecordedAndLaterOnesAreNot) {
  SagaDriver d;
  Transition first = Transit(std::nullopt, d.device.Announce(100));
  ASSERT_EQ(first.entries.size(), 1u);
  EXPECT_EQ(first.entries[0].kind, "announced");
  EXPECT_NE(first.entries[0].message.find("02:00:00:00:00:01"), std::string::npos);
  EXPECT_TRUE(Transit(first.after, d.device.Announce(200)).entries.empty());
}

TEST(HistoryTest, AnApprovalRecordsTheOperatorTheNameChecksAndThePhase) {
  SagaDriver d;
  Transition t = Transit(d.Pending(), Approve("gw-7"));
  EXPECT_EQ(Kinds(t.entries), (std::vector<std::string>{"command", "dispatched:menderName",
                                                        "dispatched:dpsName", "phase"}));
  EXPECT_EQ(t.entries[0].actor, "alice");
  EXPECT_EQ(t.entries[0].command, "approve");
  EXPECT_EQ(t.entries[0].name, "gw-7");
  EXPECT_EQ(t.entries[1].attempt, 1);
  EXPECT_EQ(t.entries[3].from, "pending");
  EXPECT_EQ(t.entries[3].to, "checking_name");
  for (const HistoryEntry& e : t.entries) {
    EXPECT_EQ(e.at, kT0);
  }
}

TEST(HistoryTest, ResultsEndAttemptsAndTheNextStepsStart) {
  SagaDriver d;
  Saga s = d.CheckingName();
  s = Apply(s, Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true)));
  Transition t = Transit(s, Result_(s, Slot::kDpsName, Outcome::Ok(), Available(true)));
  EXPECT_EQ(Kinds(t.entries),
            (std::vector<std::string>{"result:dpsName:ok", "dispatched:mender", "dispatched:dps",
                                      "dispatched:vault", "phase"}));
}

TEST(HistoryTest, ARetryableFailureWaitsUntilItsRetryTime) {
  SagaDriver d;
  Saga s = d.Provisioning();
  Transition t =
      Transit(s, Result_(s, Slot::kVault, Outcome::Retryable("vault: HTTP 503: sealed", 5000)));
  ASSERT_EQ(Kinds(t.entries), (std::vector<std::string>{"result:vault:retry"}));
  const HistoryEntry& e = t.entries[0];
  EXPECT_EQ(e.attempt, 1);
  EXPECT_EQ(e.error, "vault: HTTP 503: sealed");
  EXPECT_EQ(e.retry_at, t.after.steps.at(Slot::kVault).retry_at);
  EXPECT_GE(e.retry_at.ms, kT0.ms + 5000);

  // The timer starts the next attempt.
  Transition next = Transit(t.after, TimerFired{}, e.retry_at);
  EXPECT_EQ(Kinds(next.entries), (std::vector<std::string>{"dispatched:vault"}));
  EXPECT_EQ(next.entries[0].attempt, 2);
}

TEST(HistoryTest, ALeaseThatRunsOutIsATimeoutAndTheNextAttemptGoesOut) {
  SagaDriver d;
  Saga s = d.Provisioning();
  Transition t = Transit(s, TimerFired{}, kT0 + kTimeout + 1);
  std::vector<std::string> kinds = Kinds(t.entries);
  ASSERT_EQ(kinds.size(), 6u) << ::testing::PrintToString(kinds);
  EXPECT_EQ(kinds[0], "result:mender:timeout");
  EXPECT_NE(t.entries[0].error.find("no result within the attempt's lease"), std::string::npos);
  EXPECT_EQ(t.entries[0].attempt, 1);
  EXPECT_EQ(kinds[3], "dispatched:mender");
  EXPECT_EQ(t.entries[3].attempt, 2);
}

TEST(HistoryTest, APermanentFailureFailsTheSagaWithTheCloudsWords) {
  SagaDriver d;
  Saga s = d.Provisioning();
  Transition t = Transit(s, Result_(s, Slot::kDps, Outcome::Permanent("dps: HTTP 400: bad key")));
  ASSERT_EQ(Kinds(t.entries), (std::vector<std::string>{"result:dps:failed", "phase"}));
  EXPECT_EQ(t.entries[0].error, "dps: HTTP 400: bad key");
  EXPECT_EQ(t.entries[1].to, "failed");
  EXPECT_NE(t.entries[1].error.find("bad key"), std::string::npos);
}

TEST(HistoryTest, ARetryByAnOperatorStartsTheFailedStepAgain) {
  SagaDriver d;
  Transition t = Transit(d.Failed(), RetryRequested{"bob", kReply});
  std::vector<std::string> kinds = Kinds(t.entries);
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds.front(), "command");
  EXPECT_EQ(t.entries.front().actor, "bob");
  EXPECT_EQ(t.entries.front().command, "retry");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "dispatched:dps"), kinds.end());
  EXPECT_EQ(kinds.back(), "phase");
  EXPECT_EQ(t.entries.back().to, "provisioning");
}

TEST(HistoryTest, ATakenNameEndsTheCheckAndGoesBackToPending) {
  SagaDriver d;
  Saga s = d.CheckingName();
  Transition t = Transit(s, Result_(s, Slot::kMenderName, Outcome::Ok(),
                                    Available(false, "a Mender device is named gw-1")));
  std::vector<std::string> kinds = Kinds(t.entries);
  ASSERT_EQ(kinds, (std::vector<std::string>{"result:menderName:ok", "phase"}));
  EXPECT_EQ(t.entries[1].to, "pending");
  EXPECT_FALSE(t.entries[1].error.empty());
}

TEST(HistoryTest, CredentialsAndTheAck) {
  SagaDriver d;
  Saga s = d.Delivering();
  Transition sealed = Transit(s, BundleSealed{s.bundle_id, "ciphertext"});
  ASSERT_EQ(Kinds(sealed.entries), (std::vector<std::string>{"credentials"}));
  EXPECT_NE(sealed.entries[0].message.find(s.bundle_id), std::string::npos);
  Transition acked = Transit(sealed.after, AckReceived{s.bundle_id});
  std::vector<std::string> kinds = Kinds(acked.entries);
  EXPECT_EQ(kinds, (std::vector<std::string>{"dispatched:hubManifest", "phase"}));
  EXPECT_EQ(acked.entries.back().to, "provisioned");
}

TEST(HistoryTest, OnlyEveryTenthPollForIoTHubIsRecorded) {
  SagaDriver d;
  Saga s = d.Provisioned();
  Instant now = kT0;
  int recorded = 0;
  for (int poll = 1; poll <= 20; ++poll) {
    Transition r = Transit(
        s,
        Result_(s, Slot::kHubManifest, Outcome::Retryable("the device is not in IoT Hub yet", 1000),
                R"({"hubDeviceId":"gw-1","waiting":true})"),
        now);
    ASSERT_EQ(r.after.steps.at(Slot::kHubManifest).polls, poll);
    recorded += static_cast<int>(r.entries.size());
    if (poll == 1 || poll % 10 == 0) {
      ASSERT_EQ(Kinds(r.entries), (std::vector<std::string>{"result:hubManifest:retry"}));
      EXPECT_NE(r.entries[0].message.find("poll " + std::to_string(poll)), std::string::npos);
    } else {
      EXPECT_TRUE(r.entries.empty()) << poll;
    }
    now = r.after.steps.at(Slot::kHubManifest).retry_at;
    Transition again = Transit(r.after, TimerFired{}, now);
    recorded += static_cast<int>(again.entries.size());
    s = again.after;
  }
  // Polls 1, 10 and 20 with their next dispatches (the first dispatch after poll 1 is quiet).
  EXPECT_LE(recorded, 6);
}

TEST(HistoryTest, ARevocationRecordsItsCompensations) {
  SagaDriver d;
  Transition t = Transit(d.Provisioned(), RevokeRequested{"carol", kReply});
  std::vector<std::string> kinds = Kinds(t.entries);
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.front(), "command");
  EXPECT_EQ(t.entries.front().command, "revoke");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "dispatched:menderRevoke"), kinds.end());
  EXPECT_EQ(kinds.back(), "phase");
  EXPECT_EQ(t.entries.back().to, "revoking");
  // Steps that had succeeded and stay so are not repeated.
  EXPECT_EQ(std::find(kinds.begin(), kinds.end(), "step:mender:succeeded"), kinds.end());
}

TEST(HistoryTest, EncodesOnlyTheFieldsThatAreSet) {
  HistoryEntry e;
  e.at = Instant{1'700'000'000'000};
  e.kind = "result";
  e.step = "vault";
  e.attempt = 2;
  e.outcome = "retry";
  e.error = "vault: HTTP 503: \"sealed\"";
  e.retry_at = Instant{1'700'000'005'000};
  std::string text = EncodeHistoryEntry(e);
  EXPECT_EQ(text, R"({"at":"2023-11-14T22:13:20.000Z","kind":"result","step":"vault","attempt":2,)"
                  R"("outcome":"retry","error":"vault: HTTP 503: \"sealed\"",)"
                  R"("retryAt":"2023-11-14T22:13:25.000Z"})");
  EXPECT_TRUE(json::ParseObject(text, 4096, "entry").ok());
}

}  // namespace
}  // namespace gps::engine
