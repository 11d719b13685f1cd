#include "gps/saga/record.h"

#include <gtest/gtest.h>

#include <string>

#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/testing/test_util.h"

namespace gps::saga {
namespace {

using testing::kDeviceId;
using testing::Must;

Saga FullSaga() {
  Saga s;
  s.device_id = kDeviceId;
  s.version = 17;
  s.generation = 3;
  s.phase = Phase::kDelivering;
  s.mac = "02:42:ac:11:00:02";
  s.pubkey_pem = "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n";
  s.fingerprint = "SHA256:lU7M/e0zBfoyvkzeyXrPwEJLOTsUdHmbixC7LAImlAo";
  s.check_code = "JN7C-SZFD-6C2Z";
  s.transport_key = std::string(32, '\x11');
  s.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
  s.last_announce_ts = 1763880000123;
  s.first_seen = Instant{1763880000200};
  s.name = "gw-berlin-0042";
  s.approved_by = "alice";
  s.approved_at = Instant{1763880100000};
  s.steps[Slot::kMenderName] = StepState{StepStatus::kSucceeded,
                                         1,
                                         Instant{1},
                                         Instant{2},
                                         Instant{3},
                                         "",
                                         R"({"available":true,"detail":""})",
                                         Instant{101},
                                         0,
                                         Instant{},
                                         0};
  s.steps[Slot::kDpsName] = StepState{StepStatus::kSucceeded,
                                      2,
                                      Instant{4},
                                      Instant{5},
                                      Instant{6},
                                      "dps: HTTP 503: busy",
                                      R"({"available":true})",
                                      Instant{102},
                                      1,
                                      Instant{},
                                      0};
  s.steps[Slot::kMender] =
      StepState{StepStatus::kRunning, 1, Instant{7}, Instant{8}, Instant{}, "", "{}",
                Instant{103},         0, Instant{},  0};
  s.steps[Slot::kDps] = StepState{StepStatus::kFailed,
                                  5,
                                  Instant{9},
                                  Instant{10},
                                  Instant{11},
                                  "dps: HTTP 400: \"bad\"\n",
                                  R"({"nested":{"a":[1,null]}})",
                                  Instant{104},
                                  0,
                                  Instant{},
                                  0};
  s.steps[Slot::kVault] = StepState{StepStatus::kIdle, 0, Instant{}, Instant{}, Instant{}, "", "{}",
                                    Instant{105},      0, Instant{}, 0};
  s.steps[Slot::kHubManifest] = StepState{StepStatus::kWaiting,
                                          9,
                                          Instant{12},
                                          Instant{13},
                                          Instant{14},
                                          "hub-manifest: not in IoT Hub yet",
                                          R"({"hubDeviceId":"gw-berlin-0042","waiting":true})",
                                          Instant{106},
                                          7,
                                          Instant{15},
                                          6};
  s.steps[Slot::kDpsRevoke] = StepState{StepStatus::kSucceeded,
                                        1,
                                        Instant{16},
                                        Instant{17},
                                        Instant{18},
                                        "",
                                        "{}",
                                        Instant{},
                                        0,
                                        Instant{},
                                        0};
  s.bundle_id = "b-7";
  s.sealed_bundle = std::string("\x01\x00\xffsealed", 9);
  s.delivered_at = Instant{1763880200000};
  s.provisioned_at = Instant{1763880300000};
  s.revoked_by = "bob";
  s.revoke_requested_at = Instant{1763880350000};
  s.revoked_at = Instant{1763880360000};
  s.last_error = "vault: HTTP 500: internal";
  s.pending_reply = ReplyTarget{"gps/v1/replies/ui-1", std::string("corr\x00\x01", 6)};
  s.updated_at = Instant{1763880400000};
  return s;
}

TEST(SagaRecord, RoundTripsWithEveryFieldSet) {
  Saga s = FullSaga();
  Saga back = Must(DecodeSaga(EncodeSaga(s), s.version));
  EXPECT_EQ(back, s);
}

TEST(SagaRecord, ALongLastErrorIsCutSoTheSagaStaysReadable) {
  // The engine writes "<cloud> step failed: <worker's error>", which can exceed the limit the
  // decoder applies; a saga it cannot read back would be stuck for good.
  Saga s = FullSaga();
  s.last_error = "DPS step failed: " + std::string(protocol::kMaxErrorTextBytes, 'e');
  s.steps[Slot::kDps].last_error = std::string(protocol::kMaxErrorTextBytes + 500, 'x');
  Result<Saga> back = DecodeSaga(EncodeSaga(s), s.version);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->last_error, s.last_error.substr(0, protocol::kMaxErrorTextBytes));
  EXPECT_EQ(back->steps.at(Slot::kDps).last_error.size(), protocol::kMaxErrorTextBytes);
}

TEST(SagaRecord, VersionComesFromOutsideTheDocument) {
  Saga s = FullSaga();
  std::string doc = EncodeSaga(s);
  EXPECT_EQ(doc.find("\"version\""), std::string::npos);
  EXPECT_EQ(Must(DecodeSaga(doc, 99)).version, 99);
}

TEST(SagaRecord, RoundTripsEveryPhase) {
  for (Phase p : {Phase::kPending, Phase::kCheckingName, Phase::kProvisioning, Phase::kDelivering,
                  Phase::kProvisioned, Phase::kFailed, Phase::kDismissed}) {
    Saga s = FullSaga();
    s.phase = p;
    EXPECT_EQ(Must(DecodeSaga(EncodeSaga(s), s.version)).phase, p) << PhaseName(p);
    EXPECT_EQ(Must(ParsePhase(PhaseName(p))), p);
  }
}

TEST(SagaRecord, ANewSagaRoundTrips) {
  Saga s;
  s.device_id = kDeviceId;
  s.mac = "02:42:ac:11:00:02";
  s.pubkey_pem = "pem";
  s.fingerprint = "SHA256:x";
  EXPECT_EQ(Must(DecodeSaga(EncodeSaga(s), 0)), s);
}

TEST(SagaRecord, AbsentOptionalFieldsTakeTheirDefaults) {
  std::string minimal = R"({"deviceId":")" + kDeviceId +
                        R"(","generation":1,"phase":"pending","mac":"02:42:ac:11:00:02",)"
                        R"("pubkey":"pem","fingerprint":"SHA256:x","lastAnnounceTs":5,)"
                        R"("firstSeen":6,"steps":{"vault":{"status":"running","attempt":2,)"
                        R"("data":{}}}})";
  Saga s = Must(DecodeSaga(minimal, 4));
  EXPECT_EQ(s.version, 4);
  EXPECT_EQ(s.generation, 1);
  EXPECT_EQ(s.phase, Phase::kPending);
  EXPECT_EQ(s.last_announce_ts, 5);
  EXPECT_EQ(s.first_seen, Instant{6});
  EXPECT_EQ(s.check_code, "");
  EXPECT_EQ(s.transport_key, "");
  EXPECT_EQ(s.csr_pem, "");
  EXPECT_EQ(s.name, "");
  EXPECT_EQ(s.approved_by, "");
  EXPECT_EQ(s.approved_at, Instant{});
  EXPECT_EQ(s.bundle_id, "");
  EXPECT_EQ(s.sealed_bundle, "");
  EXPECT_EQ(s.delivered_at, Instant{});
  EXPECT_EQ(s.provisioned_at, Instant{});
  EXPECT_EQ(s.last_error, "");
  EXPECT_TRUE(s.pending_reply.empty());
  EXPECT_EQ(s.updated_at, Instant{});
  ASSERT_EQ(s.steps.size(), 1u);
  const StepState& vault = s.steps.at(Slot::kVault);
  EXPECT_EQ(vault.status, StepStatus::kRunning);
  EXPECT_EQ(vault.attempt, 2);
  EXPECT_EQ(vault.started, Instant{});
  EXPECT_EQ(vault.deadline, Instant{});
  EXPECT_EQ(vault.finished, Instant{});
  EXPECT_EQ(vault.last_error, "");
  EXPECT_EQ(vault.data_json, "{}");
}

