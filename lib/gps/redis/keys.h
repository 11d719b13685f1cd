#pragma once
// Every Redis key of the project is built here (docs/design/redis-layout.md lists them).
// Keys of one device share the hash tag {<device id>}, so every per-device script touches a single
// Redis Cluster slot. A prefix (default "gps") lets deployments share one Redis.
// Immutable; thread-safe.

#include <string>
#include <string_view>

namespace gps::redis {

class Keys {
 public:
  explicit Keys(std::string prefix = "gps") : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }

  // Hash: v = version, doc = saga JSON.
  std::string Saga(std::string_view device_id) const;
  // List of JSON commands committed with a transition and not yet carried out.
  std::string Outbox(std::string_view device_id) const;
  // String: the last time the device announced (ms), written without touching the saga.
  std::string LastSeen(std::string_view device_id) const;
  // String: the device id holding a name reservation.
  std::string Name(std::string_view name) const;
  // Sorted set of every device id, scored by first announce (ms).
  std::string DeviceIndex() const;
  // Sorted set of device ids whose saga needs attention at a time, scored by that time (ms).
  std::string Timers() const;

 private:
  std::string DeviceKey(std::string_view device_id, std::string_view suffix) const;
  std::string prefix_;
};

}  // namespace gps::redis
