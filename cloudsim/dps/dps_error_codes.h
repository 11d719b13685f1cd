#pragma once
// DPS error codes: six digits starting with the HTTP status, in the body's errorCode and the
// x-ms-error-code header. 404201/404202 are seen in the wild; the others follow the IoT Hub code
// table DPS shares (README "Choices", UNCONFIRMED). Shared by the service and the device API.

namespace gps::cloudsim::dps_codes {

inline constexpr int kInvalidApiVersion = 400001;
inline constexpr int kArgumentInvalid = 400004;
inline constexpr int kUnauthorized = 401002;
inline constexpr int kNotFound = 404000;
inline constexpr int kEnrollmentNotFound = 404201;
inline constexpr int kRegistrationNotFound = 404202;
inline constexpr int kMethodNotAllowed = 405000;
inline constexpr int kEnrollmentExists = 409201;
inline constexpr int kPreconditionFailed = 412001;
inline constexpr int kUnsupportedMediaType = 415000;

}  // namespace gps::cloudsim::dps_codes
