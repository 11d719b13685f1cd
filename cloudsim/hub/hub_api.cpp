#include "cloudsim/hub/hub_api.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "cloudsim/dps/enrollment.h"
#include "cloudsim/server/azure_auth.h"
#include "cloudsim/server/ids.h"
#include "cloudsim/server/if_match.h"
#include "cloudsim/server/json_fields.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr std::string_view kNever = "0001-01-01T00:00:00Z";

Result<std::string> NewKey() {
  GPS_ASSIGN_OR_RETURN(std::string raw, crypto::RandomBytes(32));
  return crypto::Base64Encode(raw);
}

bool IsThumbprint(std::string_view t) {
  if (t.size() != 40 && t.size() != 64) {
    return false;
  }
  for (char c : t) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// The device described by a PUT body: id, status, authentication and capabilities. Keys left
// out come back empty; the caller generates or keeps them.
Result<HubDevice> ParseDevice(std::string_view body, const std::string& path_id) {
  Result<json::Document> doc = json::ParseObject(body, kMaxBodyBytes, "device");
  if (!doc.ok()) {
    return Status::InvalidArgument(doc.status().message());
  }
  json::Value root = doc->Root();
  HubDevice d;
  GPS_ASSIGN_OR_RETURN(d.device_id, OptionalString(root, "deviceId"));
  if (d.device_id.empty()) {
    return Status::InvalidArgument("DeviceId is required in the request body.");
  }
  if (d.device_id != path_id) {
    return Status::InvalidArgument("DeviceId '" + d.device_id +
                                   "' in the body does not match the device id '" + path_id +
                                   "' in the URI.");
  }
  GPS_ASSIGN_OR_RETURN(d.status, OptionalString(root, "status"));
  if (d.status.empty()) {
    d.status = "enabled";
  }
  if (d.status != "enabled" && d.status != "disabled") {
    return Status::InvalidArgument("Status must be 'enabled' or 'disabled'.");
  }
  GPS_ASSIGN_OR_RETURN(std::string reason, OptionalString(root, "statusReason"));
  if (reason.size() > 128) {
    return Status::InvalidArgument("StatusReason is longer than 128 characters.");
  }
  if (!reason.empty()) {
    d.status_reason = reason;
  }
  d.auth_type = "sas";
  if (std::optional<json::Value> auth = root.Find("authentication")) {
    if (!auth->IsObject()) {
      return Status::InvalidArgument("'authentication' must be an object");
    }
    GPS_ASSIGN_OR_RETURN(std::string type, OptionalString(*auth, "type"));
    if (!type.empty()) {
      d.auth_type = type;
    }
    if (d.auth_type != "sas" && d.auth_type != "selfSigned" &&
        d.auth_type != "certificateAuthority" && d.auth_type != "none") {
      return Status::InvalidArgument("Unknown authentication type '" + d.auth_type + "'.");
    }
    if (std::optional<json::Value> sk = auth->Find("symmetricKey"); sk && sk->IsObject()) {
      GPS_ASSIGN_OR_RETURN(std::string primary, OptionalString(*sk, "primaryKey"));
      GPS_ASSIGN_OR_RETURN(std::string secondary, OptionalString(*sk, "secondaryKey"));
      if (d.auth_type == "sas") {
        if (!primary.empty()) {
          GPS_RETURN_IF_ERROR(dps::ValidateSymmetricKey(primary, "primary key"));
          d.primary_key = primary;
        }
        if (!secondary.empty()) {
          GPS_RETURN_IF_ERROR(dps::ValidateSymmetricKey(secondary, "secondary key"));
          d.secondary_key = secondary;
        }
      }
    }
    if (std::optional<json::Value> tp = auth->Find("x509Thumbprint"); tp && tp->IsObject()) {
      GPS_ASSIGN_OR_RETURN(std::string primary, OptionalString(*tp, "primaryThumbprint"));
      GPS_ASSIGN_OR_RETURN(std::string secondary, OptionalString(*tp, "secondaryThumbprint"));
      if (d.auth_type == "selfSigned") {
        if (!primary.empty()) {
          d.primary_thumbprint = primary;
        }
        if (!secondary.empty()) {
          d.secondary_thumbprint = secondary;
        }
      }
    }
    if (d.auth_type == "selfSigned") {
      if (!d.primary_thumbprint || !IsThumbprint(*d.primary_thumbprint) ||
          (d.secondary_thumbprint && !IsThumbprint(*d.secondary_thumbprint))) {
        return Status::InvalidArgument(
            "A selfSigned device needs x509 thumbprints of 40 or 64 hex digits.");
      }
    }
  }
  if (std::optional<json::Value> caps = root.Find("capabilities")) {
    if (!caps->IsObject()) {
      return Status::InvalidArgument("'capabilities' must be an object");
    }
    Result<bool> edge = caps->GetBoolOr("iotEdge", false);
    if (!edge.ok()) {
      return Status::InvalidArgument("capabilities.iotEdge must be a boolean");
    }
    d.iot_edge = *edge;
  }
  GPS_ASSIGN_OR_RETURN(d.device_scope, OptionalString(root, "deviceScope"));
  return d;
}

// The registry's answer to an If-Match that names another version of the device (the text real
// hubs send, as quoted in Azure/azure-iot-sdk-java#292).
ApiResponse StaleEtag(Instant now) {
  return hub::Error(412, "PreconditionFailed", "Precondition failed: Invalid ETag", now);
}

// Checks a ConfigurationContent body for an edge device; returns the compact JSON to store.
Result<std::string> ParseConfigurationContent(std::string_view body) {
  Result<json::Document> doc = json::ParseObject(body, kMaxBodyBytes, "configuration content");
  if (!doc.ok()) {
    return Status::InvalidArgument(doc.status().message());
  }
  json::Value root = doc->Root();
  bool any = false;
  for (const auto& [key, value] : root.Members().value_or({})) {
    if (key != "modulesContent" && key != "deviceContent" && key != "moduleContent") {
      return Status::InvalidArgument("Unknown configuration content property '" + key + "'.");
    }
    if (!value.IsObject()) {
      return Status::InvalidArgument("'" + key + "' must be an object.");
    }
    for (const auto& [name, part] : value.Members().value_or({})) {
      if (!part.IsObject()) {
        return Status::InvalidArgument(key + "." + name + " must be an object.");
      }
      any = true;
    }
  }
  if (!any) {
    return Status::InvalidArgument("The configuration content is empty.");
  }
  if (std::optional<json::Value> modules = root.Find("modulesContent")) {
    for (std::string_view required : {"$edgeAgent", "$edgeHub"}) {
      std::optional<json::Value> m = modules->Find(required);
      std::optional<json::Value> desired = m ? m->Find("properties.desired") : std::nullopt;
      if (!desired || !desired->IsObject()) {
        return Status::InvalidArgument("modulesContent." + std::string(required) +
                                       " must have a 'properties.desired' object.");
      }
      if (!desired->Has("schemaVersion")) {
        return Status::InvalidArgument("modulesContent." + std::string(required) +
                                       ".properties.desired.schemaVersion is required.");
      }
    }
  }
  return root.Serialize();
}

}  // namespace

