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
  // Sorted set of the ids of pending devices, scored by when each last became pending (ms); its
  // size is what GPS_ENGINE_MAX_PENDING caps.
  std::string Pending() const;
  // List of the device's timeline entries (JSON, oldest first, capped), written with its saga.
  std::string History(std::string_view device_id) const;

  // Hash of allow-list entries: field AllowListMacField(mac) or AllowListFingerprintField(fp),
  // value JSON {"name", "addedBy", "addedAt"}. Written by gps-ui, read by the engine.
  std::string AllowList() const;
  static std::string AllowListMacField(std::string_view canonical_mac);
  static std::string AllowListFingerprintField(std::string_view fingerprint);
  // List of audit entries (JSON, newest first, capped at kAuditCapacity by whoever appends).
  std::string Audit() const;
  static constexpr long kAuditCapacity = 10000;

  // gps-ui's own keys (users, sessions, API tokens). They share the hash tag {ui}, so one script
  // or MULTI may change several of them on Redis Cluster.
  std::string UiUsers() const;                               // set of user names
  std::string UiUser(std::string_view user) const;           // hash: role, hash, created, ...
  std::string UiUserSessions(std::string_view user) const;   // set of the user's session ids
  std::string UiSession(std::string_view session_id) const;  // hash, expires when idle
  std::string UiTokens() const;                              // set of API token ids
  std::string UiToken(std::string_view token_id) const;      // hash: label, role, created, ...
  std::string UiLoginFailures(std::string_view user) const;  // counter, expires

 private:
  std::string DeviceKey(std::string_view device_id, std::string_view suffix) const;
  // "<prefix>:{ui}:<kind>[:<id>]"
  std::string UiKey(std::string_view kind, std::string_view id) const;
  std::string prefix_;
};

}  // namespace gps::redis
