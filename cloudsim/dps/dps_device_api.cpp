#include "cloudsim/dps/dps_device_api.h"

#include <cctype>
#include <optional>
#include <vector>

#include "cloudsim/dps/dps_api.h"
#include "cloudsim/dps/dps_error_codes.h"
#include "cloudsim/dps/enrollment.h"
#include "cloudsim/hub/dps_registration.h"
#include "cloudsim/server/ids.h"
#include "gps/azure/sas_token.h"
#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

using namespace dps_codes;

// Published device API versions (2021-11-01-preview is what the IoT Edge 1.5 identity service
// sends; a clientCertificateCsr in its body is accepted and no certificate is issued).
constexpr std::string_view kApiVersions[] = {"2018-11-01", "2019-03-31", "2021-06-01", "2021-10-01",
                                             "2021-11-01-preview"};

constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr std::string_view kKeyName = "registration";
// Seconds a client is told to wait before asking for the operation (the 202's retry-after).
constexpr std::string_view kRetryAfterSeconds = "3";

ApiResponse Unauthorized(const std::string& why, Instant now) {
  log::Info("request refused", {{"service", "dps"}, {"err", why}});
  return dps::Error(401, kUnauthorized, "Unauthorized", now);
}

// The same escapes with lower-case hex digits: "%2F" -> "%2f".
std::string LowerCaseEscapes(std::string_view s) {
  std::string out(s);
  for (std::size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] == '%') {
      out[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i + 1])));
      out[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i + 2])));
    }
  }
  return out;
}

// Ok when the token covers resource, has not expired and is signed with one of the enrollment's
// keys. The signature is over sr exactly as the device encoded it; the HTTP layer hands sr over in
// upper-case escapes (cpp-httplib decodes header values, see README "Known limits"), so the
// lower-case spelling Azure's SAS examples use ("%2f") is tried too.
Status VerifyDeviceSas(azure::SasToken token, const std::string& resource, const DpsEnrollment& e,
                       std::int64_t now_s) {
  std::vector<std::string> spellings = {token.encoded_resource};
  std::string lower = LowerCaseEscapes(token.encoded_resource);
  if (lower != spellings.front()) {
    spellings.push_back(std::move(lower));
  }
  Status last = Status::PermissionDenied("no key to verify the SAS with");
  for (const std::string* key : {&e.primary_key, &e.secondary_key}) {
    for (const std::string& spelling : spellings) {
      token.encoded_resource = spelling;
      last = azure::VerifySasToken(token, resource, *key, now_s);
      if (last.ok()) {
        return last;
      }
    }
  }
  return last;
}

// "4.<16 hex>.<uuid>": the shape of the operation ids DPS hands out (UNCONFIRMED).
std::string NewOperationId() {
  std::string hex = crypto::HexEncode(crypto::RandomBytes(8).value_or(std::string(8, '\0')));
  return "4." + hex + "." + NewUuid();
}

void Remember(DpsData& dps, DpsOperation op) {
  dps.operation_order.push_back(op.operation_id);
  std::string id = op.operation_id;
  dps.operations[id] = std::move(op);
  while (dps.operation_order.size() > DpsDeviceApi::kMaxOperations) {
    dps.operations.erase(dps.operation_order.front());
    dps.operation_order.pop_front();
  }
}

// InvalidArgument with DPS's message when the register body is unusable. Checked after the device
// is authenticated.
Status CheckRegisterBody(const ApiRequest& request, const std::string& path_id) {
  if (request.body.empty()) {
    return Status::InvalidArgument("The request body is required.");
  }
  Result<json::Document> doc = json::ParseObject(request.body, kMaxBodyBytes, "registration");
  if (!doc.ok()) {
    return Status::InvalidArgument("The request body is not a valid DeviceRegistration: " +
                                   doc.status().message());
  }
  Result<std::string> body_id = doc->Root().GetString("registrationId", 256);
  if (!body_id.ok()) {
    return Status::InvalidArgument("The registrationId of the request body is required.");
  }
  if (!EqualsIgnoreCase(*body_id, path_id)) {
    return Status::InvalidArgument("The registrationId '" + *body_id +
                                   "' of the request body does not match the registration ID '" +
                                   path_id + "' of the request.");
  }
  return Status::Ok();
}

ApiResponse OperationStatus(const DpsOperation& op) {
  json::Writer w;
  w.BeginObject().Field("operationId", op.operation_id).Field("status", op.status);
  w.Key("registrationState");
  dps::WriteRegistration(w, op.result);
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

}  // namespace

DpsDeviceApi::DpsDeviceApi(DpsDeviceConfig config, SimState* state, const Clock* clock)
    : config_(std::move(config)), state_(state), clock_(clock) {}

bool DpsDeviceApi::IsDeviceRoute(const ApiRequest& request) {
  const std::vector<std::string>& s = request.segments;
  return s.size() >= 3 && s[1] == "registrations" && s[0] != "enrollments" &&
         s[0] != "registrations";
}

bool DpsDeviceApi::IsSupportedApiVersion(std::string_view version) {
  for (std::string_view v : kApiVersions) {
    if (v == version) {
      return true;
    }
  }
  return false;
}

