#pragma once
// Individual enrollments of the Azure DPS service API (2021-10-01): the validation DPS applies to
// an IndividualEnrollment body and to registration ids, and the JSON DPS answers with.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "cloudsim/state/sim_state.h"
#include "gps/core/result.h"
#include "gps/json/json.h"

namespace gps::cloudsim::dps {

// At most 128 characters of alphanumerics and : . _ -, beginning and ending with an alphanumeric.
Status ValidateRegistrationId(std::string_view id);
// An IoT Hub device id: at most 128 characters of alphanumerics and - . + % _ # * ? ! ( ) , : = @ $
// '
Status ValidateDeviceId(std::string_view id);
// Valid base64 decoding to 16..64 bytes.
Status ValidateSymmetricKey(std::string_view key, std::string_view which);

// The enrollment described by a PUT body, before the service fills keys it generates, the etag
// and the timestamps. Missing keys come back empty.
Result<DpsEnrollment> ParseEnrollment(std::string_view body, std::string_view path_id);

void WriteAttestation(json::Writer& w, const DpsEnrollment& e);
void WriteEnrollment(json::Writer& w, const DpsEnrollment& e, const DpsRegistration* registration);
void WriteRegistration(json::Writer& w, const DpsRegistration& r);

}  // namespace gps::cloudsim::dps
