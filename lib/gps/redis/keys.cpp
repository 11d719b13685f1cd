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

}  // namespace gps::redis
