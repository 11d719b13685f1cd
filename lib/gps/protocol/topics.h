#pragma once
// The MQTT topic namespace gps/v1/... (docs/protocol.md is the contract). Every topic string is
// built or parsed here, so no other file spells a topic. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace gps::protocol {

inline constexpr std::string_view kTopicRoot = "gps/v1";

enum class DeviceTopicKind { kAnnounce, kAck, kCredentials, kStatus };

std::string DeviceTopic(std::string_view device_id, DeviceTopicKind kind);
// Filter matching one kind for every device: gps/v1/devices/+/announce.
std::string AllDevicesFilter(DeviceTopicKind kind);

struct ParsedDeviceTopic {
  std::string device_id;
  DeviceTopicKind kind;
};
// Recognises gps/v1/devices/{id}/{kind}; nullopt for anything else.
std::optional<ParsedDeviceTopic> ParseDeviceTopic(std::string_view topic);

// Step work and its results: gps/v1/jobs/{step}, gps/v1/results/{step}.
std::string JobTopic(std::string_view step);
bool IsJobTopic(std::string_view topic);
std::string ResultTopic(std::string_view step);
std::string AllResultsFilter();
// Operator commands: gps/v1/commands/{command}.
std::string CommandTopic(std::string_view command);
std::string AllCommandsFilter();
std::optional<std::string> ParseCommandTopic(std::string_view topic);
// Replies to one requester instance: gps/v1/replies/{instance}.
std::string ReplyTopic(std::string_view instance);

// $share/{group}/{filter}: one copy of each message per group.
std::string SharedFilter(std::string_view group, std::string_view filter);
// The share group of the replicas of one service account: "{role}-{tag}", the tag an HMAC of the
// account's broker password. Mosquitto 2.0 lets any client join any share group (its ACL file does
// not check subscribe filters) and drops the messages a member may not read instead of passing them
// to another member; a group name only account holders can compute keeps others out of the
// rotation. Without a password (a test broker without accounts) it is the role alone.
std::string ShareGroup(std::string_view role, std::string_view account_password);

}  // namespace gps::protocol
