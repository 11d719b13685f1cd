#pragma once
// Turns a message the engine received into a typed, validated input, or a refusal that says why.
// Announces are verified here (signature, key, device id, topic); acks need the device's stored
// key and are verified by VerifyInboundAck once the saga is loaded. Pure apart from the signature
// checks.
// Thread-safe.

#include <optional>
#include <string>
#include <variant>

#include "gps/core/result.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/command.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "gps/saga/record.h"

namespace gps::engine {

struct InboundAnnounce {
  protocol::VerifiedAnnounce announce;
};
struct InboundAck {
  protocol::Ack ack;
};
struct InboundCommand {
  protocol::OperatorCommand command;
  saga::ReplyTarget reply;
};
struct InboundResult {
  protocol::JobId job;
  protocol::JobResult result;
};
using Inbound = std::variant<InboundAnnounce, InboundAck, InboundCommand, InboundResult>;

// The kind of message a topic carries, for counters: "announce", "ack", "command", "result" or
// "unknown".
std::string_view InboundKind(std::string_view topic);

Result<Inbound> ParseInbound(const mqtt::Message& message);

// Checks an ack against its device's saga as stored: the device must be known, and the signature
// must verify with the key the device announced. FailedPrecondition or PermissionDenied otherwise.
Status VerifyInboundAck(const InboundAck& in, const std::optional<saga::Saga>& stored);

// The device an inbound item concerns.
const std::string& DeviceOf(const Inbound& in);

}  // namespace gps::engine
