// EngineLoop's part for the limits on pending devices (pending_limits.h): the pending set kept
// beside each commit, the cap on new devices, and the sweep's expiry and repairs.
//
// The pending set and the device index are global keys, in other Redis Cluster slots than a
// device's own keys, so they cannot change in the device's commit script. What keeps them right
// instead: an entry is added (or raised) before the commit that needs it and removed after the
// commit that ends it, only if its score is still the one read (SagaStore, raise_member.lua and
// remove_member.lua), so a crash in between leaves one entry too many, never one too few, and the
// sweep removes it later. A device that comes back meanwhile always keeps its entries.

#include "engine/shell/engine_loop.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"

namespace gps::engine {

Status EngineLoop::BeforeCommit(const std::string& device_id, PendingChange change,
                                std::optional<Millis>* leaving_score) {
  Instant now = clock_.Now();
  switch (change) {
    case PendingChange::kNone:
      return Status::Ok();
    case PendingChange::kCreate: {
      Result<SagaStore::AdmitResult> admitted =
          store_.AdmitPending(device_id, now, settings_.pending.max_pending);
      if (!admitted.ok()) {
        log::Warn("pending set not updated",
                  {{"device_id", device_id}, {"err", admitted.status().ToString()}});
        return admitted.status();
      }
      if (admitted->outcome == SagaStore::Admission::kRefused) {
        metrics::Inc("engine.rejected.pending_cap");
        if (std::optional<std::uint64_t> held_back = cap_refusals_.Admit(now)) {
          log::Warn("new device refused: too many pending devices",
                    {{"device_id", device_id},
                     {"pending", admitted->pending},
                     {"max_pending", settings_.pending.max_pending},
                     {"refusals_not_logged", *held_back}});
        }
        return Status::FailedPrecondition("too many pending devices (" +
                                          std::to_string(admitted->pending) + ")");
      }
      // Index before the saga exists, so no committed device is ever missing from the listing.
      Status indexed = store_.IndexDevice(device_id, now);
      if (!indexed.ok()) {
        log::Warn("device not indexed", {{"device_id", device_id}, {"err", indexed.ToString()}});
      }
      return indexed;
    }
    case PendingChange::kEnter: {
      // Its approval ended: a known device, never refused.
      Result<SagaStore::AdmitResult> admitted = store_.AdmitPending(device_id, now, std::nullopt);
      if (!admitted.ok()) {
        log::Warn("pending set not updated",
                  {{"device_id", device_id}, {"err", admitted.status().ToString()}});
      }
      return admitted.status();
    }
    case PendingChange::kLeave: {
      // Read now so that the removal after the commit spares an entry raised in between.
      Result<std::optional<Millis>> score = store_.PendingScore(device_id);
      if (!score.ok()) {
        // The entry stays one too many until the sweep; the transition is not held up for it.
        log::Warn("pending set not read",
                  {{"device_id", device_id}, {"err", score.status().ToString()}});
        return Status::Ok();
      }
      *leaving_score = *score;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

void EngineLoop::AfterCommit(const std::string& device_id, PendingChange change,
                             std::optional<Millis> leaving_score) {
  if (change != PendingChange::kLeave || !leaving_score) {
    return;
  }
  Result<bool> removed = store_.ForgetPending(device_id, *leaving_score);
  if (!removed.ok()) {
    log::Warn("pending set not updated; the sweep repairs it",
              {{"device_id", device_id}, {"err", removed.status().ToString()}});
  }
}

bool EngineLoop::ExpireIfStale(const saga::Saga& stored, Millis index_score,
                               std::optional<Millis> pending_score, Instant now) {
  const PendingLimits& limits = settings_.pending;
  const std::string& id = stored.device_id;
  if (limits.expiry_ms <= 0 || stored.phase != saga::Phase::kPending) {
    return false;
  }
  Result<std::optional<Instant>> seen = store_.LastSeen(id);
  if (!seen.ok()) {
    log::Warn("last-seen not read", {{"device_id", id}, {"err", seen.status().ToString()}});
    return false;
  }
  if (!ShouldExpire(stored, *seen, now, limits)) {
    return false;
  }
  Result<bool> gone = store_.ExpirePending(id, stored.version, Instant{now.ms - limits.expiry_ms});
  if (!gone.ok()) {
    log::Warn("expired pending device not removed",
              {{"device_id", id}, {"err", gone.status().ToString()}});
    return false;
  }
  if (!*gone) {
    metrics::Inc("engine.pending_expiry_skipped");  // it announced (or changed) meanwhile
    return false;
  }
  // Its index and pending entries go after its keys; one left by a crash here is removed by a
  // later sweep (ForgetOrphanEntry, RepairPendingSet).
  Result<bool> unindexed = store_.ForgetIndexed(id, index_score);
  if (!unindexed.ok()) {
    log::Warn("index entry not removed",
              {{"device_id", id}, {"err", unindexed.status().ToString()}});
  }
  if (pending_score) {
    Result<bool> removed = store_.ForgetPending(id, *pending_score);
    if (!removed.ok()) {
      log::Warn("pending entry not removed",
                {{"device_id", id}, {"err", removed.status().ToString()}});
    }
  }
  metrics::Inc("engine.pending_expired");
  log::Info("pending device expired", {{"device_id", id},
                                       {"mac", stored.mac},
                                       {"fingerprint", stored.fingerprint},
                                       {"first_seen", FormatRfc3339(stored.first_seen)},
                                       {"last_seen", FormatRfc3339(LastActive(stored, *seen))},
                                       {"expiry_ms", limits.expiry_ms}});
  return true;
}

void EngineLoop::ForgetOrphanEntry(const std::string& device_id, Millis index_score, Instant now) {
  const PendingLimits& limits = settings_.pending;
  if (limits.expiry_ms <= 0 || index_score >= now.ms - limits.expiry_ms) {
    return;  // it may be a device being recorded right now
  }
  Result<bool> removed = store_.ForgetIndexed(device_id, index_score);
  if (removed.ok() && *removed) {
    metrics::Inc("engine.orphan_index_entries_removed");
    log::Info("index entry without a device removed", {{"device_id", device_id}});
  }
}

void EngineLoop::RepairPendingSet(const std::vector<SetMember>& members,
                                  const std::set<std::string>& pending, Instant now) {
  PendingRepair plan = PlanPendingRepair(members, pending, now, settings_.pending);
  std::int64_t added = 0;
  std::int64_t removed = 0;
  for (const std::string& id : plan.add) {
    Result<SagaStore::AdmitResult> r = store_.AdmitPending(id, now, std::nullopt);
    added += r.ok() && r->outcome == SagaStore::Admission::kAdded ? 1 : 0;
  }
  for (const SetMember& m : plan.remove) {
    Result<bool> r = store_.ForgetPending(m.id, m.score);
    removed += r.ok() && *r ? 1 : 0;
  }
  if (added + removed == 0) {
    return;
  }
  metrics::Get("engine.pending_set_repairs").Add(static_cast<std::uint64_t>(added + removed));
  log::Warn("pending set did not match the sagas; repaired",
            {{"added", added}, {"removed", removed}, {"pending", pending.size()}});
}

}  // namespace gps::engine
