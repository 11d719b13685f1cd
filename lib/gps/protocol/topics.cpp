#include "gps/protocol/topics.h"

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::protocol {

namespace {

std::string_view KindName(DeviceTopicKind kind) {
  switch (kind) {
    case DeviceTopicKind::kAnnounce:
      return "announce";
    case DeviceTopicKind::kAck:
      return "ack";
    case DeviceTopicKind::kCredentials:
      return "credentials";
    case DeviceTopicKind::kStatus:
      return "status";
  }
  return "";
}

std::string Join(std::string_view a, std::string_view b, std::string_view c) {
  std::string out(kTopicRoot);
  out += '/';
  out += a;
  out += '/';
  out += b;
  if (!c.empty()) {
    out += '/';
    out += c;
  }
  return out;
}

}  // namespace

std::string DeviceTopic(std::string_view device_id, DeviceTopicKind kind) {
  return Join("devices", device_id, KindName(kind));
}

std::string AllDevicesFilter(DeviceTopicKind kind) { return Join("devices", "+", KindName(kind)); }

std::optional<ParsedDeviceTopic> ParseDeviceTopic(std::string_view topic) {
  std::string prefix = std::string(kTopicRoot) + "/devices/";
  if (topic.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  std::string_view rest = topic.substr(prefix.size());
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  std::string_view id = rest.substr(0, slash);
  std::string_view kind = rest.substr(slash + 1);
  for (DeviceTopicKind k : {DeviceTopicKind::kAnnounce, DeviceTopicKind::kAck,
                            DeviceTopicKind::kCredentials, DeviceTopicKind::kStatus}) {
    if (kind == KindName(k)) {
      return ParsedDeviceTopic{std::string(id), k};
    }
  }
  return std::nullopt;
}

std::string JobTopic(std::string_view step) { return Join("jobs", step, ""); }
bool IsJobTopic(std::string_view topic) {
  std::string prefix = Join("jobs", "", "");
  return topic.size() > prefix.size() && topic.starts_with(prefix) &&
         topic.find('/', prefix.size()) == std::string_view::npos;
}
std::string ResultTopic(std::string_view step) { return Join("results", step, ""); }
std::string AllResultsFilter() { return Join("results", "+", ""); }
std::string CommandTopic(std::string_view command) { return Join("commands", command, ""); }
std::string AllCommandsFilter() { return Join("commands", "+", ""); }

std::optional<std::string> ParseCommandTopic(std::string_view topic) {
  std::string prefix = std::string(kTopicRoot) + "/commands/";
  if (topic.substr(0, prefix.size()) != prefix || topic.size() == prefix.size()) {
    return std::nullopt;
  }
  std::string_view name = topic.substr(prefix.size());
  if (name.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(name);
}

std::string ReplyTopic(std::string_view instance) { return Join("replies", instance, ""); }

std::string SharedFilter(std::string_view group, std::string_view filter) {
  std::string out = "$share/";
  out += group;
  out += '/';
  out += filter;
  return out;
}

std::string ShareGroup(std::string_view role, std::string_view account_password) {
  std::string group(role);
  if (account_password.empty()) {
    return group;
  }
  std::string tag =
      crypto::Sha256("gps/v1 share group\n" + group + "\n" + std::string(account_password));
  group += '-';
  group += crypto::HexEncode(std::string_view(tag).substr(0, 16));
  return group;
}

}  // namespace gps::protocol
