#pragma once
// SagaStore: the engine's only access to Redis. Loads sagas, commits transitions atomically with
// their outbox (one Lua script per kind of change, each on one device's keys or one name's key),
// and keeps the side keys (last seen, device index, pending set, name reservations).
// docs/design/redis-layout.md describes every key and script.
// Not thread-safe: it owns one Connection; give each engine thread its own store.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/set_member.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/redis/connection.h"
#include "gps/redis/keys.h"
#include "gps/redis/script.h"
#include "gps/saga/record.h"

namespace gps::engine {

class SagaStore {
 public:
  SagaStore(redis::Endpoint endpoint, redis::Keys keys);

  // Connects and loads the scripts (Redis may also lose them later; calls reload on NOSCRIPT).
  Status Open();

  Result<std::optional<saga::Saga>> Load(const std::string& device_id);

  // Writes next with version expected_version + 1 and appends outbox entries and timeline
  // entries (saga/history.h, capped at kHistoryCapacity), if the stored version is still
  // expected_version (0: no saga yet). false means another writer won: reload.
  Result<bool> Commit(const saga::Saga& next, std::int64_t expected_version,
                      const std::vector<std::string>& outbox,
                      const std::vector<std::string>& history = {});
  // The device's timeline entries, oldest first.
  Result<std::vector<std::string>> History(const std::string& device_id);
  Result<std::vector<std::string>> Outbox(const std::string& device_id);
  Status OutboxDone(const std::string& device_id, const std::vector<std::string>& entries);

  // Written on every accepted announce, apart from the saga so it never contends with a transition.
  Status TouchLastSeen(const std::string& device_id, Instant at);
  // nullopt when the device has no last-seen time (it was never written, or the device is gone).
  Result<std::optional<Instant>> LastSeen(const std::string& device_id);

  // "" when device_id holds the name now; else the holder.
  Result<std::string> ReserveName(const std::string& name, const std::string& device_id);
  Status ReleaseName(const std::string& name, const std::string& device_id);
  Result<bool> TakeOverName(const std::string& name, const std::string& stale_holder,
                            const std::string& device_id);

  // Timers (docs/design/redis-layout.md, "Timers"). Schedule only ever brings a timer forward.
  Status ScheduleTimer(const std::string& device_id, Instant due);
  // Due device ids, each pushed to claim_until so that no other engine takes it meanwhile.
  Result<std::vector<std::string>> ClaimDueTimers(Instant now, Instant claim_until, int limit);
  // Moves a claimed timer to next_due (or removes it) if it still carries the claim.
  Status SettleTimer(const std::string& device_id, Instant claim_until,
                     std::optional<Instant> next_due);

  // The device index and the pending set (saga_store_pending.cpp). Both are sorted sets of device
  // ids apart from the devices' own keys (other Redis Cluster slots), so they change in their own
  // scripts: an entry is added or raised (raise_member.lua: its score only grows) before the saga
  // it stands for is written, and removed only if its score is still the one read
  // (remove_member.lua), so a device created or made pending again meanwhile keeps its entry.
  using Member = SetMember;
  // Every indexed device with its first-seen time, for the sweep.
  Result<std::vector<Member>> IndexedDevices();
  // Before a device's first commit: indexes it, or raises an entry an older incarnation left.
  Status IndexDevice(const std::string& device_id, Instant first_seen);
  Result<bool> ForgetIndexed(const std::string& device_id, Millis score);

  enum class Admission { kRefused, kAlreadyThere, kAdded };
  struct AdmitResult {
    Admission outcome = Admission::kRefused;
    std::int64_t pending = 0;  // the set's size afterwards
  };
  // Adds the device to the pending set (or raises its entry). With a cap, a device not in the set
  // yet is refused while the set holds cap devices.
  Result<AdmitResult> AdmitPending(const std::string& device_id, Instant now,
                                   std::optional<std::int64_t> cap);
  // The device's score in the pending set; nullopt when it is not there.
  Result<std::optional<Millis>> PendingScore(const std::string& device_id);
  Result<bool> ForgetPending(const std::string& device_id, Millis score);
  Result<std::vector<Member>> PendingDevices();

  // Deletes a pending device's saga, outbox, last-seen time and timeline if its saga is still at
  // version and it has not announced since cutoff (expire_pending.lua). false: it changed or
  // announced meanwhile, and nothing was deleted.
  Result<bool> ExpirePending(const std::string& device_id, std::int64_t version, Instant cutoff);

  // The allow-list's entries for a key fingerprint and a MAC (gps-ui writes them); nullopt where
  // none is listed.
  struct AllowListEntries {
    std::optional<std::string> by_fingerprint;
    std::optional<std::string> by_mac;
  };
  Result<AllowListEntries> LookupAllowList(const std::string& fingerprint, const std::string& mac);
  // Adds an entry to the audit list gps-ui shows (newest first, capped).
  Status AppendAudit(const std::string& entry_json);

  const redis::Keys& keys() const { return keys_; }

 private:
  redis::Connection conn_;
  redis::Keys keys_;
  redis::Script commit_;
  redis::Script outbox_done_;
  redis::Script reserve_name_;
  redis::Script release_name_;
  redis::Script take_over_name_;
  redis::Script claim_timers_;
  redis::Script settle_timer_;
  redis::Script raise_member_;
  redis::Script remove_member_;
  redis::Script expire_pending_;
};

}  // namespace gps::engine
