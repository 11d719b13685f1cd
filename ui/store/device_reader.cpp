#include "ui/store/device_reader.h"

#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"

namespace gps::ui {

namespace {

// Replies per device in a read pipeline: HGET v, HGET doc, GET seen.
constexpr std::size_t kRepliesPerDevice = 3;
// Bounds the memory of "already reported"; past it, reports may repeat.
constexpr std::size_t kMaxReported = 10000;
// A timeline entry is a few hundred bytes; a cloud's error text can make it longer.
constexpr std::size_t kMaxHistoryEntryBytes = 64 * 1024;

Status RedisContext(const Status& st, std::string_view what) {
  return st.WithContext(std::string("redis: ") + std::string(what));
}

}  // namespace

DeviceReader::DeviceReader(RedisPool& pool, redis::Keys keys)
    : pool_(pool), keys_(std::move(keys)) {}

std::vector<std::vector<std::string>> DeviceReader::ReadCommands(const redis::Keys& keys,
                                                                 const std::string& device_id) {
  return {{"HGET", keys.Saga(device_id), "v"},
          {"HGET", keys.Saga(device_id), "doc"},
          {"GET", keys.LastSeen(device_id)}};
}

Result<RawDeviceRecord> DeviceReader::ToRaw(const std::string& device_id,
                                            const std::vector<redis::Reply>& replies,
                                            std::size_t first) {
  RawDeviceRecord raw;
  raw.device_id = device_id;
  std::optional<std::string>* fields[kRepliesPerDevice] = {&raw.version, &raw.doc, &raw.last_seen};
  for (std::size_t i = 0; i < kRepliesPerDevice; ++i) {
    const redis::Reply& reply = replies[first + i];
    if (reply.IsError()) {
      return Status::InvalidArgument("device " + device_id + ": redis error: " + reply.error());
    }
    Result<std::optional<std::string>> value = reply.AsOptionalString();
    if (!value.ok()) {
      return value.status().WithContext("device " + device_id);
    }
    *fields[i] = std::move(value).value();
  }
  return raw;
}

void DeviceReader::ReportUnreadable(const std::string& device_id,
                                    const std::optional<std::string>& version,
                                    const Status& status) {
  metrics::Inc("ui.device_records_unreadable");
  std::string key = device_id.substr(0, 64) + ":" + version.value_or("").substr(0, 20);
  {
    std::lock_guard<std::mutex> lock(reported_mutex_);
    if (reported_.count(key) > 0) {
      return;
    }
    if (reported_.size() >= kMaxReported) {
      reported_.clear();
    }
    reported_.insert(key);
  }
  log::Warn("device record unreadable; left out of the device list",
            {{"device_id", device_id.substr(0, 64)}, {"err", status.ToString()}});
}

Result<std::vector<std::string>> DeviceReader::Index(RedisPool::Lease& conn) {
  Result<redis::Reply> index = conn->Command({"ZREVRANGE", keys_.DeviceIndex(), "0", "-1"});
  if (!index.ok()) {
    metrics::Inc("ui.redis_errors");
    return RedisContext(index.status(), "list devices");
  }
  if (index->IsError()) {
    metrics::Inc("ui.redis_errors");
    return Status::Unavailable("redis: list devices: " + index->error());
  }
  Result<std::vector<redis::Reply>> members = index->AsArray();
  if (!members.ok()) {
    return RedisContext(members.status(), "list devices");
  }
  std::vector<std::string> ids;
  ids.reserve(members->size());
  for (const redis::Reply& member : *members) {
    Result<std::string> id = member.AsString();
    if (!id.ok()) {
      return RedisContext(id.status(), "list devices");
    }
    ids.push_back(std::move(id).value());
  }
  return ids;
}

Result<std::vector<DeviceView>> DeviceReader::List() {
  std::vector<std::string> ids;
  {
    RedisPool::Lease conn = pool_.Acquire();
    GPS_ASSIGN_OR_RETURN(ids, Index(conn));
  }
  return GetMany(ids);
}

Result<std::vector<DeviceView>> DeviceReader::GetMany(const std::vector<std::string>& ids) {
  std::vector<DeviceView> out;
  if (ids.empty()) {
    return out;
  }
  std::vector<std::vector<std::string>> commands;
  commands.reserve(ids.size() * kRepliesPerDevice);
  for (const std::string& id : ids) {
    for (auto& c : ReadCommands(keys_, id)) {
      commands.push_back(std::move(c));
    }
  }
  RedisPool::Lease conn = pool_.Acquire();
  Result<std::vector<redis::Reply>> replies = conn->Pipeline(commands);
  if (!replies.ok()) {
    metrics::Inc("ui.redis_errors");
    return RedisContext(replies.status(), "read devices");
  }
  out.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Result<RawDeviceRecord> raw = ToRaw(ids[i], *replies, i * kRepliesPerDevice);
    if (!raw.ok()) {
      ReportUnreadable(ids[i], std::nullopt, raw.status());
      continue;
    }
    Result<std::optional<DeviceView>> view = DecodeDeviceRecord(*raw);
    if (!view.ok()) {
      ReportUnreadable(ids[i], raw->version, view.status());
      continue;
    }
    if (*view) {
      out.push_back(std::move(**view));
    }
  }
  return out;
}

