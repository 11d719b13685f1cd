#include "workers/dps/dps_client.h"

#include <algorithm>
#include <cctype>

#include "gps/azure/sas_token.h"
#include "gps/azure/service_settings.h"
#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/http/deadline_send.h"
#include "gps/json/json.h"
#include "gps/process/settings.h"

namespace gps::worker::dps {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr std::size_t kMinKeyBytes = 16;
constexpr std::size_t kMaxKeyBytes = 64;
constexpr std::size_t kMaxKeyBase64 = 128;
constexpr std::size_t kMaxRegistrationId = 128;
constexpr std::size_t kMaxEtagLength = 256;

std::string EnrollmentUrl(const DpsSettings& s, std::string_view registration_id,
                          std::string_view suffix) {
  return s.url + "/enrollments/" + crypto::UrlEncode(registration_id) + std::string(suffix) +
         "?api-version=" + crypto::UrlEncode(s.api_version);
}

Result<http::Request> BaseRequest(const DpsSettings& s, std::string method, std::string url,
                                  Instant now) {
  GPS_ASSIGN_OR_RETURN(http::Request r,
                       azure::SignedRequest(s.host, s.policy_name, s.policy_key, std::move(method),
                                            std::move(url), now, kSasLifetimeS, "dps"));
  r.timeout_ms = s.timeout_ms;
  r.ca_file = s.ca_file;
  return r;
}

}  // namespace

void AddDpsSettings(config::Table& table, DpsSettings* s) {
  table.Add(
      "GPS_DPS_URL", &s->url, "",
      "DPS service API base URL (empty: https://<GPS_DPS_HOST>; set it for a local stand-in)");
  table.Add("GPS_DPS_HOST", &s->host, "",
            "DPS host name the SAS token is signed for, e.g. mydps.azure-devices-provisioning.net "
            "(required)");
  table.Add("GPS_DPS_POLICY_NAME", &s->policy_name, "provisioningserviceowner",
            "DPS shared access policy name (needs EnrollmentRead and EnrollmentWrite)");
  table.AddSecret("GPS_DPS_POLICY_KEY", &s->policy_key,
                  "key of that shared access policy, base64 as the Azure portal shows it");
  table.Add("GPS_DPS_ID_SCOPE", &s->id_scope, "",
            "DPS ID scope handed to each gateway, e.g. 0ne00000000 (required)");
  table.Add("GPS_DPS_GLOBAL_ENDPOINT", &s->global_endpoint, "global.azure-devices-provisioning.net",
            "DPS device endpoint host handed to each gateway");
  table.Add("GPS_DPS_API_VERSION", &s->api_version, "2021-10-01", "DPS service API version");
  table.Add("GPS_DPS_IOT_HUB_HOST", &s->iot_hub_host, "",
            "IoT Hub host the enrollments are pinned to (iotHubHostName/iotHubs); empty: the DPS "
            "allocation policy decides");
  process::AddHttpClientSettings(table, "DPS", &s->timeout_ms, &s->ca_file);
  table.AddCheck([s] { return ValidateDpsSettings(s); });
}

Status ValidateDpsSettings(DpsSettings* s) {
  GPS_RETURN_IF_ERROR(azure::ValidateServiceSettings(
      {&s->host, &s->url, &s->policy_name, &s->policy_key, &s->api_version}, "GPS_DPS",
      "mydps.azure-devices-provisioning.net", "2021-10-01"));
  if (!azure::IsToken(s->id_scope, "")) {
    return Status::InvalidArgument("GPS_DPS_ID_SCOPE: required, letters and digits");
  }
  if (!azure::IsToken(s->global_endpoint, ".-")) {
    return Status::InvalidArgument("GPS_DPS_GLOBAL_ENDPOINT: a host name is required");
  }
  if (!s->iot_hub_host.empty() && !azure::IsToken(s->iot_hub_host, ".-")) {
    return Status::InvalidArgument("GPS_DPS_IOT_HUB_HOST: not a host name");
  }
  return Status::Ok();
}

Result<SymmetricKeys> GenerateSymmetricKeys() {
  GPS_ASSIGN_OR_RETURN(std::string primary, crypto::RandomBytes(kMaxKeyBytes));
  GPS_ASSIGN_OR_RETURN(std::string secondary, crypto::RandomBytes(kMaxKeyBytes));
  return SymmetricKeys{crypto::Base64Encode(primary), crypto::Base64Encode(secondary)};
}

Status ValidateSymmetricKey(std::string_view key_base64) {
  if (key_base64.size() > kMaxKeyBase64) {
    return Status::InvalidArgument("symmetric key: too long");
  }
  Result<std::string> raw = crypto::Base64Decode(key_base64);
  if (!raw.ok()) {
    return Status::InvalidArgument("symmetric key: not base64");
  }
  if (raw->size() < kMinKeyBytes || raw->size() > kMaxKeyBytes) {
    return Status::InvalidArgument("symmetric key: " + std::to_string(raw->size()) +
                                   " bytes, expected 16 to 64");
  }
  return Status::Ok();
}

std::string EnrollmentBody(const DpsSettings& s, const EnrollmentSpec& spec) {
  json::Writer w;
  w.BeginObject()
      .Field("registrationId", spec.registration_id)
      .Field("deviceId", spec.registration_id);
  w.Key("attestation").BeginObject().Field("type", "symmetricKey");
  w.Key("symmetricKey")
      .BeginObject()
      .Field("primaryKey", spec.keys.primary)
      .Field("secondaryKey", spec.keys.secondary)
      .EndObject();
  w.EndObject();
  w.Key("capabilities").BeginObject().Field("iotEdge", true).EndObject();
  w.Field("provisioningStatus", "enabled");
  w.Key("initialTwin").BeginObject().Key("tags").BeginObject();
  w.Field("gpsDeviceId", spec.gps_device_id).EndObject().EndObject();
  if (!s.iot_hub_host.empty()) {
    w.Field("iotHubHostName", s.iot_hub_host).Field("allocationPolicy", "static");
    w.Key("iotHubs").BeginArray().String(s.iot_hub_host).EndArray();
  }
  w.EndObject();
  return w.Take();
}

