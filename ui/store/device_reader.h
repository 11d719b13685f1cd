#pragma once
// Reads devices from Redis for the REST API and the live-update feed; never writes (the engine
// owns every device key).
//
// A listing costs two round trips whatever the number of devices: ZREVRANGE of the device index
// (newest first announce first), then one pipeline of HGET saga v/doc and GET last-seen for all of
// them. The feed asks first for each device's version and last-seen time only (Signatures), and
// reads whole records only for the devices that changed. A record that cannot be decoded is left
// out, counted, and logged once per device and saga version (the page asks again and again; the
// log must not repeat it each time).
// Thread-safety: every call borrows its own connection from the pool; safe from many threads.
// Lifetime: the pool must outlive the reader.

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gps/core/result.h"
#include "gps/redis/keys.h"
#include "ui/store/device_record.h"
#include "ui/store/redis_pool.h"

namespace gps::ui {

// What changes when a device changes: its saga version and its last-seen time, as stored.
struct DeviceSignature {
  std::string id;
  std::string version;    // HGET saga v ("" when the saga is missing)
  std::string last_seen;  // GET seen ("" when absent)
  friend bool operator==(const DeviceSignature&, const DeviceSignature&) = default;
};

class DeviceReader {
 public:
  DeviceReader(RedisPool& pool, redis::Keys keys);

  // Every readable device, newest first. Unavailable when Redis cannot be asked.
  Result<std::vector<DeviceView>> List();
  // Every device of the index, newest first, with its signature.
  Result<std::vector<DeviceSignature>> Signatures();
  // The readable ones of these devices, in the order given (one round trip).
  Result<std::vector<DeviceView>> GetMany(const std::vector<std::string>& ids);
  // nullopt for an unknown device; InvalidArgument for an unreadable record.
  Result<std::optional<DeviceView>> Get(const std::string& device_id);
  // The device's timeline (the engine's history list), oldest first, each entry a JSON object's
  // text. Entries that are not JSON objects are left out.
  Result<std::vector<std::string>> History(const std::string& device_id);
  // Ok when Redis answers PING.
  Status Ping();

 private:
  static std::vector<std::vector<std::string>> ReadCommands(const redis::Keys& keys,
                                                            const std::string& device_id);
  Result<std::vector<std::string>> Index(RedisPool::Lease& conn);
  static Result<RawDeviceRecord> ToRaw(const std::string& device_id,
                                       const std::vector<redis::Reply>& replies, std::size_t first);
  void ReportUnreadable(const std::string& device_id, const std::optional<std::string>& version,
                        const Status& status);

  RedisPool& pool_;
  redis::Keys keys_;
  std::mutex reported_mutex_;
  std::set<std::string> reported_;  // "<id>:<version>" already logged as unreadable
};

}  // namespace gps::ui
