#include "engine/shell/pending_limits.h"

#include <algorithm>
#include <map>

namespace gps::engine {

PendingChange PendingChangeOf(const std::optional<saga::Saga>& current, const saga::Saga& next) {
  bool was = current && current->phase == saga::Phase::kPending;
  bool is = next.phase == saga::Phase::kPending;
  if (!current) {
    return is ? PendingChange::kCreate : PendingChange::kNone;
  }
  if (is && !was) {
    return PendingChange::kEnter;
  }
  if (was && !is) {
    return PendingChange::kLeave;
  }
  return PendingChange::kNone;
}

Instant LastActive(const saga::Saga& saga, std::optional<Instant> last_seen) {
  Instant at = std::max(saga.updated_at, saga.first_seen);
  return last_seen ? std::max(at, *last_seen) : at;
}

bool ShouldExpire(const saga::Saga& saga, std::optional<Instant> last_seen, Instant now,
                  const PendingLimits& limits) {
  if (limits.expiry_ms <= 0 || saga.phase != saga::Phase::kPending) {
    return false;
  }
  return LastActive(saga, last_seen) < Instant{now.ms - limits.expiry_ms};
}

PendingRepair PlanPendingRepair(const std::vector<SetMember>& members,
                                const std::set<std::string>& pending, Instant now,
                                const PendingLimits& limits) {
  PendingRepair plan;
  std::map<std::string, Millis> in_set;
  for (const SetMember& m : members) {
    in_set[m.id] = m.score;
  }
  for (const std::string& id : pending) {
    if (!in_set.contains(id)) {
      plan.add.push_back(id);
    }
  }
  Millis settled_before = now.ms - limits.repair_grace_ms;
  for (const auto& [id, score] : in_set) {
    if (!pending.contains(id) && score <= settled_before) {
      plan.remove.push_back({id, score});
    }
  }
  return plan;
}

}  // namespace gps::engine
