#pragma once
// The audit log: every operator command (approve, dismiss, retry, run-now, revoke), login and
// logout, user, token and allow-list change, as one JSON entry in a capped Redis list (newest
// first) and as one "audit" log line. The engine adds the allow-list's automatic approvals to the
// same list in the same shape (docs/design/redis-layout.md).
//
//   {"at": "<RFC 3339>", "actor": "alice", "action": "approve", "device": "<id or empty>",
//    "name": "gw-1", "outcome": "accepted", "message": "<the engine's words or why it failed>"}
//
// Thread-safety: safe from many threads. Lifetime: the pool must outlive the log.

#include <cstdint>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/redis/keys.h"
#include "ui/store/redis_pool.h"

namespace gps::ui {

struct AuditEntry {
  Instant at;
  std::string actor;
  std::string action;   // approve, dismiss, retry, run-now, revoke, login, logout, user-add, ...
  std::string device;   // device id, when the action concerns one
  std::string name;     // the device name, user name, token label or allow-list value concerned
  std::string outcome;  // accepted, conflict, ..., or ok / refused / failed
  std::string message;
};

// The entry's JSON (pure).
std::string EncodeAuditEntry(const AuditEntry& entry);

// Entries kept in Redis; older ones are trimmed.
inline constexpr std::int64_t kAuditCapacity = redis::Keys::kAuditCapacity;

class AuditLog {
 public:
  AuditLog(RedisPool& pool, redis::Keys keys);

  // Logs the entry and stores it. A Redis failure is logged and counted, never returned: the
  // action it records has already happened, and the log line still holds it.
  void Append(const AuditEntry& entry);

  // Up to limit entries starting offset entries from the newest, each as a JSON object's text.
  // Entries that are not JSON objects are left out.
  Result<std::vector<std::string>> Read(std::int64_t offset, std::int64_t limit);

 private:
  RedisPool& pool_;
  redis::Keys keys_;
};

}  // namespace gps::ui
