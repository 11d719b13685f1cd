#include "cloudsim/dps/enrollment.h"

#include "cloudsim/server/json_fields.h"
#include "gps/core/text.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim::dps {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Result<std::optional<std::string>> OptionalObject(const json::Value& obj, std::string_view key) {
  std::optional<json::Value> v = obj.Find(key);
  if (!v) {
    return std::optional<std::string>();
  }
  if (!v->IsObject()) {
    return Status::InvalidArgument("'" + std::string(key) + "' must be an object");
  }
  return std::optional<std::string>(v->Serialize());
}

}  // namespace

Status ValidateRegistrationId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return Status::InvalidArgument("The registration ID must be 1 to 128 characters long.");
  }
  if (!IsAlnum(id.front()) || !IsAlnum(id.back())) {
    return Status::InvalidArgument("The registration ID '" + std::string(id) +
                                   "' must begin and end with an alphanumeric character.");
  }
  for (char c : id) {
    if (!IsAlnum(c) && c != ':' && c != '.' && c != '_' && c != '-') {
      return Status::InvalidArgument(
          "The registration ID '" + std::string(id) +
          "' is invalid: only alphanumeric characters and : . _ - are allowed.");
    }
  }
  return Status::Ok();
}

Status ValidateDeviceId(std::string_view id) {
  if (id.empty() || id.size() > 128) {
    return Status::InvalidArgument("The device ID must be 1 to 128 characters long.");
  }
  for (char c : id) {
    if (!IsAlnum(c) && std::string_view("-.+%_#*?!(),:=@$'").find(c) == std::string_view::npos) {
      return Status::InvalidArgument("The device ID '" + std::string(id) +
                                     "' contains a character that is not allowed.");
    }
  }
  return Status::Ok();
}

Status ValidateSymmetricKey(std::string_view key, std::string_view which) {
  Result<std::string> raw = crypto::Base64Decode(key);
  if (!raw.ok()) {
    return Status::InvalidArgument("The " + std::string(which) + " is not valid base64.");
  }
  if (raw->size() < 16 || raw->size() > 64) {
    return Status::InvalidArgument("The " + std::string(which) +
                                   " must decode to between 16 and 64 bytes, not " +
                                   std::to_string(raw->size()) + ".");
  }
  return Status::Ok();
}

Result<DpsEnrollment> ParseEnrollment(std::string_view body, std::string_view path_id) {
  Result<json::Document> doc = json::ParseObject(body, kMaxBodyBytes, "enrollment");
  if (!doc.ok()) {
    return Status::InvalidArgument("The request body could not be parsed: " +
                                   doc.status().message());
  }
  json::Value root = doc->Root();
  DpsEnrollment e;
  GPS_ASSIGN_OR_RETURN(e.registration_id, OptionalString(root, "registrationId"));
  if (e.registration_id.empty()) {
    return Status::InvalidArgument("The registrationId is required.");
  }
  GPS_RETURN_IF_ERROR(ValidateRegistrationId(e.registration_id));
  if (!EqualsIgnoreCase(e.registration_id, path_id)) {
    return Status::InvalidArgument("The registrationId '" + e.registration_id +
                                   "' in the body does not match the id '" + std::string(path_id) +
                                   "' in the path.");
  }
  GPS_ASSIGN_OR_RETURN(e.device_id, OptionalString(root, "deviceId"));
  if (e.device_id.empty()) {
    e.device_id = e.registration_id;
  }
  GPS_RETURN_IF_ERROR(ValidateDeviceId(e.device_id));

  std::optional<json::Value> att = root.Find("attestation");
  if (!att || !att->IsObject()) {
    return Status::InvalidArgument("The attestation mechanism is required.");
  }
  GPS_ASSIGN_OR_RETURN(e.attestation_type, OptionalString(*att, "type"));
  if (e.attestation_type.empty()) {
    return Status::InvalidArgument("The attestation type is required.");
  }
  if (e.attestation_type == "tpm" || e.attestation_type == "x509" || e.attestation_type == "none") {
    return Status::InvalidArgument("Attestation type '" + e.attestation_type +
                                   "' is not supported by gps-cloudsim (symmetricKey only).");
  }
  if (e.attestation_type != "symmetricKey") {
    return Status::InvalidArgument("Unknown attestation type '" + e.attestation_type + "'.");
  }
  if (std::optional<json::Value> sk = att->Find("symmetricKey")) {
    if (!sk->IsObject()) {
      return Status::InvalidArgument("'symmetricKey' must be an object");
    }
    GPS_ASSIGN_OR_RETURN(e.primary_key, OptionalString(*sk, "primaryKey"));
    GPS_ASSIGN_OR_RETURN(e.secondary_key, OptionalString(*sk, "secondaryKey"));
    if (!e.primary_key.empty()) {
      GPS_RETURN_IF_ERROR(ValidateSymmetricKey(e.primary_key, "primary key"));
    }
    if (!e.secondary_key.empty()) {
      GPS_RETURN_IF_ERROR(ValidateSymmetricKey(e.secondary_key, "secondary key"));
    }
  }

  if (std::optional<json::Value> caps = root.Find("capabilities")) {
    if (!caps->IsObject()) {
      return Status::InvalidArgument("'capabilities' must be an object");
    }
    Result<bool> edge = caps->GetBool("iotEdge");
    if (!edge.ok()) {
      return Status::InvalidArgument("capabilities.iotEdge is required and must be a boolean");
    }
    e.iot_edge = *edge;
  }
  GPS_ASSIGN_OR_RETURN(e.provisioning_status, OptionalString(root, "provisioningStatus"));
  if (e.provisioning_status.empty()) {
    e.provisioning_status = "enabled";
  }
  if (e.provisioning_status != "enabled" && e.provisioning_status != "disabled") {
    return Status::InvalidArgument("provisioningStatus must be 'enabled' or 'disabled'");
  }
  GPS_ASSIGN_OR_RETURN(e.initial_twin_json, OptionalObject(root, "initialTwin"));
  if (e.initial_twin_json) {
    json::Value twin = root.Find("initialTwin").value();
    for (const auto& [key, value] : twin.Members().value_or({})) {
      if (key != "tags" && key != "properties") {
        return Status::InvalidArgument("initialTwin may only contain 'tags' and 'properties'");
      }
      if (!value.IsObject() && !value.IsNull()) {
        return Status::InvalidArgument("initialTwin." + key + " must be an object");
      }
    }
  }
  GPS_ASSIGN_OR_RETURN(std::string hub, OptionalString(root, "iotHubHostName"));
  if (!hub.empty()) {
    e.iot_hub_host_name = hub;
  }
  if (std::optional<json::Value> hubs = root.Find("iotHubs")) {
    if (!hubs->IsArray()) {
      return Status::InvalidArgument("'iotHubs' must be an array of host names");
    }
    for (const json::Value& h : hubs->AsArray().value_or({})) {
      if (!h.IsString()) {
        return Status::InvalidArgument("'iotHubs' must be an array of host names");
      }
    }
    e.iot_hubs_json = hubs->Serialize();
  }
  GPS_ASSIGN_OR_RETURN(e.allocation_policy, OptionalString(root, "allocationPolicy"));
  if (e.allocation_policy.empty()) {
    e.allocation_policy = "hashed";
  }
  if (e.allocation_policy != "hashed" && e.allocation_policy != "geoLatency" &&
      e.allocation_policy != "static" && e.allocation_policy != "custom") {
    return Status::InvalidArgument("allocationPolicy must be hashed, geoLatency, static or custom");
  }
  e.reprovision_policy_json = R"({"updateHubAssignment":true,"migrateDeviceData":true})";
  if (std::optional<json::Value> rp = root.Find("reprovisionPolicy")) {
    if (!rp->IsObject()) {
      return Status::InvalidArgument("'reprovisionPolicy' must be an object");
    }
    Result<bool> update = rp->GetBoolOr("updateHubAssignment", true);
    Result<bool> migrate = rp->GetBoolOr("migrateDeviceData", true);
    if (!update.ok() || !migrate.ok()) {
      return Status::InvalidArgument("reprovisionPolicy fields must be booleans");
    }
    json::Writer w;
    w.BeginObject()
        .Field("updateHubAssignment", *update)
        .Field("migrateDeviceData", *migrate)
        .EndObject();
    e.reprovision_policy_json = w.Take();
  }
  GPS_ASSIGN_OR_RETURN(e.custom_allocation_json,
                       OptionalObject(root, "customAllocationDefinition"));
  GPS_ASSIGN_OR_RETURN(e.optional_device_information_json,
                       OptionalObject(root, "optionalDeviceInformation"));
  return e;
}

