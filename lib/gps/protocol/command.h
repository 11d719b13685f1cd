#pragma once
// Operator commands from gps-ui to the engine, and the engine's replies (docs/protocol.md).
// A command goes to gps/v1/commands/{approve|dismiss|retry|run-now|revoke} with MQTT 5
// RESPONSE_TOPIC (the UI instance's reply topic) and CORRELATION_DATA (the request id); the reply
// comes back there. Pure; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::protocol {

// retry: a failed saga runs its failed steps again with a fresh attempt budget.
// run-now: a step waiting out its backoff starts its next attempt at once.
// revoke: every cloud forgets or disables the device (Mender, DPS, Vault, IoT Hub).
enum class CommandKind { kApprove, kDismiss, kRetry, kRunNow, kRevoke };
std::string_view CommandName(CommandKind kind);
Result<CommandKind> ParseCommandName(std::string_view text);

struct OperatorCommand {
  CommandKind kind = CommandKind::kApprove;
  std::string device_id;
  std::string name;   // approve only
  std::string actor;  // who asked (operator login), for the audit trail
  std::string step;   // run-now only, optional: a saga slot name (e.g. "vault"); empty: every step
};
std::string EncodeCommand(const OperatorCommand& c);
// kind comes from the topic; the name is only checked for presence here, its rules by the engine.
Result<OperatorCommand> ParseCommand(CommandKind kind, std::string_view payload);

enum class ReplyStatus { kAccepted, kInvalid, kNotFound, kConflict, kUnavailable };
// The message of kNotFound for a device id, from the engine and from gps-ui's own check.
inline constexpr char kUnknownDeviceMessage[] =
    "no device with this id: it never announced itself, or it stopped announcing while pending "
    "and expired";
std::string_view ReplyStatusName(ReplyStatus s);

struct CommandReply {
  ReplyStatus status = ReplyStatus::kAccepted;
  std::string message;
};
std::string EncodeReply(const CommandReply& r);
Result<CommandReply> ParseReply(std::string_view payload);

}  // namespace gps::protocol
