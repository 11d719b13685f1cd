#include "gps/redis/keys.h"

namespace gps::redis {

std::string Keys::DeviceKey(std::string_view device_id, std::string_view suffix) const {
  std::string out = prefix_;
  out += ":{";
  out += device_id;
  out += "}:";
  out += suffix;
  return out;
}

std::string Keys::Saga(std::string_view device_id) const { return DeviceKey(device_id, "saga"); }
std::string Keys::Outbox(std::string_view device_id) const {
  return DeviceKey(device_id, "outbox");
}
std::string Keys::LastSeen(std::string_view device_id) const {
  return DeviceKey(device_id, "seen");
}

std::string Keys::Name(std::string_view name) const {
  std::string out = prefix_;
  out += ":name:{";
  out += name;
  out += "}";
  return out;
}

std::string Keys::DeviceIndex() const { return prefix_ + ":devices"; }

std::string Keys::Timers() const { return prefix_ + ":timers"; }

std::string Keys::Pending() const { return prefix_ + ":pending"; }

std::string Keys::History(std::string_view device_id) const {
  return DeviceKey(device_id, "history");
}

std::string Keys::AllowList() const { return prefix_ + ":allowlist"; }
std::string Keys::AllowListMacField(std::string_view canonical_mac) {
  return "mac:" + std::string(canonical_mac);
}
std::string Keys::AllowListFingerprintField(std::string_view fingerprint) {
  return "fp:" + std::string(fingerprint);
}

std::string Keys::Audit() const { return prefix_ + ":audit"; }

std::string Keys::UiKey(std::string_view kind, std::string_view id) const {
  std::string out = prefix_ + ":{ui}:";
  out += kind;
  if (!id.empty()) {
    out += ":";
    out += id;
  }
  return out;
}

std::string Keys::UiUsers() const { return UiKey("users", ""); }
std::string Keys::UiUser(std::string_view user) const { return UiKey("user", user); }
std::string Keys::UiUserSessions(std::string_view user) const {
  return UiKey("user-sessions", user);
}
std::string Keys::UiSession(std::string_view session_id) const {
  return UiKey("session", session_id);
}
std::string Keys::UiTokens() const { return UiKey("tokens", ""); }
std::string Keys::UiToken(std::string_view token_id) const { return UiKey("token", token_id); }
std::string Keys::UiLoginFailures(std::string_view user) const {
  return UiKey("login-failures", user);
}

}  // namespace gps::redis
