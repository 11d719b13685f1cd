#pragma once
// Reads devices from Redis for the REST API; never writes (the engine owns every key).
//
// A listing costs two round trips whatever the number of devices: ZREVRANGE of the device index
// (newest first announce first), then one pipeline of HGET saga v/doc and GET last-seen for all of
// them. A record that cannot be decoded is left out of listings, counted, and logged once per
// device and saga version (the page polls every 2 s; the log must not repeat it each time).
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

class DeviceReader {
 public:
  DeviceReader(RedisPool& pool, redis::Keys keys);

  // Every readable device, newest first. Unavailable when Redis cannot be asked.
  Result<std::vector<DeviceView>> List();
  // nullopt for an unknown device; InvalidArgument for an unreadable record.
  Result<std::optional<DeviceView>> Get(const std::string& device_id);
  // Ok when Redis answers PING.
  Status Ping();

 private:
  static std::vector<std::vector<std::string>> ReadCommands(const redis::Keys& keys,
                                                            const std::string& device_id);
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