// Replaces the first occurrence of `from` in the encoded FullSaga().
std::string Altered(const std::string& from, const std::string& to) {
  std::string doc = EncodeSaga(FullSaga());
  std::size_t at = doc.find(from);
  if (at == std::string::npos) {
    throw std::logic_error("fixture text not found: " + from);
  }
  return doc.replace(at, from.size(), to);
}

TEST(SagaRecord, RefusesAnUnknownPhase) {
  for (const char* phase : {"\"exploded\"", "\"Pending\"", "\"\"", "3"}) {
    Result<Saga> s =
        DecodeSaga(Altered("\"phase\":\"delivering\"", std::string("\"phase\":") + phase), 1);
    EXPECT_TRUE(s.status().IsInvalidArgument()) << phase;
  }
  EXPECT_TRUE(ParsePhase("exploded").status().IsInvalidArgument());
}

TEST(SagaRecord, RefusesAnUnknownSlotOrStepStatus) {
  Result<Saga> s = DecodeSaga(Altered("\"menderName\":", "\"hubName\":"), 1);
  EXPECT_TRUE(s.status().IsInvalidArgument()) << s.status().ToString();
  s = DecodeSaga(Altered("\"status\":\"running\"", "\"status\":\"sleeping\""), 1);
  EXPECT_TRUE(s.status().IsInvalidArgument()) << s.status().ToString();
  EXPECT_TRUE(ParseSlot("hubName").status().IsInvalidArgument());
}