namespace hub {

ApiResponse Error(int status, std::string_view name, std::string_view message, Instant now) {
  std::time_t secs = static_cast<std::time_t>(now.ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[96];
  std::snprintf(stamp, sizeof(stamp), "%02d/%02d/%04d %02d:%02d:%02d", tm.tm_mon + 1, tm.tm_mday,
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string tracking = NewUuid();
  tracking.erase(std::remove(tracking.begin(), tracking.end(), '-'), tracking.end());
  json::Writer w;
  w.BeginObject()
      .Field("Message", "ErrorCode:" + std::string(name) + ";" + std::string(message))
      .Field("ExceptionMessage", "Tracking ID:" + tracking + "-G:0-TimeStamp:" + stamp)
      .EndObject();
  ApiResponse r = ApiResponse::Json(status, w.Take());
  r.SetHeader("iothub-errorcode", std::string(name));
  return r;
}

void WriteDevice(json::Writer& w, const HubDevice& d) {
  w.BeginObject();
  w.Field("deviceId", d.device_id);
  w.Field("generationId", d.generation_id);
  w.Field("etag", d.etag);
  w.Field("connectionState", "Disconnected");
  w.Field("status", d.status);
  w.Key("statusReason");
  if (d.status_reason) {
    w.String(*d.status_reason);
  } else {
    w.Null();
  }
  w.Field("connectionStateUpdatedTime", kNever);
  w.Field("statusUpdatedTime", d.status_updated_time);
  w.Field("lastActivityTime", kNever);
  w.Field("cloudToDeviceMessageCount", 0);
  w.Key("authentication").BeginObject();
  w.Key("symmetricKey").BeginObject();
  w.Key("primaryKey");
  d.primary_key ? (void)w.String(*d.primary_key) : (void)w.Null();
  w.Key("secondaryKey");
  d.secondary_key ? (void)w.String(*d.secondary_key) : (void)w.Null();
  w.EndObject();
  w.Key("x509Thumbprint").BeginObject();
  w.Key("primaryThumbprint");
  d.primary_thumbprint ? (void)w.String(*d.primary_thumbprint) : (void)w.Null();
  w.Key("secondaryThumbprint");
  d.secondary_thumbprint ? (void)w.String(*d.secondary_thumbprint) : (void)w.Null();
  w.EndObject();
  w.Field("type", d.auth_type);
  w.EndObject();
  w.Key("capabilities").BeginObject().Field("iotEdge", d.iot_edge).EndObject();
  w.Field("deviceScope", d.device_scope);
  w.Key("parentScopes").BeginArray().EndArray();
  w.EndObject();
}

std::string NextEtag(std::uint64_t* counter) {
  return crypto::Base64Encode(std::to_string(++*counter));
}

std::string NewGenerationId() {
  // 18 decimal digits, like the registry's generation ids.
  std::string id = NewUuid();
  std::string digits;
  for (char c : id) {
    if (c != '-') {
      digits += static_cast<char>('0' + (static_cast<unsigned char>(c) % 10));
    }
  }
  return "6" + digits.substr(0, 17);
}

}  // namespace hub

HubApi::HubApi(HubConfig config, SimState* state, const Clock* clock)
    : config_(std::move(config)), state_(state), clock_(clock) {}

ApiResponse HubApi::Handle(const ApiRequest& request) {
  Instant now = clock_->Now();
  std::optional<std::string> version = request.Query("api-version");
  if (!version || *version != kApiVersion) {
    return hub::Error(400, "InvalidProtocolVersion",
                      version ? "api-version '" + *version +
                                    "' is not supported by gps-cloudsim "
                                    "(2021-04-12 only)"
                              : "The api-version query parameter is required",
                      now);
  }
  Status auth = CheckServiceSas(
      request, SasPolicy{config_.host, config_.policy_name, config_.policy_key}, now.ms / 1000);
  if (!auth.ok()) {
    // The answer says only "Unauthorized", as IoT Hub's does; the reason goes to the log.
    log::Info("request refused", {{"service", "hub"}, {"err", auth.message()}});
    return hub::Error(401, "IotHubUnauthorizedAccess", "Unauthorized", now);
  }
  const std::vector<std::string>& s = request.segments;
  const std::string& m = request.method;
  bool body_method = m == "PUT" || m == "POST" || m == "PATCH";
  if (body_method && !request.body.empty() && ClassifyContentType(request) != MediaType::kJson) {
    return hub::Error(415, "UnsupportedMediaType", "The request body must be application/json",
                      now);
  }
  if (s.size() == 2 && s[0] == "devices") {
    if (m == "GET") {
      return GetDevice(s[1]);
    }
    if (m == "PUT") {
      return PutDevice(request, s[1]);
    }
    if (m == "DELETE") {
      return DeleteDevice(request, s[1]);
    }
    return hub::Error(405, "InvalidOperation", "The requested method is not allowed", now);
  }
  if (s.size() == 3 && s[0] == "devices" && s[2] == "applyConfigurationContent") {
    if (m == "POST") {
      return ApplyConfiguration(request, s[1]);
    }
    return hub::Error(405, "InvalidOperation", "The requested method is not allowed", now);
  }
  return hub::Error(404, "NotFound",
                    "The requested resource is not part of the simulated identity registry", now);
}

ApiResponse HubApi::GetDevice(const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.hub.devices.find(id);
    if (it == data.hub.devices.end()) {
      return hub::Error(404, "DeviceNotFound", "Device " + id + " not registered", now);
    }
    json::Writer w;
    hub::WriteDevice(w, it->second);
    return ApiResponse::Json(200, w.Take());
  });
}

