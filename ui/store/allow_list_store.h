#pragma once
// The allow-list as gps-ui manages it: entries {mac or key fingerprint, name} in one Redis hash
// (field "mac:<mac>" or "fp:<fingerprint>", value {"name", "addedBy", "addedAt"}). The engine
// reads it when a device announces (engine/shell/allow_list.h) and approves a pending device
// that matches, with that name. Parsing and validation are pure; the store does the I/O.
// Thread-safety: safe from many threads. Lifetime: the pool must outlive the store.

#include <optional>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/redis/keys.h"
#include "ui/store/redis_pool.h"

namespace gps::ui {

struct AllowListEntry {
  std::string kind;   // "mac" or "fingerprint"
  std::string value;  // canonical MAC, or "SHA256:<43 base64 characters>"
  std::string name;   // the device name to approve with
  std::string added_by;
  Instant added_at;
};

// kind and value as given by a person or script, made canonical (a MAC in lower case with
// colons); InvalidArgument naming what is wrong.
Result<AllowListEntry> MakeAllowListEntry(std::string_view kind, std::string_view value,
                                          std::string_view name);
// The hash field of an entry.
std::string AllowListField(const AllowListEntry& entry);
// The hash value of an entry.
std::string EncodeAllowListValue(const AllowListEntry& entry);
// An entry back from its field and value; InvalidArgument for one this code did not write.
Result<AllowListEntry> DecodeAllowListEntry(std::string_view field, std::string_view value);

class AllowListStore {
 public:
  AllowListStore(RedisPool& pool, redis::Keys keys) : pool_(pool), keys_(std::move(keys)) {}

  // Newest first; unreadable entries are left out.
  Result<std::vector<AllowListEntry>> List();
  // false when the MAC or fingerprint is listed already.
  Result<bool> Add(const AllowListEntry& entry);
  // The entry removed; nullopt when there was none.
  Result<std::optional<AllowListEntry>> Remove(const AllowListEntry& key);

 private:
  RedisPool& pool_;
  redis::Keys keys_;
};

}  // namespace gps::ui
