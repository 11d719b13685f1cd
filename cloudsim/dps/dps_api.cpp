#include "cloudsim/dps/dps_api.h"

#include "cloudsim/dps/dps_error_codes.h"
#include "cloudsim/dps/enrollment.h"
#include "cloudsim/server/azure_auth.h"
#include "cloudsim/server/ids.h"
#include "cloudsim/server/if_match.h"
#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

using namespace dps_codes;

constexpr std::size_t kGeneratedKeyBytes = 64;

Result<std::string> GenerateKey() {
  GPS_ASSIGN_OR_RETURN(std::string raw, crypto::RandomBytes(kGeneratedKeyBytes));
  return crypto::Base64Encode(raw);
}

// The two kinds of record the API reads and deletes by id (enrollments, registration states),
// and how DPS words their errors.
struct RecordKind {
  int not_found_code;
  std::string_view not_found_subject;  // "<subject> '<id>' not found."
  std::string_view noun;               // "... does not match the <noun>'s ETag."
};
constexpr RecordKind kEnrollment{kEnrollmentNotFound, "Enrollment with registration ID",
                                 "enrollment"};
constexpr RecordKind kRegistration{kRegistrationNotFound, "Registration with ID", "registration"};

ApiResponse NotFound(const RecordKind& kind, const std::string& id, Instant now) {
  return dps::Error(404, kind.not_found_code,
                    std::string(kind.not_found_subject) + " '" + id + "' not found.", now);
}

ApiResponse EtagMismatch(const RecordKind& kind, Instant now) {
  return dps::Error(
      412, kPreconditionFailed,
      "The ETag in If-Match does not match the " + std::string(kind.noun) + "'s ETag.", now);
}

// 200 with write(w, record) as the body, or 404. Records are keyed by lower-case id.
template <typename Records, typename Write>
ApiResponse GetRecord(const Records& records, const RecordKind& kind, const std::string& id,
                      Instant now, Write write) {
  auto it = records.find(ToLower(id));
  if (it == records.end()) {
    return NotFound(kind, id, now);
  }
  json::Writer w;
  write(w, it->second);
  return ApiResponse::Json(200, w.Take());
}

// 204 once deleted; 404, or 412 when If-Match names another ETag.
template <typename Records>
ApiResponse DeleteRecord(Records& records, const RecordKind& kind, const ApiRequest& request,
                         const std::string& id, Instant now) {
  auto it = records.find(ToLower(id));
  if (it == records.end()) {
    return NotFound(kind, id, now);
  }
  if (CheckIfMatch(request, it->second.etag) == IfMatch::kMismatch) {
    return EtagMismatch(kind, now);
  }
  records.erase(it);
  return ApiResponse::Empty(204);
}

}  // namespace

namespace dps {

ApiResponse Error(int status, int error_code, std::string_view message, Instant now) {
  json::Writer w;
  w.BeginObject()
      .Field("errorCode", error_code)
      .Field("trackingId", NewUuid())
      .Field("message", message)
      .Field("timestampUtc", FormatRfc3339(now))
      .EndObject();
  ApiResponse r = ApiResponse::Json(status, w.Take());
  r.SetHeader("x-ms-error-code", std::to_string(error_code));
  return r;
}

std::string NextEtag(std::uint64_t* counter) {
  std::uint64_t n = ++*counter;
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return crypto::Base64Encode(bytes);
}

}  // namespace dps

DpsApi::DpsApi(DpsConfig config, SimState* state, const Clock* clock)
    : config_(std::move(config)),
      state_(state),
      clock_(clock),
      device_(DpsDeviceConfig{config_.id_scope, config_.hub_host}, state, clock) {}

ApiResponse DpsApi::Handle(const ApiRequest& request) {
  if (DpsDeviceApi::IsDeviceRoute(request)) {
    return device_.Handle(request);  // the global endpoint's device API: its own versions and SAS
  }
  Instant now = clock_->Now();
  std::optional<std::string> version = request.Query("api-version");
  if (!version || *version != kApiVersion) {
    return dps::Error(400, kInvalidApiVersion,
                      version ? "The api-version '" + *version +
                                    "' is not supported; this service supports 2021-10-01."
                              : "The api-version query parameter is required.",
                      now);
  }
  Status auth = CheckServiceSas(
      request, SasPolicy{config_.host, config_.policy_name, config_.policy_key}, now.ms / 1000);
  if (!auth.ok()) {
    log::Info("request refused", {{"service", "dps"}, {"err", auth.message()}});
    return dps::Error(401, kUnauthorized, "Unauthorized: " + auth.message(), now);
  }
  const std::vector<std::string>& s = request.segments;
  const std::string& m = request.method;
  bool body_method = m == "PUT" || m == "POST" || m == "PATCH";
  if (body_method && !request.body.empty() && ClassifyContentType(request) != MediaType::kJson) {
    return dps::Error(415, kUnsupportedMediaType,
                      "Unsupported media type: the request body must be application/json.", now);
  }
  if (s.size() == 2 && s[0] == "enrollments" && s[1] != "query") {
    if (m == "PUT") {
      return PutEnrollment(request, s[1]);
    }
    if (m == "GET") {
      return GetEnrollment(s[1]);
    }
    if (m == "DELETE") {
      return DeleteEnrollment(request, s[1]);
    }
    return dps::Error(405, kMethodNotAllowed, "The requested method is not allowed.", now);
  }
  if (s.size() == 3 && s[0] == "enrollments" && s[2] == "attestationmechanism") {
    if (m == "POST") {
      return GetAttestation(s[1]);
    }
    return dps::Error(405, kMethodNotAllowed, "The requested method is not allowed.", now);
  }
  if (s.size() == 2 && s[0] == "registrations") {
    if (m == "GET") {
      return GetRegistration(s[1]);
    }
    if (m == "DELETE") {
      return DeleteRegistration(request, s[1]);
    }
    return dps::Error(405, kMethodNotAllowed, "The requested method is not allowed.", now);
  }
  return dps::Error(404, kNotFound,
                    "The requested resource does not exist (or is not simulated by "
                    "gps-cloudsim: bulk enrollment operations, queries and enrollment groups).",
                    now);
}