ApiResponse HubApi::PutDevice(const ApiRequest& request, const std::string& id) {
  Instant now = clock_->Now();
  Status valid = dps::ValidateDeviceId(id);
  if (!valid.ok()) {
    return hub::Error(400, "ArgumentInvalid", valid.message(), now);
  }
  Result<HubDevice> parsed = ParseDevice(request.body, id);
  if (!parsed.ok()) {
    return hub::Error(400, "ArgumentInvalid", parsed.status().message(), now);
  }
  HubDevice d = std::move(parsed).value();
  Result<std::string> key1 = NewKey();
  Result<std::string> key2 = NewKey();
  if (!key1.ok() || !key2.ok()) {
    return hub::Error(500, "ServerError", "key generation failed", now);
  }
  std::string stamp = FormatRfc3339(now);
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.hub.devices.find(id);
    IfMatch precondition =
        CheckIfMatch(request, it == data.hub.devices.end() ? "" : it->second.etag);
    if (it == data.hub.devices.end()) {
      if (precondition != IfMatch::kAbsent) {
        return hub::Error(404, "DeviceNotFound", "Device " + id + " not registered", now);
      }
      d.generation_id = hub::NewGenerationId();
      d.status_updated_time = std::string(kNever);
      d.seq = data.hub.next_seq++;
    } else {
      if (precondition == IfMatch::kAbsent) {
        return hub::Error(409, "DeviceAlreadyExists",
                          "A device with ID '" + id + "' is already registered.", now);
      }
      if (precondition == IfMatch::kMismatch) {
        return StaleEtag(now);
      }
      const HubDevice& old = it->second;
      d.generation_id = old.generation_id;
      d.seq = old.seq;
      d.configuration_content_json = old.configuration_content_json;
      d.status_updated_time = old.status != d.status ? stamp : old.status_updated_time;
      if (d.auth_type == "sas" && old.auth_type == "sas") {
        // Keys the update leaves out stay as they were.
        if (!d.primary_key) {
          d.primary_key = old.primary_key;
        }
        if (!d.secondary_key) {
          d.secondary_key = old.secondary_key;
        }
      }
    }
    if (d.auth_type == "sas") {
      if (!d.primary_key) {
        d.primary_key = *key1;
      }
      if (!d.secondary_key) {
        d.secondary_key = *key2;
      }
    }
    if (d.iot_edge) {
      d.device_scope = "ms-azure-iot-edge://" + d.device_id + "-" + d.generation_id;
    }
    d.etag = hub::NextEtag(&data.hub.etag_counter);
    HubDevice& stored = data.hub.devices[id] = std::move(d);
    json::Writer w;
    hub::WriteDevice(w, stored);
    return ApiResponse::Json(200, w.Take());
  });
}

