// SagaStore's part for the device index, the pending set and the expiry of pending devices
// (docs/design/redis-layout.md, "The device index and the pending set").

#include <charconv>
#include <cmath>

#include "engine/store/saga_store.h"

namespace gps::engine {

namespace {

// Scores and last-seen times are whole milliseconds we wrote; Redis may print a score as a double.
Result<Millis> MillisOf(const std::string& text, std::string_view what) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Status::Internal("redis: " + std::string(what) + " '" + text.substr(0, 32) +
                            "' is not a number");
  }
  return static_cast<Millis>(std::llround(value));
}

// A ZRANGE ... WITHSCORES reply: member, score, member, score, ...
Result<std::vector<SagaStore::Member>> MembersOf(const redis::Reply& r, std::string_view what) {
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, r.AsArray());
  if (items.size() % 2 != 0) {
    return Status::Internal("redis: " + std::string(what) + ": odd number of items");
  }
  std::vector<SagaStore::Member> out;
  out.reserve(items.size() / 2);
  for (std::size_t i = 0; i < items.size(); i += 2) {
    SagaStore::Member m;
    GPS_ASSIGN_OR_RETURN(m.id, items[i].AsString());
    GPS_ASSIGN_OR_RETURN(std::string score, items[i + 1].AsString());
    GPS_ASSIGN_OR_RETURN(m.score, MillisOf(score, what));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

Result<std::optional<Instant>> SagaStore::LastSeen(const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, conn_.Command({"GET", keys_.LastSeen(device_id)}));
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> text, r.AsOptionalString());
  if (!text) {
    return std::optional<Instant>();
  }
  GPS_ASSIGN_OR_RETURN(Millis ms, MillisOf(*text, "last seen of " + device_id.substr(0, 12)));
  return std::optional<Instant>(Instant{ms});
}

Result<std::vector<SagaStore::Member>> SagaStore::IndexedDevices() {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       conn_.Command({"ZRANGE", keys_.DeviceIndex(), "0", "-1", "WITHSCORES"}));
  return MembersOf(r, "device index");
}

Status SagaStore::IndexDevice(const std::string& device_id, Instant first_seen) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       raise_member_.Run(conn_, {keys_.DeviceIndex()},
                                         {device_id, std::to_string(first_seen.ms), ""}));
  return r.AsArray().status();
}

Result<bool> SagaStore::ForgetIndexed(const std::string& device_id, Millis score) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, remove_member_.Run(conn_, {keys_.DeviceIndex()},
                                                          {device_id, std::to_string(score)}));
  GPS_ASSIGN_OR_RETURN(std::int64_t removed, r.AsInteger());
  return removed == 1;
}

Result<SagaStore::AdmitResult> SagaStore::AdmitPending(const std::string& device_id, Instant now,
                                                       std::optional<std::int64_t> cap) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, raise_member_.Run(conn_, {keys_.Pending()},
                                                         {device_id, std::to_string(now.ms),
                                                          cap ? std::to_string(*cap) : ""}));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> parts, r.AsArray());
  if (parts.size() != 2) {
    return Status::Internal("redis script raise_member: unexpected reply");
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t outcome, parts[0].AsInteger());
  AdmitResult out;
  GPS_ASSIGN_OR_RETURN(out.pending, parts[1].AsInteger());
  switch (outcome) {
    case 0:
      out.outcome = Admission::kRefused;
      break;
    case 1:
      out.outcome = Admission::kAlreadyThere;
      break;
    case 2:
      out.outcome = Admission::kAdded;
      break;
    default:
      return Status::Internal("redis script raise_member: outcome " + std::to_string(outcome));
  }
  return out;
}

Result<std::optional<Millis>> SagaStore::PendingScore(const std::string& device_id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, conn_.Command({"ZSCORE", keys_.Pending(), device_id}));
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> text, r.AsOptionalString());
  if (!text) {
    return std::optional<Millis>();
  }
  GPS_ASSIGN_OR_RETURN(Millis score, MillisOf(*text, "pending score"));
  return std::optional<Millis>(score);
}

Result<bool> SagaStore::ForgetPending(const std::string& device_id, Millis score) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, remove_member_.Run(conn_, {keys_.Pending()},
                                                          {device_id, std::to_string(score)}));
  GPS_ASSIGN_OR_RETURN(std::int64_t removed, r.AsInteger());
  return removed == 1;
}

Result<std::vector<SagaStore::Member>> SagaStore::PendingDevices() {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       conn_.Command({"ZRANGE", keys_.Pending(), "0", "-1", "WITHSCORES"}));
  return MembersOf(r, "pending set");
}

Result<bool> SagaStore::ExpirePending(const std::string& device_id, std::int64_t version,
                                      Instant cutoff) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       expire_pending_.Run(conn_,
                                           {keys_.Saga(device_id), keys_.Outbox(device_id),
                                            keys_.LastSeen(device_id), keys_.History(device_id)},
                                           {std::to_string(version), std::to_string(cutoff.ms)}));
  GPS_ASSIGN_OR_RETURN(std::int64_t deleted, r.AsInteger());
  return deleted == 1;
}

}  // namespace gps::engine
