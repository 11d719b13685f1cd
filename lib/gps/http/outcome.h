#pragma once
// The one mapping from an HTTP exchange to Ok / Retryable{after} / Permanent{reason}:
//   2xx ok; 429 retryable after Retry-After (seconds or HTTP-date) when given;
//   408, 5xx, timeouts and connection faults retryable; every other status permanent,
//   with the cloud's own error text kept for the operator.
// Steps handle their API's special statuses (Mender 409 with our key, DPS 409/412, a 404 on
// delete) before calling this. Pure; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/http/client.h"

namespace gps::http {

// what: "mender: preauthorize aa:bb:…" — prefixed to the error text.
Outcome Classify(const Result<Response>& response, std::string_view what, Instant now);

// Delay in ms from a Retry-After value: delta-seconds or an IMF-fixdate; 0 when unparseable.
Millis ParseRetryAfter(std::string_view value, Instant now);

// A short human-readable error from a cloud's error body: Mender {"error"}, DPS {"message"},
// Vault {"errors":[...]}, IoT Hub {"Message"}; otherwise the start of the body.
std::string ErrorText(const Response& response);

}  // namespace gps::http
