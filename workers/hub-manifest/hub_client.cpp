#include "workers/hub-manifest/hub_client.h"

#include <algorithm>
#include <cctype>

#include "gps/azure/sas_token.h"
#include "gps/azure/service_settings.h"
#include "gps/core/text.h"
#include "gps/crypto/encoding.h"
#include "gps/http/deadline_send.h"
#include "gps/json/json.h"
#include "gps/process/settings.h"

namespace gps::worker::hub {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr std::size_t kMaxDeviceId = 128;
constexpr std::size_t kMaxErrorCode = 64;
constexpr std::size_t kMaxEtag = 128;

std::string DeviceUrl(const HubSettings& s, std::string_view device_id, std::string_view suffix) {
  return s.url + "/devices/" + crypto::UrlEncode(device_id) + std::string(suffix) +
         "?api-version=" + crypto::UrlEncode(s.api_version);
}

Result<http::Request> BaseRequest(const HubSettings& s, std::string method, std::string url,
                                  Instant now) {
  GPS_ASSIGN_OR_RETURN(http::Request r,
                       azure::SignedRequest(s.host, s.policy_name, s.policy_key, std::move(method),
                                            std::move(url), now, kSasLifetimeS, "hub-manifest"));
  r.timeout_ms = s.timeout_ms;
  r.ca_file = s.ca_file;
  return r;
}

// "DeviceNotFound" from "ErrorCode:DeviceNotFound;Device gw-1 not registered".
std::string CodeFromMessage(std::string_view message) {
  constexpr std::string_view kPrefix = "ErrorCode:";
  if (message.substr(0, kPrefix.size()) == kPrefix) {
    message.remove_prefix(kPrefix.size());
    return std::string(message.substr(0, std::min(message.find(';'), kMaxErrorCode)));
  }
  // The other shape: Message is itself JSON, {"errorCode":404001,"message":...}.
  Result<json::Document> inner = json::ParseObject(message, kMaxBodyBytes, "error message");
  if (inner.ok()) {
    if (Result<std::int64_t> code = inner->Root().GetInt("errorCode"); code.ok()) {
      return std::to_string(*code);
    }
  }
  return "";
}

}  // namespace

void AddHubSettings(config::Table& table, HubSettings* s) {
  table.Add(
      "GPS_HUB_URL", &s->url, "",
      "IoT Hub service API base URL (empty: https://<GPS_HUB_HOST>; set it for a local stand-in)");
  table.Add("GPS_HUB_HOST", &s->host, "",
            "IoT Hub host name the SAS token is signed for, e.g. myhub.azure-devices.net "
            "(required)");
  table.Add("GPS_HUB_POLICY_NAME", &s->policy_name, "iothubowner",
            "IoT Hub shared access policy name (needs RegistryRead, RegistryWrite and "
            "ServiceConnect)");
  table.AddSecret("GPS_HUB_POLICY_KEY", &s->policy_key,
                  "key of that shared access policy, base64 as the Azure portal shows it");
  table.Add("GPS_HUB_API_VERSION", &s->api_version, "2021-04-12", "IoT Hub service API version");
  table.Add("GPS_HUB_MANIFEST_TEMPLATE", &s->manifest_file, "",
            "deployment manifest template, {\"modulesContent\": {...}} with ${DEVICE_NAME}, "
            "${DEVICE_ID}, ${MENDER_DEVICE_ID} in string values; checked against the IoT Edge "
            "deployment schemas at start-up (required)");
  table.Add("GPS_HUB_WAIT_RETRY_S", &s->wait_retry_s, 60,
            "while a gateway is not in IoT Hub yet, ask the engine to look again after at least "
            "this many seconds (each look is one identity registry operation)",
            1, 24 * 3600);
  table.Add("GPS_HUB_THROTTLE_RETRY_S", &s->throttle_retry_s, 10,
            "after a 429 without Retry-After, ask the engine to wait at least this many seconds", 1,
            3600);
  process::AddHttpClientSettings(table, "IoT Hub", &s->timeout_ms, &s->ca_file);
  table.AddCheck([s] { return ValidateHubSettings(s); });
}

Status ValidateHubSettings(HubSettings* s) {
  GPS_RETURN_IF_ERROR(azure::ValidateServiceSettings(
      {&s->host, &s->url, &s->policy_name, &s->policy_key, &s->api_version}, "GPS_HUB",
      "myhub.azure-devices.net", "2021-04-12"));
  if (s->manifest_file.empty()) {
    return Status::InvalidArgument(
        "GPS_HUB_MANIFEST_TEMPLATE: required, the path of the deployment manifest template");
  }
  Result<ManifestTemplate> manifest = ManifestTemplate::Load(s->manifest_file);
  if (!manifest.ok()) {
    return Status::InvalidArgument("GPS_HUB_MANIFEST_TEMPLATE: " + manifest.status().message());
  }
  s->manifest = std::move(manifest).value();
  return Status::Ok();
}

