#include "gps/protocol/command.h"

#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"

namespace gps::protocol {

std::string_view CommandName(CommandKind kind) {
  switch (kind) {
    case CommandKind::kApprove:
      return "approve";
    case CommandKind::kDismiss:
      return "dismiss";
    case CommandKind::kRetry:
      return "retry";
    case CommandKind::kRunNow:
      return "run-now";
    case CommandKind::kRevoke:
      return "revoke";
  }
  return "";
}

Result<CommandKind> ParseCommandName(std::string_view text) {
  for (CommandKind k : {CommandKind::kApprove, CommandKind::kDismiss, CommandKind::kRetry,
                        CommandKind::kRunNow, CommandKind::kRevoke}) {
    if (text == CommandName(k)) {
      return k;
    }
  }
  return Status::InvalidArgument("unknown command '" + std::string(text.substr(0, 32)) + "'");
}

std::string EncodeCommand(const OperatorCommand& c) {
  json::Writer w;
  w.BeginObject().Field("v", 1).Field("deviceId", c.device_id);
  if (c.kind == CommandKind::kApprove) {
    w.Field("name", c.name);
  }
  if (c.kind == CommandKind::kRunNow && !c.step.empty()) {
    w.Field("step", c.step);
  }
  w.Field("actor", c.actor).EndObject();
  return w.Take();
}

Result<OperatorCommand> ParseCommand(CommandKind kind, std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(payload, kMaxCommandBytes, "command"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::int64_t version, root.GetInt("v"));
  if (version != 1) {
    return Status::InvalidArgument("command: unsupported version " + std::to_string(version));
  }
  OperatorCommand c;
  c.kind = kind;
  GPS_ASSIGN_OR_RETURN(c.device_id, root.GetString("deviceId", 64));
  if (!IsDeviceId(c.device_id)) {
    return Status::InvalidArgument("command.deviceId: expected 64 lower-case hex characters");
  }
  if (kind == CommandKind::kApprove) {
    GPS_ASSIGN_OR_RETURN(c.name, root.GetString("name", 256));
  }
  if (kind == CommandKind::kRunNow) {
    // Checked against the saga's slots by the engine, like the name's rules.
    GPS_ASSIGN_OR_RETURN(c.step, root.GetStringOr("step", "", 32));
  }
  GPS_ASSIGN_OR_RETURN(c.actor, root.GetStringOr("actor", "", 128));
  return c;
}

std::string_view ReplyStatusName(ReplyStatus s) {
  switch (s) {
    case ReplyStatus::kAccepted:
      return "accepted";
    case ReplyStatus::kInvalid:
      return "invalid";
    case ReplyStatus::kNotFound:
      return "not_found";
    case ReplyStatus::kConflict:
      return "conflict";
    case ReplyStatus::kUnavailable:
      return "unavailable";
  }
  return "invalid";
}

std::string EncodeReply(const CommandReply& r) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("status", ReplyStatusName(r.status))
      .Field("message", CapText(r.message, kMaxErrorTextBytes))
      .EndObject();
  return w.Take();
}

Result<CommandReply> ParseReply(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(payload, kMaxReplyBytes, "reply"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::int64_t version, root.GetInt("v"));
  if (version != 1) {
    return Status::InvalidArgument("reply: unsupported version " + std::to_string(version));
  }
  CommandReply r;
  GPS_ASSIGN_OR_RETURN(std::string status, root.GetString("status", 32));
  bool known = false;
  for (ReplyStatus s : {ReplyStatus::kAccepted, ReplyStatus::kInvalid, ReplyStatus::kNotFound,
                        ReplyStatus::kConflict, ReplyStatus::kUnavailable}) {
    if (status == ReplyStatusName(s)) {
      r.status = s;
      known = true;
    }
  }
  if (!known) {
    return Status::InvalidArgument("reply.status: unknown value");
  }
  GPS_ASSIGN_OR_RETURN(r.message, root.GetStringOr("message", "", kMaxErrorTextBytes));
  return r;
}

}  // namespace gps::protocol
