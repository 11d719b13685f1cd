#include "ui/store/audit_log.h"

#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"

namespace gps::ui {

namespace {

// An entry is small; anything larger in the list was not written by us.
constexpr std::size_t kMaxEntryBytes = 16 * 1024;

}  // namespace

std::string EncodeAuditEntry(const AuditEntry& e) {
  json::Writer w;
  w.BeginObject()
      .Field("at", FormatRfc3339(e.at))
      .Field("actor", e.actor)
      .Field("action", e.action)
      .Field("device", e.device)
      .Field("name", e.name)
      .Field("outcome", e.outcome)
      .Field("message", e.message)
      .EndObject();
  return w.Take();
}

AuditLog::AuditLog(RedisPool& pool, redis::Keys keys) : pool_(pool), keys_(std::move(keys)) {}

void AuditLog::Append(const AuditEntry& e) {
  log::Info("audit", {{"actor", e.actor},
                      {"action", e.action},
                      {"device_id", e.device},
                      {"name", e.name},
                      {"outcome", e.outcome},
                      {"message", e.message}});
  RedisPool::Lease conn = pool_.Acquire();
  Result<std::vector<redis::Reply>> r =
      conn->Pipeline({{"LPUSH", keys_.Audit(), EncodeAuditEntry(e)},
                      {"LTRIM", keys_.Audit(), "0", std::to_string(kAuditCapacity - 1)}});
  std::string problem = r.ok() ? "" : r.status().ToString();
  if (r.ok()) {
    for (const redis::Reply& reply : *r) {
      if (reply.IsError()) {
        problem = reply.error();
      }
    }
  }
  if (!problem.empty()) {
    metrics::Inc("ui.audit_not_stored");
    log::Error("audit entry not stored in redis (the log line above holds it)",
               {{"action", e.action}, {"err", problem}});
  }
}

Result<std::vector<std::string>> AuditLog::Read(std::int64_t offset, std::int64_t limit) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r = conn->Command(
      {"LRANGE", keys_.Audit(), std::to_string(offset), std::to_string(offset + limit - 1)});
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status().WithContext("redis: read the audit log");
  }
  if (r->IsError()) {
    return Status::Unavailable("redis: read the audit log: " + r->error());
  }
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, r->AsArray());
  std::vector<std::string> out;
  for (const redis::Reply& item : items) {
    Result<std::string> text = item.AsString();
    if (!text.ok()) {
      continue;
    }
    Result<json::Document> doc = json::ParseObject(*text, kMaxEntryBytes, "audit entry");
    if (doc.ok()) {
      out.push_back(doc->Root().Serialize());
    }
  }
  return out;
}

}  // namespace gps::ui
