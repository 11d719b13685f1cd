// Long random event sequences through Decide: duplicates, reordering, stale attempts, lost
// results (timers), operator retries and revocations, "not in IoT Hub yet" answers. After every
// step the saga must still make sense; the invariants below are what the rest of the service relies
// on.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "engine/saga/decide.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/step_results.h"

namespace gps::engine {
namespace {

using saga::Phase;
using saga::Saga;
using saga::Slot;
using saga::StepStatus;

constexpr Slot kAllSlots[] = {Slot::kMenderName,   Slot::kDpsName,   Slot::kMender,
                              Slot::kDps,          Slot::kVault,     Slot::kHubManifest,
                              Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke,
                              Slot::kHubRevoke};
constexpr Slot kProvisionSlots[] = {Slot::kMender, Slot::kDps, Slot::kVault};
constexpr Slot kRevokeSlots[] = {Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke,
                                 Slot::kHubRevoke};

bool IsRevokeSlot(Slot slot) {
  return std::find(std::begin(kRevokeSlots), std::end(kRevokeSlots), slot) !=
         std::end(kRevokeSlots);
}

std::string GoodData(Slot slot, std::mt19937_64& rng) {
  switch (slot) {
    case Slot::kMenderName:
    case Slot::kDpsName:
      // Mostly free, so that sequences get past the name check.
      return protocol::EncodeNameCheck({rng() % 10 != 0, ""});
    case Slot::kMender:
      return protocol::EncodeMenderProvision({"mender-1"});
    case Slot::kDps:
      return protocol::EncodeDpsProvision(
          {"gw-1", "0ne00000000", "global.azure-devices-provisioning.net", std::string(80, 's')});
    case Slot::kVault: {
      protocol::VaultProvisionResult r;
      r.certificate_pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
      r.ca_chain_pem = {"-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n"};
      r.serial = "01";
      r.expiration = 1'800'000'000;
      r.sealed_private_key = std::string(100, 'p');
      return protocol::EncodeVaultProvision(r);
    }
    case Slot::kHubManifest:
      return protocol::EncodeHubManifest({"gw-1", true, false});
    case Slot::kMenderRevoke:
    case Slot::kDpsRevoke:
    case Slot::kVaultRevoke:
    case Slot::kHubRevoke:
      return "{}";
  }
  return "{}";
}

class RandomSagaRun {
 public:
  explicit RandomSagaRun(std::uint64_t seed)
      : rng_(seed), key_(crypto::PrivateKey::GenerateEd25519().value()) {
    for (Slot s : kAllSlots) {
      retry::Policy p;
      p.max_attempts = 3;
      p.initial_backoff_ms = 100;
      p.max_backoff_ms = 1000;
      p.attempt_timeout_ms = 2000;
      policies_[s] = p;
    }
    manifest_.poll.initial_backoff_ms = 200;
    manifest_.poll.max_backoff_ms = 2000;
    manifest_.deadline_ms = 20000;
  }

  // One random event; returns false when Decide refused it (which is allowed).
  void Step() {
    now_ = now_ + static_cast<Millis>(rng_() % 1500);
    Event e = RandomEvent();
    DecideContext ctx;
    ctx.now = now_;
    ctx.policies = policies_;
    ctx.random01 = std::uniform_real_distribution<double>(0, 1)(rng_);
    ctx.manifest = manifest_;
    Result<Decision> d = Decide(saga_, e, ctx);
    ++events_;
    if (!d.ok()) {
      ASSERT_TRUE(d.status().IsFailedPrecondition() || d.status().IsInvalidArgument())
          << EventName(e) << ": " << d.status().ToString();
      ++refused_;
      return;
    }
    last_ = std::string(EventName(e)) + " from " +
            (saga_ ? std::string(saga::PhaseName(saga_->phase)) : "none") + " to " +
            (d->next ? std::string(saga::PhaseName(d->next->phase)) : "none");
    Check(e, *d);
    if (d->next) {
      saga_ = d->next;
    }
    // Feed back what the shell would: a sealed bundle when asked.
    for (const Command& c : d->commands) {
      if (std::holds_alternative<SealBundle>(c) && saga_ && rng_() % 4 != 0) {
        Result<Decision> sealed = Decide(saga_, BundleSealed{saga_->bundle_id, "ciphertext"}, ctx);
        ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
        saga_ = sealed->next;
      }
    }
    if (saga_) {
      phases_seen_.insert(saga_->phase);
    }
  }