Result<http::Request> GetDeviceRequest(const HubSettings& s, std::string_view device_id,
                                       Instant now) {
  return BaseRequest(s, "GET", DeviceUrl(s, device_id, ""), now);
}

Result<http::Request> ApplyConfigurationRequest(const HubSettings& s, std::string_view device_id,
                                                std::string body, Instant now) {
  GPS_ASSIGN_OR_RETURN(
      http::Request r,
      BaseRequest(s, "POST", DeviceUrl(s, device_id, "/applyConfigurationContent"), now));
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = std::move(body);
  return r;
}

Result<http::Request> UpdateDeviceRequest(const HubSettings& s, std::string_view device_id,
                                          std::string_view etag, std::string body, Instant now) {
  if (!IsUsableEtag(etag)) {
    return Status::InvalidArgument("update device " + std::string(device_id) + ": etag " +
                                   json::Quote(etag) + " cannot go into If-Match");
  }
  GPS_ASSIGN_OR_RETURN(http::Request r, BaseRequest(s, "PUT", DeviceUrl(s, device_id, ""), now));
  r.headers.push_back({"Content-Type", "application/json"});
  // The registry compares quoted etags; a bare one would never match (cloud-apis.md 2.4, 4.5).
  r.headers.push_back(
      {"If-Match", etag.front() == '"' ? std::string(etag) : "\"" + std::string(etag) + "\""});
  r.body = std::move(body);
  return r;
}

Result<HubDevice> ParseDevice(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(body, kMaxBodyBytes, "device"));
  json::Value root = doc.Root();
  HubDevice d;
  GPS_ASSIGN_OR_RETURN(d.device_id, root.GetString("deviceId", kMaxDeviceId));
  GPS_ASSIGN_OR_RETURN(d.status, root.GetStringOr("status", "", 32));
  GPS_ASSIGN_OR_RETURN(d.etag, root.GetStringOr("etag", "", kMaxEtag + 2));
  if (std::optional<json::Value> caps = root.Find("capabilities")) {
    if (!caps->IsObject()) {
      return Status::InvalidArgument(caps->path() + ": expected object, got " +
                                     std::string(caps->TypeName()));
    }
    GPS_ASSIGN_OR_RETURN(d.iot_edge, caps->GetBoolOr("iotEdge", false));
  }
  return d;
}

bool IsUsableEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  if (etag.empty() || etag.size() > kMaxEtag) {
    return false;
  }
  return std::all_of(etag.begin(), etag.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '"'; });
}

Result<std::string> DisabledDeviceBody(std::string_view device_json, std::string_view reason) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(device_json, kMaxBodyBytes, "device"));
  GPS_ASSIGN_OR_RETURN(auto members, doc.Root().Members());
  json::Writer w;
  w.BeginObject();
  for (const auto& [key, value] : members) {
    if (key != "status" && key != "statusReason") {
      w.Key(key).Raw(value.Serialize());
    }
  }
  w.Field("status", "disabled").Field("statusReason", reason);
  w.EndObject();
  return w.Take();
}

std::string HubErrorCode(const http::Response& response) {
  if (std::optional<std::string> header = response.HeaderValue("iothub-errorcode")) {
    std::string_view code = TrimBlanks(*header);
    if (!code.empty()) {
      return std::string(code.substr(0, kMaxErrorCode));
    }
  }
  Result<json::Document> doc = json::ParseObject(response.body, kMaxBodyBytes, "error body");
  if (!doc.ok()) {
    return "";
  }
  Result<std::string> message = doc->Root().GetStringOr("Message", "", kMaxBodyBytes);
  return message.ok() ? CodeFromMessage(*message) : "";
}

HubClient::HubClient(HubSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

Result<http::Response> HubClient::Send(Result<http::Request> request, Instant deadline) const {
  // The builders can fail (a SAS token from a bad key); such a request is never sent.
  if (!request.ok()) {
    return request.status();
  }
  return http::SendBefore(std::move(request).value(), deadline, clock_);
}

Result<http::Response> HubClient::GetDevice(std::string_view device_id, Instant deadline) const {
  return Send(GetDeviceRequest(settings_, device_id, clock_.Now()), deadline);
}

Result<http::Response> HubClient::ApplyConfiguration(std::string_view device_id, std::string body,
                                                     Instant deadline) const {
  return Send(ApplyConfigurationRequest(settings_, device_id, std::move(body), clock_.Now()),
              deadline);
}

Result<http::Response> HubClient::UpdateDevice(std::string_view device_id, std::string_view etag,
                                               std::string body, Instant deadline) const {
  return Send(UpdateDeviceRequest(settings_, device_id, etag, std::move(body), clock_.Now()),
              deadline);
}

}  // namespace gps::worker::hub
