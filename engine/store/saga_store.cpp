#include "engine/store/saga_store.h"

#include "embedded/engine_scripts.h"
#include "engine/saga/history.h"

namespace gps::engine {

namespace {

// An array reply of strings (LRANGE, ZRANGE, a script's list).
Result<std::vector<std::string>> StringsOf(const redis::Reply& r) {
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, r.AsArray());
  std::vector<std::string> out;
  for (const redis::Reply& item : items) {
    GPS_ASSIGN_OR_RETURN(std::string s, item.AsString());
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

SagaStore::SagaStore(redis::Endpoint endpoint, redis::Keys keys)
    : conn_(std::move(endpoint)),
      keys_(std::move(keys)),
      commit_("commit", scripts::kCommit),
      outbox_done_("outbox_done", scripts::kOutboxDone),
      reserve_name_("reserve_name", scripts::kReserveName),
      release_name_("release_name", scripts::kReleaseName),
      take_over_name_("take_over_name", scripts::kTakeOverName),
      claim_timers_("claim_timers", scripts::kClaimTimers),
      settle_timer_("settle_timer", scripts::kSettleTimer),
      raise_member_("raise_member", scripts::kRaiseMember),
      remove_member_("remove_member", scripts::kRemoveMember),
      expire_pending_("expire_pending", scripts::kExpirePending) {}

Status SagaStore::Open() {
  GPS_RETURN_IF_ERROR(conn_.Connect());
  for (const redis::Script* s :
       {&commit_, &outbox_done_, &reserve_name_, &release_name_, &take_over_name_, &claim_timers_,
        &settle_timer_, &raise_member_, &remove_member_, &expire_pending_}) {
    GPS_RETURN_IF_ERROR(s->Load(conn_));
  }
  return Status::Ok();
}

Result<std::optional<saga::Saga>> SagaStore::Load(const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, conn_.Command({"HMGET", keys_.Saga(device_id), "v", "doc"}));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> fields, r.AsArray());
  if (fields.size() != 2) {
    return Status::Internal("redis: HMGET returned " + std::to_string(fields.size()) + " fields");
  }
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> version, fields[0].AsOptionalString());
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> doc, fields[1].AsOptionalString());
  if (!version || !doc) {
    return std::optional<saga::Saga>();
  }
  std::int64_t v = 0;
  try {
    v = std::stoll(*version);
  } catch (const std::exception&) {
    return Status::Internal("saga " + device_id + ": version '" + *version + "' is not a number");
  }
  Result<saga::Saga> s = saga::DecodeSaga(*doc, v);
  if (!s.ok()) {
    return s.status().WithContext("saga " + device_id);
  }
  return std::optional<saga::Saga>(std::move(s).value());
}

Result<bool> SagaStore::Commit(const saga::Saga& next, std::int64_t expected_version,
                               const std::vector<std::string>& outbox,
                               const std::vector<std::string>& history) {
  std::vector<std::string> args = {std::to_string(expected_version), saga::EncodeSaga(next),
                                   std::to_string(kHistoryCapacity), std::to_string(outbox.size())};
  args.insert(args.end(), outbox.begin(), outbox.end());
  args.insert(args.end(), history.begin(), history.end());
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       commit_.Run(conn_,
                                   {keys_.Saga(next.device_id), keys_.Outbox(next.device_id),
                                    keys_.History(next.device_id)},
                                   args));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> parts, r.AsArray());
  if (parts.size() != 2) {
    return Status::Internal("redis script commit: unexpected reply");
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t ok, parts[0].AsInteger());
  return ok == 1;
}

Result<std::vector<std::string>> SagaStore::History(const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       conn_.Command({"LRANGE", keys_.History(device_id), "0", "-1"}));
  return StringsOf(r);
}

Result<std::vector<std::string>> SagaStore::Outbox(const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       conn_.Command({"LRANGE", keys_.Outbox(device_id), "0", "-1"}));
  return StringsOf(r);
}