Result<std::vector<DeviceSignature>> DeviceReader::Signatures() {
  RedisPool::Lease conn = pool_.Acquire();
  GPS_ASSIGN_OR_RETURN(std::vector<std::string> ids, Index(conn));
  std::vector<DeviceSignature> out;
  if (ids.empty()) {
    return out;
  }
  std::vector<std::vector<std::string>> commands;
  commands.reserve(ids.size() * 2);
  for (const std::string& id : ids) {
    commands.push_back({"HGET", keys_.Saga(id), "v"});
    commands.push_back({"GET", keys_.LastSeen(id)});
  }
  Result<std::vector<redis::Reply>> replies = conn->Pipeline(commands);
  if (!replies.ok()) {
    metrics::Inc("ui.redis_errors");
    return RedisContext(replies.status(), "read device versions");
  }
  out.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const redis::Reply& version = (*replies)[2 * i];
    const redis::Reply& seen = (*replies)[2 * i + 1];
    if (version.IsError() || seen.IsError()) {
      return Status::Unavailable("redis: read device versions: " +
                                 (version.IsError() ? version.error() : seen.error()));
    }
    out.push_back({ids[i], version.AsOptionalString().value_or(std::nullopt).value_or(""),
                   seen.AsOptionalString().value_or(std::nullopt).value_or("")});
  }
  return out;
}

Result<std::optional<DeviceView>> DeviceReader::Get(const std::string& device_id) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<std::vector<redis::Reply>> replies = conn->Pipeline(ReadCommands(keys_, device_id));
  if (!replies.ok()) {
    metrics::Inc("ui.redis_errors");
    return RedisContext(replies.status(), "read device");
  }
  GPS_ASSIGN_OR_RETURN(RawDeviceRecord raw, ToRaw(device_id, *replies, 0));
  Result<std::optional<DeviceView>> view = DecodeDeviceRecord(raw);
  if (!view.ok()) {
    ReportUnreadable(device_id, raw.version, view.status());
  }
  return view;
}

Result<std::vector<std::string>> DeviceReader::History(const std::string& device_id) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r = conn->Command({"LRANGE", keys_.History(device_id), "0", "-1"});
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return RedisContext(r.status(), "read device history");
  }
  if (r->IsError()) {
    return Status::Unavailable("redis: read device history: " + r->error());
  }
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, r->AsArray());
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const redis::Reply& item : items) {
    Result<std::string> text = item.AsString();
    Result<json::Document> doc = text.ok()
                                     ? json::ParseObject(*text, kMaxHistoryEntryBytes, "entry")
                                     : Result<json::Document>(text.status());
    if (doc.ok()) {
      out.push_back(doc->Root().Serialize());
    } else {
      metrics::Inc("ui.history_entries_unreadable");
    }
  }
  return out;
}

Status DeviceReader::Ping() {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> pong = conn->Command({"PING"});
  if (!pong.ok()) {
    return pong.status();
  }
  if (pong->IsError()) {
    return Status::Unavailable("redis: PING: " + pong->error());
  }
  return Status::Ok();
}

}  // namespace gps::ui
