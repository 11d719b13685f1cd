#pragma once
// FaultAnswer: the HTTP answer of an injected 5xx, 429 or permanent fault, in the error shape of
// the service it stands in for, so the workers see what the real service would send:
//   mender  {"error","request_id"} + X-MEN-RequestID; 429 "too many requests" + Retry-After
//           (mender-server pkg/rate/limit_http.go)
//   dps     {"errorCode","trackingId","message","timestampUtc"} + x-ms-error-code
//   vault   {"errors":[...]}; 429 'request path "<path>": rate limit quota exceeded' with
//           Retry-After and X-Ratelimit-{Limit,Remaining,Reset} (Vault's quota headers)
//   hub     {"Message":"ErrorCode:<name>;...","ExceptionMessage"} + iothub-errorcode
// Every 429 carries Retry-After in seconds.
//
// Pure apart from fresh tracking/request ids; thread-safe.

#include <string_view>

#include "cloudsim/faults/fault_decision.h"
#include "cloudsim/server/api_types.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

// REQUIRES: action.kind is kServerError, kThrottle or kFail; service is one of kServiceNames.
ApiResponse FaultAnswer(std::string_view service, const FaultAction& action,
                        const ApiRequest& request, Instant now);

}  // namespace gps::cloudsim