void WriteAttestation(json::Writer& w, const DpsEnrollment& e) {
  w.BeginObject();
  w.Field("type", e.attestation_type);
  w.Key("symmetricKey").BeginObject();
  w.Field("primaryKey", e.primary_key);
  w.Field("secondaryKey", e.secondary_key);
  w.EndObject();
  w.EndObject();
}

void WriteRegistration(json::Writer& w, const DpsRegistration& r) {
  w.BeginObject();
  w.Field("registrationId", r.registration_id);
  w.Field("createdDateTimeUtc", r.created);
  if (!r.assigned_hub.empty()) {  // a disabled registration names no hub and no device
    w.Field("assignedHub", r.assigned_hub);
    w.Field("deviceId", r.device_id);
  }
  w.Field("status", r.status);
  if (!r.substatus.empty()) {
    w.Field("substatus", r.substatus);
  }
  w.Field("lastUpdatedDateTimeUtc", r.updated);
  w.Field("etag", r.etag);
  w.EndObject();
}

void WriteEnrollment(json::Writer& w, const DpsEnrollment& e, const DpsRegistration* registration) {
  w.BeginObject();
  w.Field("registrationId", e.registration_id);
  w.Field("deviceId", e.device_id);
  if (registration != nullptr) {
    w.Key("registrationState");
    WriteRegistration(w, *registration);
  }
  w.Key("attestation");
  WriteAttestation(w, e);
  w.Key("capabilities").BeginObject().Field("iotEdge", e.iot_edge).EndObject();
  if (e.iot_hub_host_name) {
    w.Field("iotHubHostName", *e.iot_hub_host_name);
  }
  if (e.initial_twin_json) {
    w.Key("initialTwin").Raw(*e.initial_twin_json);
  }
  w.Field("etag", e.etag);
  w.Field("provisioningStatus", e.provisioning_status);
  w.Key("reprovisionPolicy").Raw(e.reprovision_policy_json);
  w.Field("createdDateTimeUtc", e.created);
  w.Field("lastUpdatedDateTimeUtc", e.updated);
  w.Field("allocationPolicy", e.allocation_policy);
  if (e.iot_hubs_json) {
    w.Key("iotHubs").Raw(*e.iot_hubs_json);
  }
  if (e.custom_allocation_json) {
    w.Key("customAllocationDefinition").Raw(*e.custom_allocation_json);
  }
  if (e.optional_device_information_json) {
    w.Key("optionalDeviceInformation").Raw(*e.optional_device_information_json);
  }
  w.EndObject();
}

}  // namespace gps::cloudsim::dps