Result<http::Request> GetEnrollmentRequest(const DpsSettings& s, std::string_view registration_id,
                                           Instant now) {
  return BaseRequest(s, "GET", EnrollmentUrl(s, registration_id, ""), now);
}

Result<http::Request> PutEnrollmentRequest(const DpsSettings& s, const EnrollmentSpec& spec,
                                           Instant now) {
  GPS_ASSIGN_OR_RETURN(http::Request r,
                       BaseRequest(s, "PUT", EnrollmentUrl(s, spec.registration_id, ""), now));
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = EnrollmentBody(s, spec);
  return r;
}

Result<http::Request> AttestationMechanismRequest(const DpsSettings& s,
                                                  std::string_view registration_id, Instant now) {
  GPS_ASSIGN_OR_RETURN(
      http::Request r,
      BaseRequest(s, "POST", EnrollmentUrl(s, registration_id, "/attestationmechanism"), now));
  // This POST has no body. An empty header value makes libcurl leave out the form content type it
  // would otherwise send with a POST, as the Azure SDKs do.
  r.headers.push_back({"Content-Type", ""});
  return r;
}

Result<http::Request> DeleteEnrollmentRequest(const DpsSettings& s,
                                              std::string_view registration_id,
                                              std::string_view etag, Instant now) {
  GPS_ASSIGN_OR_RETURN(http::Request r,
                       BaseRequest(s, "DELETE", EnrollmentUrl(s, registration_id, ""), now));
  if (!etag.empty()) {
    r.headers.push_back({"If-Match", QuotedEtag(etag)});
  }
  return r;
}

std::string QuotedEtag(std::string_view etag) {
  bool quoted = etag.size() >= 2 && etag.back() == '"' &&
                (etag.front() == '"' || etag.substr(0, 3) == "W/\"");
  return quoted ? std::string(etag) : "\"" + std::string(etag) + "\"";
}

Result<Enrollment> ParseEnrollment(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(body, kMaxBodyBytes, "enrollment"));
  json::Value root = doc.Root();
  Enrollment e;
  GPS_ASSIGN_OR_RETURN(e.registration_id, root.GetString("registrationId", kMaxRegistrationId));
  GPS_ASSIGN_OR_RETURN(e.etag, root.GetStringOr("etag", "", kMaxEtagLength));
  if (HasControlCharacter(e.etag)) {
    return Status::InvalidArgument("enrollment.etag: contains control characters");
  }
  if (std::optional<json::Value> twin = root.Find("initialTwin"); twin && twin->IsObject()) {
    if (std::optional<json::Value> tags = twin->Find("tags"); tags && tags->IsObject()) {
      if (std::optional<json::Value> id = tags->Find("gpsDeviceId"); id && id->IsString()) {
        GPS_ASSIGN_OR_RETURN(e.gps_device_id, id->AsString(128));
      }
    }
  }
  return e;
}

Result<SymmetricKeys> ParseAttestationMechanism(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, kMaxBodyBytes, "attestation mechanism"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::string type, root.GetString("type", 32));
  if (type != "symmetricKey") {
    return Status::InvalidArgument("attestation mechanism: type is '" + type +
                                   "', expected symmetricKey");
  }
  GPS_ASSIGN_OR_RETURN(json::Value sk, root.GetObject("symmetricKey"));
  SymmetricKeys keys;
  GPS_ASSIGN_OR_RETURN(keys.primary, sk.GetString("primaryKey", kMaxKeyBase64));
  GPS_ASSIGN_OR_RETURN(keys.secondary, sk.GetString("secondaryKey", kMaxKeyBase64));
  GPS_RETURN_IF_ERROR(ValidateSymmetricKey(keys.primary).WithContext("primaryKey"));
  GPS_RETURN_IF_ERROR(ValidateSymmetricKey(keys.secondary).WithContext("secondaryKey"));
  return keys;
}

DpsClient::DpsClient(DpsSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

Result<http::Response> DpsClient::Send(Result<http::Request> request, Instant deadline) const {
  // The builders can fail (a SAS token from a bad key); such a request is never sent.
  if (!request.ok()) {
    return request.status();
  }
  return http::SendBefore(std::move(request).value(), deadline, clock_);
}

Result<http::Response> DpsClient::GetEnrollment(std::string_view registration_id,
                                                Instant deadline) const {
  return Send(GetEnrollmentRequest(settings_, registration_id, clock_.Now()), deadline);
}

Result<http::Response> DpsClient::PutEnrollment(const EnrollmentSpec& spec,
                                                Instant deadline) const {
  return Send(PutEnrollmentRequest(settings_, spec, clock_.Now()), deadline);
}

Result<http::Response> DpsClient::DeleteEnrollment(std::string_view registration_id,
                                                   std::string_view etag, Instant deadline) const {
  return Send(DeleteEnrollmentRequest(settings_, registration_id, etag, clock_.Now()), deadline);
}

Result<http::Response> DpsClient::GetAttestationMechanism(std::string_view registration_id,
                                                          Instant deadline) const {
  return Send(AttestationMechanismRequest(settings_, registration_id, clock_.Now()), deadline);
}

}  // namespace gps::worker::dps