  int events() const { return events_; }
  int refused() const { return refused_; }
  const std::string& last() const { return last_; }
  const std::set<Phase>& phases_seen() const { return phases_seen_; }

 private:
  Event RandomEvent() {
    int pick = static_cast<int>(rng_() % 100);
    if (!saga_ || pick < 10) {
      return Announce();
    }
    if (pick < 20) {
      return ApproveRequested{rng_() % 5 == 0 ? "Bad Name" : "gw-" + std::to_string(rng_() % 3),
                              "op",
                              {"gps/v1/replies/ui", "c"},
                              NameReservation{rng_() % 6 != 0, "other"}};
    }
    if (pick < 23) {
      return DismissRequested{"op", {"gps/v1/replies/ui", "d"}};
    }
    if (pick < 60) {
      return RandomResult();
    }
    if (pick < 75) {
      return TimerFired{};
    }
    if (pick < 82) {
      return AckReceived{rng_() % 4 == 0 ? "g999" : saga_->bundle_id};
    }
    if (pick < 86) {
      return BundleSealed{rng_() % 3 == 0 ? "g999" : saga_->bundle_id, "other-ciphertext"};
    }
    if (pick < 92) {
      return RetryRequested{"op", {"gps/v1/replies/ui", "r"}};
    }
    if (pick < 96) {
      return RevokeRequested{"op", {"gps/v1/replies/ui", "v"}};
    }
    std::string step = rng_() % 2 ? "" : std::string(saga::SlotName(kAllSlots[rng_() % 10]));
    return RunNowRequested{step, "op", {"gps/v1/replies/ui", "n"}};
  }

  Event Announce() {
    protocol::Announce a;
    a.mac = "02:00:00:00:00:01";
    // A changed transport key now and then (a device that lost its key).
    a.transport_key = std::string(32, rng_() % 20 == 0 ? 'z' : 'k');
    // Replays and reordering: sometimes an old timestamp.
    ts_ += 1 + static_cast<std::int64_t>(rng_() % 3);
    a.ts_ms = rng_() % 8 == 0 ? ts_ - 5 : ts_;
    EXPECT_TRUE(protocol::SignAnnounce(key_, &a).ok());
    return Announced{protocol::VerifyAnnounce(a, a.device_id).value()};
  }

  Event RandomResult() {
    Slot slot = kAllSlots[rng_() % 10];
    std::vector<Slot> running;
    for (const auto& [sl, st] : saga_->steps) {
      if (st.status == StepStatus::kRunning) {
        running.push_back(sl);
      }
    }
    if (!running.empty() && rng_() % 2 == 0) {
      slot = running[rng_() % running.size()];  // so that longer sagas (revocations) complete
    }
    int attempt = 1;
    std::int64_t generation = saga_->generation;
    if (auto it = saga_->steps.find(slot); it != saga_->steps.end()) {
      attempt = it->second.attempt;
    }
    int twist = static_cast<int>(rng_() % 10);
    if (twist == 0) {
      attempt -= 1;  // a stale attempt
    } else if (twist == 1) {
      generation -= 1;  // an older approval
    }
    protocol::JobId id{saga_->device_id, generation, saga::SlotStep(slot), saga::SlotAction(slot),
                       attempt};
    int kind = static_cast<int>(rng_() % 10);
    Outcome outcome = kind < 6   ? Outcome::Ok()
                      : kind < 9 ? Outcome::Retryable("HTTP 503", rng_() % 2 ? 0 : 700)
                                 : Outcome::Permanent("HTTP 400: refused");
    std::string data = outcome.ok() ? (rng_() % 15 == 0 ? "{}" : GoodData(slot, rng_)) : "{}";
    if (slot == Slot::kHubManifest && kind >= 6 && rng_() % 2 == 0) {
      outcome = Outcome::Retryable("gw-1 is not in IoT Hub yet", 300);
      data = protocol::EncodeHubManifest({"gw-1", false, true});
    }
    return StepResultArrived{id, protocol::JobResult{outcome, data}};
  }

