#include "gps/protocol/step_results.h"

#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"

namespace gps::protocol {

namespace {

constexpr std::size_t kMaxDataBytes = kMaxResultBytes;
constexpr std::size_t kMaxSealedB64 = 16 * 1024;

Result<std::string> SealedField(const json::Value& root, std::string_view key, bool required) {
  GPS_ASSIGN_OR_RETURN(std::string b64, root.GetStringOr(key, "", kMaxSealedB64));
  if (b64.empty()) {
    if (required) {
      return Status::InvalidArgument(root.path() + "." + std::string(key) + ": missing");
    }
    return std::string();
  }
  Result<std::string> raw = crypto::Base64Decode(b64);
  if (!raw.ok()) {
    return Status::InvalidArgument(root.path() + "." + std::string(key) + ": not base64");
  }
  return raw;
}

}  // namespace

std::string EncodeNameCheck(const NameCheckResult& r) {
  json::Writer w;
  w.BeginObject()
      .Field("available", r.available)
      .Field("detail", CapText(r.detail, kMaxErrorTextBytes))
      .EndObject();
  return w.Take();
}

Result<NameCheckResult> ParseNameCheck(std::string_view data_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(data_json, kMaxDataBytes, "data"));
  NameCheckResult r;
  GPS_ASSIGN_OR_RETURN(r.available, doc.Root().GetBool("available"));
  GPS_ASSIGN_OR_RETURN(r.detail, doc.Root().GetStringOr("detail", "", kMaxErrorTextBytes));
  return r;
}

std::string EncodeMenderProvision(const MenderProvisionResult& r) {
  json::Writer w;
  w.BeginObject().Field("menderDeviceId", r.mender_device_id).EndObject();
  return w.Take();
}

Result<MenderProvisionResult> ParseMenderProvision(std::string_view data_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(data_json, kMaxDataBytes, "data"));
  MenderProvisionResult r;
  GPS_ASSIGN_OR_RETURN(r.mender_device_id, doc.Root().GetString("menderDeviceId", 128));
  if (r.mender_device_id.empty()) {
    return Status::InvalidArgument("data.menderDeviceId: empty");
  }
  return r;
}

std::string EncodeDpsProvision(const DpsProvisionResult& r) {
  json::Writer w;
  w.BeginObject()
      .Field("registrationId", r.registration_id)
      .Field("idScope", r.id_scope)
      .Field("globalEndpoint", r.global_endpoint)
      .Field("sealedSymmetricKey", crypto::Base64Encode(r.sealed_symmetric_key))
      .EndObject();
  return w.Take();
}

Result<DpsProvisionResult> ParseDpsProvision(std::string_view data_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(data_json, kMaxDataBytes, "data"));
  json::Value root = doc.Root();
  DpsProvisionResult r;
  GPS_ASSIGN_OR_RETURN(r.registration_id, root.GetString("registrationId", 128));
  GPS_ASSIGN_OR_RETURN(r.id_scope, root.GetString("idScope", 64));
  GPS_ASSIGN_OR_RETURN(r.global_endpoint, root.GetString("globalEndpoint", 256));
  GPS_ASSIGN_OR_RETURN(r.sealed_symmetric_key, SealedField(root, "sealedSymmetricKey", true));
  if (r.registration_id.empty() || r.id_scope.empty() || r.global_endpoint.empty()) {
    return Status::InvalidArgument("data: registrationId, idScope and globalEndpoint are required");
  }
  return r;
}

std::string EncodeVaultProvision(const VaultProvisionResult& r) {
  json::Writer w;
  w.BeginObject().Field("certificate", r.certificate_pem).Key("caChain").BeginArray();
  for (const std::string& c : r.ca_chain_pem) {
    w.String(c);
  }
  w.EndArray().Field("serial", r.serial).Field("expiration", r.expiration);
  if (!r.sealed_private_key.empty()) {
    w.Field("sealedPrivateKey", crypto::Base64Encode(r.sealed_private_key));
  }
  w.EndObject();
  return w.Take();
}

Result<VaultProvisionResult> ParseVaultProvision(std::string_view data_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(data_json, kMaxDataBytes, "data"));
  json::Value root = doc.Root();
  VaultProvisionResult r;
  GPS_ASSIGN_OR_RETURN(r.certificate_pem, root.GetString("certificate", kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> chain, root.GetArray("caChain"));
  if (chain.empty() || chain.size() > 8) {
    return Status::InvalidArgument("data.caChain: expected 1 to 8 certificates");
  }
  for (const json::Value& c : chain) {
    GPS_ASSIGN_OR_RETURN(std::string pem, c.AsString(kMaxPemBytes));
    r.ca_chain_pem.push_back(std::move(pem));
  }
  GPS_ASSIGN_OR_RETURN(r.serial, root.GetString("serial", 128));
  GPS_ASSIGN_OR_RETURN(r.expiration, root.GetInt("expiration"));
  GPS_ASSIGN_OR_RETURN(r.sealed_private_key, SealedField(root, "sealedPrivateKey", false));
  return r;
}

std::string EncodeHubManifest(const HubManifestResult& r) {
  json::Writer w;
  w.BeginObject().Field("hubDeviceId", r.hub_device_id);
  if (r.applied) {
    w.Field("applied", true);
  }
  if (r.waiting) {
    w.Field("waiting", true);
  }
  w.EndObject();
  return w.Take();
}

Result<HubManifestResult> ParseHubManifest(std::string_view data_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(data_json, kMaxDataBytes, "data"));
  json::Value root = doc.Root();
  HubManifestResult r;
  GPS_ASSIGN_OR_RETURN(r.hub_device_id, root.GetString("hubDeviceId", 128));
  if (r.hub_device_id.empty()) {
    return Status::InvalidArgument("data.hubDeviceId: empty");
  }
  GPS_ASSIGN_OR_RETURN(r.applied, root.GetBoolOr("applied", false));
  GPS_ASSIGN_OR_RETURN(r.waiting, root.GetBoolOr("waiting", false));
  if (r.applied && r.waiting) {
    return Status::InvalidArgument("data: applied and waiting exclude each other");
  }
  return r;
}

bool IsWaitingForHubDevice(const JobResult& result) {
  if (!result.outcome.retryable()) {
    return false;
  }
  Result<HubManifestResult> data = ParseHubManifest(result.data_json);
  return data.ok() && data->waiting;
}

}  // namespace gps::protocol