TEST(SagaRecord, RefusesMalformedDocuments) {
  const std::pair<const char*, std::string> cases[] = {
      {"not json", "{"},
      {"array", "[]"},
      {"no device id", Altered("\"deviceId\":", "\"deviceID\":")},
      {"generation as text", Altered("\"generation\":3", "\"generation\":\"3\"")},
      {"no steps", Altered("\"steps\":", "\"stepz\":")},
      {"steps not an object", Altered("\"steps\":{", "\"steps\":[],\"x\":{")},
      {"step data not an object", Altered("\"data\":{}", "\"data\":[]")},
      {"transport key not base64", Altered("\"transportKey\":\"", "\"transportKey\":\"!")},
      {"sealed bundle not base64", Altered("\"sealedBundle\":\"", "\"sealedBundle\":\"*")},
      {"attempt missing", Altered("\"attempt\":1", "\"attemptz\":1")},
  };
  for (const auto& [what, doc] : cases) {
    EXPECT_TRUE(DecodeSaga(doc, 1).status().IsInvalidArgument()) << what;
  }
  EXPECT_TRUE(DecodeSaga(std::string(kMaxSagaBytes + 1, ' '), 1).status().IsInvalidArgument());
}

TEST(SagaNames, SlotsMapToStepsAndActions) {
  const struct {
    Slot slot;
    const char* name;
    protocol::Step step;
    protocol::Action action;
  } cases[] = {
      {Slot::kMenderName, "menderName", protocol::Step::kMender, protocol::Action::kCheckName},
      {Slot::kDpsName, "dpsName", protocol::Step::kDps, protocol::Action::kCheckName},
      {Slot::kMender, "mender", protocol::Step::kMender, protocol::Action::kProvision},
      {Slot::kDps, "dps", protocol::Step::kDps, protocol::Action::kProvision},
      {Slot::kVault, "vault", protocol::Step::kVault, protocol::Action::kProvision},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SlotName(c.slot), c.name);
    EXPECT_EQ(Must(ParseSlot(c.name)), c.slot);
    EXPECT_EQ(SlotStep(c.slot), c.step);
    EXPECT_EQ(SlotAction(c.slot), c.action);
    EXPECT_EQ(SlotFor(c.step, c.action), c.slot);
  }
  EXPECT_FALSE(SlotFor(protocol::Step::kVault, protocol::Action::kCheckName).has_value());
  EXPECT_FALSE(SlotFor(protocol::Step::kHubManifest, protocol::Action::kCheckName).has_value());
  EXPECT_EQ(SlotFor(protocol::Step::kHubManifest, protocol::Action::kProvision),
            Slot::kHubManifest);
  EXPECT_EQ(SlotFor(protocol::Step::kMender, protocol::Action::kRevoke), Slot::kMenderRevoke);
}