Status SagaStore::OutboxDone(const std::string& device_id,
                             const std::vector<std::string>& entries) {
  if (entries.empty()) {
    return Status::Ok();
  }
  GPS_ASSIGN_OR_RETURN(redis::Reply r, outbox_done_.Run(conn_, {keys_.Outbox(device_id)}, entries));
  return r.AsInteger().status();
}

Status SagaStore::TouchLastSeen(const std::string& device_id, Instant at) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       conn_.Command({"SET", keys_.LastSeen(device_id), std::to_string(at.ms)}));
  return r.AsString().status();
}

Result<std::string> SagaStore::ReserveName(const std::string& name, const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, reserve_name_.Run(conn_, {keys_.Name(name)}, {device_id}));
  return r.AsString();
}

Status SagaStore::ReleaseName(const std::string& name, const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, release_name_.Run(conn_, {keys_.Name(name)}, {device_id}));
  return r.AsInteger().status();
}

Result<bool> SagaStore::TakeOverName(const std::string& name, const std::string& stale_holder,
                                     const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       take_over_name_.Run(conn_, {keys_.Name(name)}, {stale_holder, device_id}));
  GPS_ASSIGN_OR_RETURN(std::int64_t moved, r.AsInteger());
  return moved == 1;
}

Status SagaStore::ScheduleTimer(const std::string& device_id, Instant due) {
  // LT: a timer already due earlier stays; adding a missing one is allowed.
  GPS_ASSIGN_OR_RETURN(redis::Reply r, conn_.Command({"ZADD", keys_.Timers(), "LT",
                                                      std::to_string(due.ms), device_id}));
  return r.AsInteger().status();
}

Result<std::vector<std::string>> SagaStore::ClaimDueTimers(Instant now, Instant claim_until,
                                                           int limit) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       claim_timers_.Run(conn_, {keys_.Timers()},
                                         {std::to_string(now.ms), std::to_string(claim_until.ms),
                                          std::to_string(limit)}));
  return StringsOf(r);
}

Status SagaStore::SettleTimer(const std::string& device_id, Instant claim_until,
                              std::optional<Instant> next_due) {
  GPS_ASSIGN_OR_RETURN(
      redis::Reply r, settle_timer_.Run(conn_, {keys_.Timers()},
                                        {device_id, std::to_string(claim_until.ms),
                                         next_due ? std::to_string(next_due->ms) : std::string()}));
  return r.AsInteger().status();
}

Result<SagaStore::AllowListEntries> SagaStore::LookupAllowList(const std::string& fingerprint,
                                                               const std::string& mac) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       conn_.Command({"HMGET", keys_.AllowList(),
                                      redis::Keys::AllowListFingerprintField(fingerprint),
                                      redis::Keys::AllowListMacField(mac)}));
  if (r.IsError()) {
    return Status::Unavailable("redis: read the allow-list: " + r.error());
  }
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> fields, r.AsArray());
  if (fields.size() != 2) {
    return Status::Internal("redis: HMGET returned " + std::to_string(fields.size()) + " fields");
  }
  AllowListEntries out;
  GPS_ASSIGN_OR_RETURN(out.by_fingerprint, fields[0].AsOptionalString());
  GPS_ASSIGN_OR_RETURN(out.by_mac, fields[1].AsOptionalString());
  return out;
}

Status SagaStore::AppendAudit(const std::string& entry_json) {
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> r,
                       conn_.Pipeline({{"LPUSH", keys_.Audit(), entry_json},
                                       {"LTRIM", keys_.Audit(), "0",
                                        std::to_string(redis::Keys::kAuditCapacity - 1)}}));
  for (const redis::Reply& reply : r) {
    if (reply.IsError()) {
      return Status::Unavailable("redis: append to the audit log: " + reply.error());
    }
  }
  return Status::Ok();
}

}  // namespace gps::engine