  void Check(const Event& e, const Decision& d) {
    const bool was_known = saga_.has_value();
    if (!d.next) {
      ASSERT_FALSE(was_known) << "a known saga is never deleted";
      return;
    }
    const Saga& s = *d.next;
    SCOPED_TRACE(std::string(EventName(e)) + " -> " + std::string(saga::PhaseName(s.phase)));
    if (was_known) {
      ASSERT_GE(s.generation, saga_->generation) << "generations only grow";
      ASSERT_EQ(s.device_id, saga_->device_id);
      // A succeeded provisioning step is never run again, except to re-seal for a new key.
      bool reseal = std::holds_alternative<RetryRequested>(e) && saga_->reseal_needed;
      if (s.generation == saga_->generation && !reseal) {
        for (Slot p : kProvisionSlots) {
          auto before = saga_->steps.find(p);
          if (before != saga_->steps.end() && before->second.status == StepStatus::kSucceeded) {
            ASSERT_EQ(s.steps.at(p).status, StepStatus::kSucceeded) << saga::SlotName(p);
            ASSERT_EQ(s.steps.at(p).attempt, before->second.attempt) << saga::SlotName(p);
          }
        }
      }
    }
    std::map<Slot, int> dispatched;
    for (const Command& c : d.commands) {
      if (const DispatchJob* j = std::get_if<DispatchJob>(&c)) {
        ASSERT_EQ(++dispatched[j->slot], 1) << "one dispatch per slot per event";
        const saga::StepState& st = s.steps.at(j->slot);
        ASSERT_EQ(st.status, StepStatus::kRunning) << "only running attempts are dispatched";
        ASSERT_EQ(st.started, now_);
        // (A timer may restart one compensation and fail the saga on another in one event.)
        ASSERT_TRUE(saga::SlotAction(j->slot) != protocol::Action::kRevoke ||
                    s.phase == Phase::kRevoking || s.phase == Phase::kFailed)
            << "compensations run only in a revocation";
        if (j->slot == Slot::kHubRevoke) {
          ASSERT_EQ(s.steps.at(Slot::kDpsRevoke).status, StepStatus::kSucceeded)
              << "the hub device is disabled only once the enrollment is gone";
        }
      }
    }
    for (const auto& [slot, st] : s.steps) {
      // Attempt 0 is idle, or a compensation waiting for the attempt it undoes to end.
      bool scheduled_compensation = IsRevokeSlot(slot) && st.status == StepStatus::kWaiting;
      ASSERT_GE(st.attempt, st.status == StepStatus::kIdle || scheduled_compensation ? 0 : 1);
      ASSERT_GE(st.budget_start, 0);
      ASSERT_LE(saga::AttemptsInBudget(st), policies_.at(slot).max_attempts)
          << saga::SlotName(slot) << " ran past its attempt budget";
      if (st.status == StepStatus::kRunning) {
        ASSERT_GT(st.deadline, st.started);
      }
      if (st.status == StepStatus::kWaiting) {
        ASSERT_GE(st.retry_at, st.finished) << "a retry is never scheduled before its failure";
      }
      ASSERT_LE(st.polls, st.attempt);
      if (s.revoke_requested_at.ms != 0 && !IsRevokeSlot(slot)) {
        ASSERT_NE(st.status, StepStatus::kRunning) << "a revoked device provisions nothing";
        ASSERT_NE(st.status, StepStatus::kWaiting) << "a revoked device provisions nothing";
      }
    }
    bool named = !s.name.empty();
    switch (s.phase) {
      case Phase::kPending:
      case Phase::kDismissed:
        ASSERT_FALSE(named);
        ASSERT_TRUE(s.steps.empty() || s.phase == Phase::kPending);
        break;
      case Phase::kCheckingName:
        ASSERT_TRUE(named);
        for (const auto& [slot, st] : s.steps) {
          ASSERT_TRUE(slot == Slot::kMenderName || slot == Slot::kDpsName);
        }
        break;
      case Phase::kProvisioning:
        ASSERT_TRUE(named);
        ASSERT_EQ(s.steps.at(Slot::kMenderName).status, StepStatus::kSucceeded);
        ASSERT_EQ(s.steps.at(Slot::kDpsName).status, StepStatus::kSucceeded);
        break;
      case Phase::kDelivering:
      case Phase::kProvisioned:
        ASSERT_TRUE(named);
        for (Slot p : kProvisionSlots) {
          ASSERT_EQ(s.steps.at(p).status, StepStatus::kSucceeded) << saga::SlotName(p);
        }
        ASSERT_EQ(s.bundle_id, BundleIdFor(s.generation));
        if (s.phase == Phase::kProvisioned) {
          ASSERT_TRUE(s.sealed_bundle.empty()) << "no ciphertext after the ack";
          for (const auto& [slot, st] : s.steps) {
            ASSERT_TRUE(slot == Slot::kHubManifest ||
                        (st.status != StepStatus::kRunning && st.status != StepStatus::kWaiting))
                << "after the ack only the manifest step is timed";
          }
        }
        break;
      case Phase::kRevoking:
      case Phase::kRevoked:
        ASSERT_TRUE(named) << "the name stays reserved by the revoked device";
        ASSERT_NE(s.revoke_requested_at.ms, 0);
        ASSERT_TRUE(s.bundle_id.empty() && s.sealed_bundle.empty());
        if (s.phase == Phase::kRevoked) {
          for (Slot r : kRevokeSlots) {
            ASSERT_EQ(s.steps.at(r).status, StepStatus::kSucceeded) << saga::SlotName(r);
          }
          ASSERT_FALSE(saga::NextDue(s).has_value());
        }
        break;
      case Phase::kFailed:
        ASSERT_TRUE(named);
        ASSERT_FALSE(s.last_error.empty());
        for (const auto& [slot, st] : s.steps) {
          ASSERT_NE(st.status, StepStatus::kWaiting) << "a failed saga schedules no retry";
        }
        break;
    }
    // What the codec stores is what Decide returned.
    Result<Saga> round = saga::DecodeSaga(saga::EncodeSaga(s), s.version);
    ASSERT_TRUE(round.ok()) << round.status().ToString();
    ASSERT_EQ(*round, s);
  }

