#include "engine/shell/inbound.h"

#include "gps/protocol/topics.h"

namespace gps::engine {

namespace {

Result<Inbound> ParseDeviceMessage(const mqtt::Message& m, const protocol::ParsedDeviceTopic& t) {
  switch (t.kind) {
    case protocol::DeviceTopicKind::kAnnounce: {
      GPS_ASSIGN_OR_RETURN(protocol::Announce a, protocol::ParseAnnounce(m.payload));
      GPS_ASSIGN_OR_RETURN(protocol::VerifiedAnnounce v,
                           protocol::VerifyAnnounce(std::move(a), t.device_id));
      return Inbound(InboundAnnounce{std::move(v)});
    }
    case protocol::DeviceTopicKind::kAck: {
      GPS_ASSIGN_OR_RETURN(protocol::Ack ack, protocol::ParseAck(m.payload));
      if (ack.device_id != t.device_id) {
        return Status::PermissionDenied("ack for device " + ack.device_id.substr(0, 12) +
                                        " arrived on another device's topic");
      }
      return Inbound(InboundAck{std::move(ack)});
    }
    default:
      return Status::InvalidArgument("the engine does not take messages on " + m.topic);
  }
}

Result<Inbound> ParseCommandMessage(const mqtt::Message& m, const std::string& name) {
  GPS_ASSIGN_OR_RETURN(protocol::CommandKind kind, protocol::ParseCommandName(name));
  // Replies may only go to a requester's reply topic, never to a device or job topic.
  std::string reply_prefix = protocol::ReplyTopic("");
  if (m.response_topic.size() <= reply_prefix.size() ||
      m.response_topic.compare(0, reply_prefix.size(), reply_prefix) != 0 ||
      m.response_topic.find_first_of("+#", reply_prefix.size()) != std::string::npos) {
    return Status::InvalidArgument("command without a response topic under " + reply_prefix);
  }
  if (m.correlation_data.empty() || m.correlation_data.size() > 128) {
    return Status::InvalidArgument("command without correlation data (1..128 bytes)");
  }
  GPS_ASSIGN_OR_RETURN(protocol::OperatorCommand c, protocol::ParseCommand(kind, m.payload));
  return Inbound(InboundCommand{std::move(c), {m.response_topic, m.correlation_data}});
}

Result<Inbound> ParseResultMessage(const mqtt::Message& m, std::string_view step) {
  GPS_ASSIGN_OR_RETURN(protocol::JobId id, protocol::ParseJobId(m.correlation_data));
  if (protocol::StepName(id.step) != step) {
    return Status::InvalidArgument("result for step " + std::string(protocol::StepName(id.step)) +
                                   " arrived on the " + std::string(step) + " results topic");
  }
  GPS_ASSIGN_OR_RETURN(protocol::JobResult r, protocol::ParseJobResult(m.payload));
  return Inbound(InboundResult{std::move(id), std::move(r)});
}

}  // namespace

std::string_view InboundKind(std::string_view topic) {
  if (auto t = protocol::ParseDeviceTopic(topic)) {
    return t->kind == protocol::DeviceTopicKind::kAnnounce ? "announce"
           : t->kind == protocol::DeviceTopicKind::kAck    ? "ack"
                                                           : "unknown";
  }
  if (protocol::ParseCommandTopic(topic)) {
    return "command";
  }
  std::string results = protocol::ResultTopic("");
  if (topic.substr(0, results.size()) == results) {
    return "result";
  }
  return "unknown";
}

Result<Inbound> ParseInbound(const mqtt::Message& m) {
  if (auto t = protocol::ParseDeviceTopic(m.topic)) {
    return ParseDeviceMessage(m, *t);
  }
  if (auto name = protocol::ParseCommandTopic(m.topic)) {
    return ParseCommandMessage(m, *name);
  }
  std::string results = protocol::ResultTopic("");
  if (m.topic.size() > results.size() && m.topic.compare(0, results.size(), results) == 0) {
    return ParseResultMessage(m, std::string_view(m.topic).substr(results.size()));
  }
  return Status::InvalidArgument("the engine does not take messages on " + m.topic);
}

Status VerifyInboundAck(const InboundAck& in, const std::optional<saga::Saga>& stored) {
  if (!stored) {
    return Status::FailedPrecondition("ack from a device the engine does not know");
  }
  return protocol::VerifyAck(in.ack, in.ack.device_id, stored->pubkey_pem);
}

const std::string& DeviceOf(const Inbound& in) {
  return std::visit(
      [](const auto& v) -> const std::string& {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, InboundAnnounce>) {
          return v.announce.announce.device_id;
        } else if constexpr (std::is_same_v<T, InboundAck>) {
          return v.ack.device_id;
        } else if constexpr (std::is_same_v<T, InboundCommand>) {
          return v.command.device_id;
        } else {
          return v.job.device_id;
        }
      },
      in);
}

}  // namespace gps::engine
