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

}  // namespace gps::protocol