ApiResponse DpsApi::PutEnrollment(const ApiRequest& request, const std::string& id) {
  Instant now = clock_->Now();
  Status valid_id = dps::ValidateRegistrationId(id);
  if (!valid_id.ok()) {
    return dps::Error(400, kArgumentInvalid, valid_id.message(), now);
  }
  if (request.body.empty()) {
    return dps::Error(400, kArgumentInvalid, "The request body is required.", now);
  }
  Result<DpsEnrollment> parsed = dps::ParseEnrollment(request.body, id);
  if (!parsed.ok()) {
    return dps::Error(400, kArgumentInvalid, parsed.status().message(), now);
  }
  DpsEnrollment e = std::move(parsed).value();
  // DPS generates 64-byte keys for the ones the caller leaves out.
  for (std::string* key : {&e.primary_key, &e.secondary_key}) {
    if (key->empty()) {
      Result<std::string> generated = GenerateKey();
      if (!generated.ok()) {
        return dps::Error(500, 500000, "key generation failed", now);
      }
      *key = *generated;
    }
  }
  std::string key = ToLower(id);
  std::string stamp = FormatRfc3339(now);
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.dps.enrollments.find(key);
    if (it != data.dps.enrollments.end()) {
      switch (CheckIfMatch(request, it->second.etag)) {
        case IfMatch::kAbsent:
          return dps::Error(409, kEnrollmentExists,
                            "Enrollment with registration ID '" + id + "' already exists.", now);
        case IfMatch::kMismatch:
          return EtagMismatch(kEnrollment, now);
        case IfMatch::kAny:
        case IfMatch::kMatch:
          break;
      }
      e.registration_id = it->second.registration_id;
      e.created = it->second.created;
      e.seq = it->second.seq;
    } else {
      if (CheckIfMatch(request, "") == IfMatch::kMismatch) {  // a specific etag, no entity
        return dps::Error(
            412, kPreconditionFailed,
            "The ETag in If-Match does not match: enrollment '" + id + "' does not exist.", now);
      }
      e.created = stamp;
      e.seq = data.dps.next_seq++;
    }
    e.updated = stamp;
    e.etag = dps::NextEtag(&data.dps.etag_counter);
    DpsEnrollment& stored = data.dps.enrollments[key] = std::move(e);
    auto reg = data.dps.registrations.find(key);
    json::Writer w;
    dps::WriteEnrollment(w, stored, reg == data.dps.registrations.end() ? nullptr : &reg->second);
    return ApiResponse::Json(200, w.Take());
  });
}

ApiResponse DpsApi::GetEnrollment(const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    return GetRecord(
        data.dps.enrollments, kEnrollment, id, now, [&](json::Writer& w, const DpsEnrollment& e) {
          auto reg = data.dps.registrations.find(ToLower(id));
          dps::WriteEnrollment(w, e, reg == data.dps.registrations.end() ? nullptr : &reg->second);
        });
  });
}

ApiResponse DpsApi::DeleteEnrollment(const ApiRequest& request, const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    return DeleteRecord(data.dps.enrollments, kEnrollment, request, id, now);
  });
}

ApiResponse DpsApi::GetAttestation(const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    return GetRecord(data.dps.enrollments, kEnrollment, id, now, dps::WriteAttestation);
  });
}

ApiResponse DpsApi::GetRegistration(const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    return GetRecord(data.dps.registrations, kRegistration, id, now, dps::WriteRegistration);
  });
}

ApiResponse DpsApi::DeleteRegistration(const ApiRequest& request, const std::string& id) {
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    return DeleteRecord(data.dps.registrations, kRegistration, request, id, now);
  });
}

}  // namespace gps::cloudsim
