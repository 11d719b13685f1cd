#include "ui/api/device_json.h"

#include <algorithm>
#include <string_view>

namespace gps::ui {

namespace {

// An RFC 3339 time, or null for an unset one (0).
void TimeOrNull(json::Writer& w, std::string_view key, Instant t) {
  w.Key(key);
  if (t.ms > 0) {
    w.String(FormatRfc3339(t));
  } else {
    w.Null();
  }
}

}  // namespace

void WriteDevice(json::Writer& w, const DeviceView& device) {
  const saga::Saga& s = device.saga;
  w.BeginObject()
      .Field("id", s.device_id)
      .Field("mac", s.mac)
      .Field("fingerprint", s.fingerprint)
      .Field("checkCode", s.check_code)
      .Field("firstSeen", FormatRfc3339(s.first_seen))
      .Field("lastSeen", FormatRfc3339(device.last_seen))
      .Field("state", saga::ApiState(s.phase))
      .Field("phase", saga::PhaseName(s.phase))
      .Field("name", s.name)
      .Field("error", s.last_error)
      .Field("approvedBy", s.approved_by);
  TimeOrNull(w, "approvedAt", s.approved_at);
  w.Field("revokedBy", s.revoked_by);
  TimeOrNull(w, "revokeRequestedAt", s.revoke_requested_at);
  TimeOrNull(w, "revokedAt", s.revoked_at);
  TimeOrNull(w, "deliveredAt", s.delivered_at);
  TimeOrNull(w, "provisionedAt", s.provisioned_at);
  TimeOrNull(w, "updatedAt", s.updated_at);
  w.Field("version", s.version);
  w.Key("steps").BeginObject();
  for (const auto& [slot, step] : s.steps) {
    w.Key(saga::SlotName(slot))
        .BeginObject()
        .Field("status", saga::StepStatusName(step.status))
        .Field("attempt", step.attempt)
        .Field("error", step.last_error);
    TimeOrNull(w, "startedAt", step.started);
    TimeOrNull(w, "finishedAt", step.finished);
    TimeOrNull(w, "deadline",
               step.status == saga::StepStatus::kRunning ? step.deadline : Instant{});
    TimeOrNull(w, "retryAt", step.status == saga::StepStatus::kWaiting ? step.retry_at : Instant{});
    w.EndObject();
  }
  w.EndObject().EndObject();
}

std::string DeviceJson(const DeviceView& device) {
  json::Writer w;
  WriteDevice(w, device);
  return w.Take();
}

std::string DeviceListJson(const std::vector<DeviceView>& devices) {
  json::Writer w;
  w.BeginArray();
  for (const DeviceView& d : devices) {
    WriteDevice(w, d);
  }
  w.EndArray();
  return w.Take();
}

Result<std::optional<std::string>> ParseStateFilter(const std::vector<std::string>& values) {
  if (values.empty()) {
    return std::optional<std::string>();
  }
  std::string expected;
  for (std::string_view s : kApiStates) {
    expected += expected.empty() ? std::string(s) : ", " + std::string(s);
  }
  if (values.size() > 1) {
    return Status::InvalidArgument("state may be given once; expected one of " + expected);
  }
  const std::string& value = values.front();
  if (std::find(std::begin(kApiStates), std::end(kApiStates), value) == std::end(kApiStates)) {
    return Status::InvalidArgument("unknown state '" + value.substr(0, 32) + "'; expected one of " +
                                   expected);
  }
  return std::optional<std::string>(value);
}

std::vector<DeviceView> FilterByState(std::vector<DeviceView> devices,
                                      const std::optional<std::string>& state) {
  if (!state) {
    return devices;
  }
  std::erase_if(devices,
                [&](const DeviceView& d) { return saga::ApiState(d.saga.phase) != *state; });
  return devices;
}

}  // namespace gps::ui