ApiResponse HubApi::DeleteDevice(const ApiRequest& request, const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.hub.devices.find(id);
    if (it == data.hub.devices.end()) {
      return hub::Error(404, "DeviceNotFound", "Device " + id + " not registered", now);
    }
    switch (CheckIfMatch(request, it->second.etag)) {
      case IfMatch::kAbsent:
        return hub::Error(412, "PreconditionFailed",
                          "If-Match is required; send \"*\" to delete unconditionally", now);
      case IfMatch::kMismatch:
        return StaleEtag(now);
      case IfMatch::kAny:
      case IfMatch::kMatch:
        break;
    }
    data.hub.devices.erase(it);
    return ApiResponse::Empty(204);
  });
}

ApiResponse HubApi::ApplyConfiguration(const ApiRequest& request, const std::string& id) {
  Instant now = clock_->Now();
  Result<std::string> content = ParseConfigurationContent(request.body);
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.hub.devices.find(id);
    if (it == data.hub.devices.end()) {
      return hub::Error(404, "DeviceNotFound", "Device " + id + " not registered", now);
    }
    if (!it->second.iot_edge) {
      return hub::Error(400, "ArgumentInvalid", "Device " + id + " is not an Azure IoT Edge device",
                        now);
    }
    if (!content.ok()) {
      return hub::Error(400, "InvalidConfigurationContent", content.status().message(), now);
    }
    it->second.configuration_content_json = *content;
    return ApiResponse::Empty(204);
  });
}

}  // namespace gps::cloudsim
