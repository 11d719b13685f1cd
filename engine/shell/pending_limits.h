#pragma once
// The limits on pending devices, and the rules the shell applies with them. Anyone holding the
// shared bootstrap credential can make new device keys at will, and each verified announce of a
// new key records a pending device; without limits Redis would grow without bound.
//
//   - Expiry: a pending device whose last announce is older than expiry_ms is forgotten by the
//     sweep (saga, outbox, last-seen, timeline, index entry). Only in phase pending: no name is
//     reserved, no job runs and nothing exists in any cloud for it (an approval that went back to
//     pending only ran the name checks, which create nothing). If it announces again it is a new
//     pending device.
//   - Cap: at most max_pending devices are pending at once, counted in Redis (keys.h Pending).
//     At the cap, the announce of a device the engine does not know is refused; devices it knows
//     (in any phase) are always handled, and one that becomes pending again (its approval ended)
//     is never refused.
//
// Pure; thread-safe.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/store/set_member.h"
#include "gps/core/clock.h"
#include "gps/saga/record.h"

namespace gps::engine {

struct PendingLimits {
  Millis expiry_ms = 7LL * 24 * 3'600'000;  // 0: pending devices never expire
  std::int64_t max_pending = 10000;
  // The sweep leaves a pending-set entry it cannot explain alone for this long: it may belong to a
  // transition still on its way (admitted, not yet committed), which takes far less than this.
  Millis repair_grace_ms = 60'000;
  // At most one "refused at the cap" log line per interval; the rest are counted in it.
  Millis refusal_log_interval_ms = 60'000;
};

// How a transition changes the device's membership of the pending set.
enum class PendingChange {
  kNone,
  kCreate,  // a new device, recorded as pending: subject to the cap
  kEnter,   // a known device becomes pending again (its approval ended): never refused
  kLeave,   // approved or dismissed: it frees its place
};
PendingChange PendingChangeOf(const std::optional<saga::Saga>& current, const saga::Saga& next);

// When the device last showed itself: the later of its last-seen time (written after each
// accepted announce; missing after a crash right after the commit) and its saga's last change.
Instant LastActive(const saga::Saga& saga, std::optional<Instant> last_seen);

// Whether the sweep forgets this device now.
bool ShouldExpire(const saga::Saga& saga, std::optional<Instant> last_seen, Instant now,
                  const PendingLimits& limits);

struct PendingRepair {
  std::vector<std::string> add;   // pending devices missing from the set
  std::vector<SetMember> remove;  // entries of devices that are not pending (score read)
  bool empty() const { return add.empty() && remove.empty(); }
};

// What makes the pending set match the sagas again after a crash between a commit and the set's
// update. members: the set as read before the sagas were; pending: the ids whose saga the sweep
// found pending. Entries younger than the grace are left alone (see PendingLimits).
PendingRepair PlanPendingRepair(const std::vector<SetMember>& members,
                                const std::set<std::string>& pending, Instant now,
                                const PendingLimits& limits);

}  // namespace gps::engine
