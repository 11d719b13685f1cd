#pragma once
// The engine's shell around the pure saga: for each inbound message, load the device's saga,
// Decide, commit the new state with its outbox in one Lua script (retrying on a version
// conflict), then carry out the outbox and remove what was done.
// Not thread-safe: one EngineLoop per thread, each with its own SagaStore; any number of loops in
// any number of processes may work on the same devices, as commits are compare-and-set.

#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/saga/decide.h"
#include "engine/shell/inbound.h"
#include "engine/shell/outbox.h"
#include "engine/shell/pending_limits.h"
#include "engine/store/saga_store.h"
#include "gps/core/clock.h"
#include "gps/log/throttle.h"
#include "gps/mqtt/client.h"

namespace gps::engine {

struct EngineSettings {
  std::map<saga::Slot, retry::Policy> policies;
  ManifestPolicy manifest;
  Millis timer_claim_ms = 30000;        // a claimed timer comes due again if not settled by then
  int timers_per_poll = 64;             // timers claimed at once
  Millis outbox_retry_ms = 2000;        // a side effect that failed is tried again after this
  int max_commit_attempts = 8;          // version conflicts in a row before giving up on an event
  Millis redis_retry_budget_ms = 5000;  // how long a transient Redis fault is retried per event
  PendingLimits pending;                // expiry and cap of pending devices
};

class EngineLoop {
 public:
  EngineLoop(SagaStore& store, mqtt::Client& mqtt, const Clock& clock, EngineSettings settings);

  // Handles one message from the broker. Never throws; refusals are logged and counted.
  void Handle(const mqtt::Message& message);

  // Claims the timers that are due and handles them; returns how many were handled.
  int FireDueTimers();

  // Repairs what a crashed engine may have left: a timer missing for a saga that needs one, an
  // outbox not carried out, a pending set that does not match the sagas. Forgets pending devices
  // that stopped announcing (pending_limits.h). Run at start and now and then.
  void Sweep();

 private:
  using EventFor = std::function<Result<Event>(const std::optional<saga::Saga>&)>;

  void OnAnnounce(const InboundAnnounce& in);
  void OnAck(const InboundAck& in);
  void OnCommand(const InboundCommand& in);
  // An approval as an operator's goes: reserve the name, then the ApproveRequested transition (the
  // reservation is given back when the transition is not committed). Returns the reservation.
  NameReservation ApproveWithName(const std::string& device_id, const std::string& name,
                                  const std::string& actor, const saga::ReplyTarget& reply);
  // After an accepted announce: approves a pending device the allow-list names (allow_list.h).
  void ApproveFromAllowList(const protocol::VerifiedAnnounce& announce);
  void OnResult(const InboundResult& in);

  // Load -> decide -> commit -> carry out, for one device.
  Status Apply(const std::string& device_id, const EventFor& event_for);
  Status ApplyOnce(const std::string& device_id, const EventFor& event_for, bool* conflict);
  // Carries out rendered entries in order; stops at the first failure, leaving it in the outbox.
  // recovering: entries left over from an earlier run, not just committed.
  Status CarryOut(const std::string& device_id, const saga::Saga* committed,
                  const std::vector<OutboxEntry>& entries, const std::vector<std::string>* stored,
                  bool recovering = false);
  Status CarryOutEntry(const std::string& device_id, const saga::Saga* committed,
                       const OutboxEntry& entry);
  Status SealAndDeliver(const saga::Saga& committed);
  NameReservation Reserve(const std::string& name, const std::string& device_id);
  void HandleTimer(const std::string& device_id, Instant claim_until);
  // Carries out entries a transition committed but did not finish (the engine died, the broker
  // was away).
  void RecoverOutbox(const std::string& device_id);
  // Brings the device's timer forward to what its stored saga needs, if anything.
  void ScheduleFor(const saga::Saga& stored);

  // The pending set around a commit (pending_sweep.cpp). Before: a new device is admitted under
  // the cap (and indexed), one becoming pending again is added, one leaving has its entry read
  // into *leaving_score. A refusal at the cap is logged (throttled) and counted here.
  Status BeforeCommit(const std::string& device_id, PendingChange change,
                      std::optional<Millis>* leaving_score);
  // After the commit: the entry of a device that left pending is removed.
  void AfterCommit(const std::string& device_id, PendingChange change,
                   std::optional<Millis> leaving_score);
  // The sweep's part for pending devices (pending_sweep.cpp). Forgets the device if it expired;
  // true when it did.
  bool ExpireIfStale(const saga::Saga& stored, Millis index_score,
                     std::optional<Millis> pending_score, Instant now);
  // An index entry without a saga, older than the expiry (left by a crash), is removed.
  void ForgetOrphanEntry(const std::string& device_id, Millis index_score, Instant now);
  void RepairPendingSet(const std::vector<SetMember>& members, const std::set<std::string>& pending,
                        Instant now);

  SagaStore& store_;
  mqtt::Client& mqtt_;
  const Clock& clock_;
  EngineSettings settings_;
  std::mt19937_64 random_;
  log::Throttle cap_refusals_;
};

}  // namespace gps::engine
