#include "ui/store/allow_list_store.h"

#include <algorithm>

#include "gps/json/json.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/names.h"

namespace gps::ui {

namespace {

constexpr std::string_view kFingerprintPrefix = "SHA256:";
constexpr std::size_t kFingerprintChars = 43;  // unpadded base64 of 32 bytes

bool IsFingerprint(std::string_view v) {
  if (v.size() != kFingerprintPrefix.size() + kFingerprintChars ||
      v.substr(0, kFingerprintPrefix.size()) != kFingerprintPrefix) {
    return false;
  }
  return std::all_of(v.begin() + kFingerprintPrefix.size(), v.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

Status RedisProblem(const Result<redis::Reply>& r, std::string_view what) {
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status().WithContext("redis: " + std::string(what));
  }
  if (r->IsError()) {
    metrics::Inc("ui.redis_errors");
    return Status::Unavailable("redis: " + std::string(what) + ": " + r->error());
  }
  return Status::Ok();
}

}  // namespace

Result<AllowListEntry> MakeAllowListEntry(std::string_view kind, std::string_view value,
                                          std::string_view name) {
  AllowListEntry e;
  e.kind = std::string(kind);
  if (kind == "mac") {
    GPS_RETURN_IF_ERROR(protocol::CanonicalMac(value, &e.value));
  } else if (kind == "fingerprint") {
    if (!IsFingerprint(value)) {
      return Status::InvalidArgument(
          "fingerprint: expected SHA256: and 43 base64 characters, as the pending list shows it");
    }
    e.value = std::string(value);
  } else {
    return Status::InvalidArgument("give a mac or a fingerprint");
  }
  Status valid = protocol::ValidateDeviceName(name);
  if (!valid.ok()) {
    return Status::InvalidArgument("invalid name: " + valid.message());
  }
  e.name = std::string(name);
  return e;
}

std::string AllowListField(const AllowListEntry& e) {
  return e.kind == "mac" ? redis::Keys::AllowListMacField(e.value)
                         : redis::Keys::AllowListFingerprintField(e.value);
}

std::string EncodeAllowListValue(const AllowListEntry& e) {
  json::Writer w;
  w.BeginObject()
      .Field("name", e.name)
      .Field("addedBy", e.added_by)
      .Field("addedAt", e.added_at.ms)
      .EndObject();
  return w.Take();
}

Result<AllowListEntry> DecodeAllowListEntry(std::string_view field, std::string_view value) {
  std::string_view kind;
  std::string_view key;
  if (field.substr(0, 4) == "mac:") {
    kind = "mac";
    key = field.substr(4);
  } else if (field.substr(0, 3) == "fp:") {
    kind = "fingerprint";
    key = field.substr(3);
  } else {
    return Status::InvalidArgument("allow-list field '" + std::string(field.substr(0, 80)) +
                                   "' is neither mac: nor fp:");
  }
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(value, 4096, "allow-list entry"));
  GPS_ASSIGN_OR_RETURN(std::string name, doc.Root().GetString("name", 64));
  GPS_ASSIGN_OR_RETURN(AllowListEntry e, MakeAllowListEntry(kind, key, name));
  if (e.value != key) {
    return Status::InvalidArgument("allow-list MAC '" + std::string(key) + "' is not canonical");
  }
  e.added_by = doc.Root().GetStringOr("addedBy", "", 128).value_or("");
  e.added_at = Instant{doc.Root().GetIntOr("addedAt", 0).value_or(0)};
  return e;
}

Result<std::vector<AllowListEntry>> AllowListStore::List() {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r = conn->Command({"HGETALL", keys_.AllowList()});
  GPS_RETURN_IF_ERROR(RedisProblem(r, "read the allow-list"));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, r->AsArray());
  std::vector<AllowListEntry> out;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    Result<std::string> field = items[i].AsString();
    Result<std::string> value = items[i + 1].AsString();
    Result<AllowListEntry> e = field.ok() && value.ok()
                                   ? DecodeAllowListEntry(*field, *value)
                                   : Result<AllowListEntry>(Status::InvalidArgument("not text"));
    if (e.ok()) {
      out.push_back(std::move(e).value());
    } else {
      metrics::Inc("ui.allowlist_entries_unreadable");
    }
  }
  std::sort(out.begin(), out.end(), [](const AllowListEntry& a, const AllowListEntry& b) {
    return a.added_at != b.added_at ? a.added_at > b.added_at : a.value < b.value;
  });
  return out;
}

Result<bool> AllowListStore::Add(const AllowListEntry& e) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r =
      conn->Command({"HSETNX", keys_.AllowList(), AllowListField(e), EncodeAllowListValue(e)});
  GPS_RETURN_IF_ERROR(RedisProblem(r, "add to the allow-list"));
  GPS_ASSIGN_OR_RETURN(std::int64_t added, r->AsInteger());
  return added == 1;
}

Result<std::optional<AllowListEntry>> AllowListStore::Remove(const AllowListEntry& key) {
  RedisPool::Lease conn = pool_.Acquire();
  const std::string field = AllowListField(key);
  Result<std::vector<redis::Reply>> r =
      conn->Pipeline({{"HGET", keys_.AllowList(), field}, {"HDEL", keys_.AllowList(), field}});
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status().WithContext("redis: remove from the allow-list");
  }
  for (const redis::Reply& reply : *r) {
    if (reply.IsError()) {
      return Status::Unavailable("redis: remove from the allow-list: " + reply.error());
    }
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t removed, (*r)[1].AsInteger());
  if (removed == 0) {
    return std::optional<AllowListEntry>();
  }
  std::optional<std::string> value = (*r)[0].AsOptionalString().value_or(std::nullopt);
  Result<AllowListEntry> e = DecodeAllowListEntry(field, value.value_or("{}"));
  return std::optional<AllowListEntry>(e.ok() ? *e : key);
}

}  // namespace gps::ui
