#include "ui/api/handlers.h"

#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/command.h"
#include "gps/protocol/names.h"
#include "ui/api/command_response.h"
#include "ui/api/device_json.h"
#include "ui/api/requests.h"

namespace gps::ui {

namespace {

HttpResponse ReadFailure(const Status& st) {
  // Unavailable: Redis cannot be asked right now. Anything else: a record we cannot read.
  return ErrorResponse(st.IsUnavailable() ? 503 : 500, st.message());
}

}  // namespace

ApiHandlers::ApiHandlers(DeviceReader& devices, Commander& commander, AuditLog& audit,
                         const Clock& clock)
    : devices_(devices), commander_(commander), audit_(audit), clock_(clock) {}

HttpResponse ApiHandlers::Health(const HttpRequest&) {
  Status redis = devices_.Ping();
  bool broker = commander_.IsConnected();
  json::Writer w;
  w.BeginObject();
  if (redis.ok() && broker) {
    w.Field("status", "ok").Field("redis", "ok").Field("broker", "ok").EndObject();
    return JsonResponse(200, w.Take());
  }
  std::string problems;
  if (!redis.ok()) {
    problems = "redis does not answer: " + redis.message();
  }
  if (!broker) {
    problems += (problems.empty() ? "" : "; ") + std::string("not connected to the MQTT broker");
  }
  w.Field("status", "unavailable")
      .Field("error", problems)
      .Field("redis", redis.ok() ? "ok" : redis.message())
      .Field("broker", broker ? "ok" : "not connected")
      .EndObject();
  return JsonResponse(503, w.Take());
}

HttpResponse ApiHandlers::ListDevices(const HttpRequest& request) {
  Result<std::optional<std::string>> state = ParseStateFilter(request.QueryValues("state"));
  if (!state.ok()) {
    return ErrorResponse(400, state.status().message());
  }
  Result<std::vector<DeviceView>> devices = devices_.List();
  if (!devices.ok()) {
    return ReadFailure(devices.status());
  }
  return JsonResponse(200, DeviceListJson(FilterByState(std::move(devices).value(), *state)));
}

HttpResponse ApiHandlers::GetDevice(const HttpRequest&, const std::string& id) {
  if (std::optional<Refusal> bad = CheckDeviceId(id)) {
    return ErrorResponse(*bad);
  }
  Result<std::optional<DeviceView>> device = devices_.Get(id);
  if (!device.ok()) {
    return ReadFailure(device.status());
  }
  if (!*device) {
    return ErrorResponse(404, protocol::kUnknownDeviceMessage);
  }
  return JsonResponse(200, DeviceJson(**device));
}

HttpResponse ApiHandlers::DeviceHistory(const HttpRequest&, const std::string& id) {
  if (std::optional<Refusal> bad = CheckDeviceId(id)) {
    return ErrorResponse(*bad);
  }
  Result<std::optional<DeviceView>> device = devices_.Get(id);
  if (!device.ok() && device.status().IsUnavailable()) {
    return ReadFailure(device.status());
  }
  if (device.ok() && !*device) {
    return ErrorResponse(404, protocol::kUnknownDeviceMessage);
  }
  Result<std::vector<std::string>> entries = devices_.History(id);
  if (!entries.ok()) {
    return ReadFailure(entries.status());
  }
  return JsonArrayResponse(*entries);
}

std::optional<HttpResponse> ApiHandlers::RefuseUnknownDevice(const std::string& id) {
  Result<std::optional<DeviceView>> device = devices_.Get(id);
  if (device.ok() && !*device) {
    return ErrorResponse(404, protocol::kUnknownDeviceMessage);
  }
  return std::nullopt;
}

HttpResponse ApiHandlers::Approve(const HttpRequest& request, const std::string& id,
                                  const Caller& caller) {
  if (std::optional<Refusal> bad = CheckDeviceId(id)) {
    return ErrorResponse(*bad);
  }
  if (std::optional<Refusal> bad = CheckJsonContentType(request.Header("Content-Type"))) {
    return ErrorResponse(*bad);
  }
  if (std::optional<Refusal> bad = CheckBodySize(request.body.size())) {
    return ErrorResponse(*bad);
  }
  Result<ApproveRequest> body = ParseApproveBody(request.body);
  if (!body.ok()) {
    metrics::Inc("ui.approvals_refused_locally");
    return ErrorResponse(400, body.status().message());
  }
  return ApproveAs(id, body->name, caller);
}

HttpResponse ApiHandlers::ApproveAs(const std::string& id, const std::string& name,
                                    const Caller& caller) {
  if (std::optional<Refusal> bad = CheckDeviceId(id)) {
    return ErrorResponse(*bad);
  }
  Status valid = protocol::ValidateDeviceName(name);
  if (!valid.ok()) {
    metrics::Inc("ui.approvals_refused_locally");
    return ErrorResponse(400, "invalid name: " + valid.message());
  }
  if (std::optional<HttpResponse> unknown = RefuseUnknownDevice(id)) {
    return *unknown;
  }
  protocol::OperatorCommand command;
  command.kind = protocol::CommandKind::kApprove;
  command.device_id = id;
  command.name = name;
  command.actor = caller.actor;
  return SendCommand(command);
}

HttpResponse ApiHandlers::Dismiss(const HttpRequest&, const std::string& id, const Caller& caller) {
  return DeviceCommand(id, caller, protocol::CommandKind::kDismiss);
}

HttpResponse ApiHandlers::Retry(const HttpRequest&, const std::string& id, const Caller& caller) {
  return DeviceCommand(id, caller, protocol::CommandKind::kRetry);
}

HttpResponse ApiHandlers::Revoke(const HttpRequest&, const std::string& id, const Caller& caller) {
  return DeviceCommand(id, caller, protocol::CommandKind::kRevoke);
}

HttpResponse ApiHandlers::RunNow(const HttpRequest& request, const std::string& id,
                                 const Caller& caller) {
  Result<RunNowRequest> body = ParseRunNowBody(request.body);
  if (!body.ok()) {
    return ErrorResponse(400, body.status().message());
  }
  return DeviceCommand(id, caller, protocol::CommandKind::kRunNow, body->step);
}

HttpResponse ApiHandlers::DeviceCommand(const std::string& id, const Caller& caller,
                                        protocol::CommandKind kind, std::string step) {
  if (std::optional<Refusal> bad = CheckDeviceId(id)) {
    return ErrorResponse(*bad);
  }
  if (std::optional<HttpResponse> unknown = RefuseUnknownDevice(id)) {
    return *unknown;
  }
  protocol::OperatorCommand command;
  command.kind = kind;
  command.device_id = id;
  command.actor = caller.actor;
  command.step = std::move(step);
  return SendCommand(command);
}

HttpResponse ApiHandlers::SendCommand(const protocol::OperatorCommand& command) {
  Result<protocol::CommandReply> reply = commander_.Send(command);
  HttpResponse response = CommandResponse(reply, commander_.timeout_ms());
  const std::string kind(protocol::CommandName(command.kind));
  metrics::Inc("ui.command_" + kind + "_http_" + std::to_string(response.status));
  std::string engine_answer = reply.ok() ? std::string(protocol::ReplyStatusName(reply->status))
                                         : std::string("none: ") + reply.status().ToString();
  std::string message = reply.ok() ? reply->message : "";
  log::Info("operator command", {{"device_id", command.device_id},
                                 {"command", kind},
                                 {"name", command.name},
                                 {"actor", command.actor},
                                 {"http_status", response.status},
                                 {"reply", engine_answer},
                                 {"message", message}});
  AuditEntry entry;
  entry.at = clock_.Now();
  entry.actor = command.actor;
  entry.action = kind;
  entry.device = command.device_id;
  entry.name = command.step.empty() ? command.name : command.step;
  // The engine's reply status; when none came, what gps-ui could not do.
  entry.outcome = reply.ok() ? std::string(protocol::ReplyStatusName(reply->status))
                  : reply.status().IsDeadlineExceeded() ? "no reply"
                                                        : "not sent";
  entry.message = reply.ok() ? reply->message : reply.status().message();
  audit_.Append(entry);
  return response;
}

}  // namespace gps::ui