  std::mt19937_64 rng_;
  crypto::PrivateKey key_;
  std::map<Slot, retry::Policy> policies_;
  ManifestPolicy manifest_;
  std::optional<Saga> saga_;
  Instant now_{1'700'000'000'000};
  std::int64_t ts_ = 1000;
  int events_ = 0;
  int refused_ = 0;
  std::set<Phase> phases_seen_;
  std::string last_;
};

TEST(DecideRandomized, InvariantsHoldAfterEveryEvent) {
  std::set<Phase> phases;
  int events = 0;
  int refused = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    RandomSagaRun run(seed);
    for (int i = 0; i < 300; ++i) {
      try {
        run.Step();
      } catch (const std::exception& ex) {
        FAIL() << "seed " << seed << ", event " << i << ": " << ex.what() << " after "
               << run.last();
      }
      if (::testing::Test::HasFatalFailure()) {
        FAIL() << "seed " << seed << ", event " << i;
      }
    }
    events += run.events();
    refused += run.refused();
    phases.insert(run.phases_seen().begin(), run.phases_seen().end());
  }
  std::printf("randomized saga: %d events, %d refused as not applicable, %zu phases reached\n",
              events, refused, phases.size());
  // The sequences must reach every phase, or the invariants above were never exercised.
  EXPECT_EQ(phases.size(), 9u);
}

}  // namespace
}  // namespace gps::engine