TEST(SagaNames, ApiStateCollapsesTheWorkingPhases) {
  EXPECT_EQ(ApiState(Phase::kPending), "pending");
  EXPECT_EQ(ApiState(Phase::kCheckingName), "provisioning");
  EXPECT_EQ(ApiState(Phase::kProvisioning), "provisioning");
  EXPECT_EQ(ApiState(Phase::kDelivering), "provisioning");
  EXPECT_EQ(ApiState(Phase::kProvisioned), "provisioned");
  EXPECT_EQ(ApiState(Phase::kFailed), "failed");
  EXPECT_EQ(ApiState(Phase::kDismissed), "dismissed");
  EXPECT_EQ(StepStatusName(StepStatus::kIdle), "idle");
  EXPECT_EQ(StepStatusName(StepStatus::kRunning), "running");
  EXPECT_EQ(StepStatusName(StepStatus::kSucceeded), "succeeded");
  EXPECT_EQ(StepStatusName(StepStatus::kFailed), "failed");
}

TEST(NextDue, IsTheEarliestLeaseOrRetryTime) {
  Saga s;
  EXPECT_FALSE(NextDue(s).has_value());
  StepState done;
  done.status = StepStatus::kSucceeded;
  done.deadline = Instant{5};
  s.steps[Slot::kMender] = done;
  EXPECT_FALSE(NextDue(s).has_value()) << "a finished step's old lease is not due";
  StepState running;
  running.status = StepStatus::kRunning;
  running.deadline = Instant{900};
  s.steps[Slot::kDps] = running;
  EXPECT_EQ(NextDue(s), Instant{900});
  StepState waiting;
  waiting.status = StepStatus::kWaiting;
  waiting.retry_at = Instant{400};
  waiting.deadline = Instant{100};
  s.steps[Slot::kVault] = waiting;
  EXPECT_EQ(NextDue(s), Instant{400});
}

TEST(DecodeSaga, RefusesABudgetBeyondTheAttempts) {
  Saga s;
  s.device_id = std::string(64, 'a');
  s.transport_key = std::string(32, 'k');
  StepState st;
  st.attempt = 2;
  st.budget_start = 3;
  s.steps[Slot::kVault] = st;
  Result<Saga> back = DecodeSaga(EncodeSaga(s), 1);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("budgetStart"), std::string::npos);
}

TEST(DecodeSaga, RefusesMorePollsThanAttempts) {
  Saga s;
  s.device_id = std::string(64, 'a');
  s.transport_key = std::string(32, 'k');
  StepState st;
  st.attempt = 2;
  st.polls = 3;
  s.steps[Slot::kHubManifest] = st;
  Result<Saga> back = DecodeSaga(EncodeSaga(s), 1);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("polls"), std::string::npos);
}

TEST(SagaNames, EveryPhaseAndSlotRoundTripsByName) {
  for (Phase p : {Phase::kPending, Phase::kCheckingName, Phase::kProvisioning, Phase::kDelivering,
                  Phase::kProvisioned, Phase::kFailed, Phase::kDismissed, Phase::kRevoking,
                  Phase::kRevoked}) {
    EXPECT_EQ(Must(ParsePhase(PhaseName(p))), p);
  }
  EXPECT_EQ(ApiState(Phase::kRevoking), "revoking");
  EXPECT_EQ(ApiState(Phase::kRevoked), "revoked");
  for (Slot slot : {Slot::kHubManifest, Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke,
                    Slot::kHubRevoke}) {
    EXPECT_EQ(Must(ParseSlot(SlotName(slot))), slot);
    EXPECT_EQ(SlotFor(SlotStep(slot), SlotAction(slot)), slot);
  }
  EXPECT_EQ(SlotAction(Slot::kHubRevoke), protocol::Action::kRevoke);
  EXPECT_EQ(SlotStep(Slot::kHubRevoke), protocol::Step::kHubManifest);
}

}  // namespace
}  // namespace gps::saga