ApiResponse DpsDeviceApi::Handle(const ApiRequest& request) {
  Instant now = clock_->Now();
  std::optional<std::string> version = request.Query("api-version");
  if (!version || !IsSupportedApiVersion(*version)) {
    return dps::Error(400, kInvalidApiVersion,
                      version ? "The api-version '" + *version + "' is not supported."
                              : "The api-version query parameter is required.",
                      now);
  }
  const std::vector<std::string>& s = request.segments;
  const std::string& m = request.method;
  bool is_register = s.size() == 4 && s[3] == "register";
  bool is_operation = s.size() == 5 && s[3] == "operations";
  if (!is_register && !is_operation) {
    return dps::Error(404, kNotFound,
                      "The requested resource does not exist (or is not simulated by "
                      "gps-cloudsim: device registration status lookup, TPM and X.509 "
                      "attestation).",
                      now);
  }
  if ((is_register && m != "PUT") || (is_operation && m != "GET")) {
    return dps::Error(405, kMethodNotAllowed, "The requested method is not allowed.", now);
  }
  if (is_register && !request.body.empty() && ClassifyContentType(request) != MediaType::kJson) {
    return dps::Error(415, kUnsupportedMediaType,
                      "Unsupported media type: the request body must be application/json.", now);
  }
  const std::string& scope = s[0];
  const std::string& id = s[2];
  if (!EqualsIgnoreCase(scope, config_.id_scope)) {
    return Unauthorized("device registration for unknown ID scope " + scope, now);
  }
  std::optional<std::string> header = request.Header("Authorization");
  if (!header || header->empty()) {
    return Unauthorized("device registration without Authorization", now);
  }
  Result<azure::SasToken> token = azure::ParseSasToken(*header);
  if (!token.ok()) {
    return Unauthorized(token.status().message(), now);
  }
  if (!EqualsIgnoreCase(token->key_name, kKeyName)) {
    return Unauthorized("device SAS names key '" + token->key_name + "', not 'registration'", now);
  }
  std::string resource = scope + "/registrations/" + id;
  Status body = is_register ? CheckRegisterBody(request, id) : Status::Ok();
  std::string key = ToLower(id);
  std::string stamp = FormatRfc3339(now);
  std::string operation_id = is_register ? NewOperationId() : s[4];

  // Logged after the state is unlocked.
  std::string refusal;
  std::string outcome;
  ApiResponse response = state_->Locked([&](SimData& data) -> ApiResponse {
    auto e = data.dps.enrollments.find(key);
    if (e == data.dps.enrollments.end()) {
      refusal = "no enrollment for registration id " + id;
      return dps::Error(401, kUnauthorized, "Unauthorized", now);
    }
    Status auth = VerifyDeviceSas(*token, resource, e->second, now.ms / 1000);
    if (!auth.ok()) {
      refusal = auth.message();
      return dps::Error(401, kUnauthorized, "Unauthorized", now);
    }
    if (is_operation) {
      auto op = data.dps.operations.find(operation_id);
      if (op == data.dps.operations.end() || op->second.registration_key != key) {
        return dps::Error(
            404, kNotFound,
            "Operation '" + operation_id + "' of registration '" + id + "' not found.", now);
      }
      return OperationStatus(op->second);
    }
    if (!body.ok()) {
      return dps::Error(400, kArgumentInvalid, body.message(), now);
    }
    DpsOperation op;
    op.operation_id = operation_id;
    op.registration_key = key;
    if (e->second.provisioning_status != "enabled") {
      // DPS answers a disabled enrollment's device with the result status "disabled"; the
      // registration record says so too, and no hub device is created or changed.
      DpsRegistration& r = data.dps.registrations[key];
      if (r.registration_id.empty()) {
        r.registration_id = e->second.registration_id;
        r.created = stamp;
      }
      r.status = "disabled";
      r.substatus.clear();
      r.updated = stamp;
      r.etag = dps::NextEtag(&data.dps.etag_counter);
      op.status = "disabled";
      op.result = r;
      op.result.assigned_hub.clear();
      op.result.device_id.clear();
    } else {
      Result<DpsRegistration> assigned =
          RegisterDeviceFromEnrollment(data, id, config_.hub_host, now);
      if (!assigned.ok()) {  // cannot happen: the enrollment exists and is enabled
        return dps::Error(500, 500000, "An internal error occurred.", now);
      }
      DpsRegistration& r = data.dps.registrations[key];
      r.substatus = "initialAssignment";
      op.status = "assigned";
      op.result = r;
    }
    outcome = op.status;
    Remember(data.dps, std::move(op));
    json::Writer w;
    w.BeginObject().Field("operationId", operation_id).Field("status", "assigning").EndObject();
    ApiResponse r = ApiResponse::Json(202, w.Take());
    r.SetHeader("Retry-After", std::string(kRetryAfterSeconds));
    return r;
  });
  if (!refusal.empty()) {
    log::Info("request refused", {{"service", "dps"}, {"err", refusal}});
  }
  if (!outcome.empty()) {
    log::Info("device registered",
              {{"service", "dps"}, {"registration_id", id}, {"status", outcome}});
  }
  return response;
}

}  // namespace gps::cloudsim
