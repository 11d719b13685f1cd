#include "cloudsim/faults/fault_answer.h"

#include <string>

#include "cloudsim/dps/dps_api.h"
#include "cloudsim/hub/hub_api.h"
#include "cloudsim/mender/mender_common.h"
#include "cloudsim/server/ids.h"
#include "gps/json/json.h"

namespace gps::cloudsim {

namespace {

// Lower-case reason phrases, for the messages of statuses without a better-known text.
std::string Reason(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 409:
      return "conflict";
    case 412:
      return "precondition failed";
    case 422:
      return "unprocessable entity";
    case 429:
      return "too many requests";
    case 500:
      return "internal error";
    case 502:
      return "bad gateway";
    case 503:
      return "service unavailable";
    case 504:
      return "gateway timeout";
    default:
      return status >= 500 ? "server error" : "request refused";
  }
}

std::string FailMessage(const FaultAction& a) {
  return a.message.empty() ? "injected fault: " + Reason(a.status) : a.message;
}

ApiResponse Mender(const FaultAction& a, const ApiRequest& request) {
  std::string request_id = request.Header("X-MEN-RequestID").value_or(NewUuid());
  switch (a.kind) {
    case FaultKind::kThrottle:
      return mender::Error(429, "too many requests", request_id);
    case FaultKind::kFail:
      return mender::Error(a.status, FailMessage(a), request_id);
    default:
      return mender::Error(a.status, Reason(a.status), request_id);
  }
}

// DPS's six-digit codes start with the status; the sub-codes are UNCONFIRMED (README, Choices).
int DpsCode(int status) {
  switch (status) {
    case 400:
      return 400004;
    case 401:
      return 401002;
    case 404:
      return 404000;
    case 409:
      return 409201;
    case 412:
      return 412001;
    case 429:
      return 429001;
    default:
      return status * 1000;
  }
}

ApiResponse Dps(const FaultAction& a, Instant now) {
  switch (a.kind) {
    case FaultKind::kThrottle:
      return dps::Error(429, DpsCode(429), "Operations are being throttled by the service.", now);
    case FaultKind::kFail:
      return dps::Error(a.status, DpsCode(a.status), FailMessage(a), now);
    default:
      return dps::Error(
          a.status, DpsCode(a.status),
          a.status == 500 ? "An internal error occurred." : "The service is unavailable.", now);
  }
}

ApiResponse VaultErrors(int status, const std::string& message) {
  json::Writer w;
  w.BeginObject().Key("errors").BeginArray().String(message).EndArray().EndObject();
  return ApiResponse::Json(status, w.Take());
}

// Vault names the request by its path below /v1/.
std::string VaultPath(const ApiRequest& request) {
  std::string out;
  for (std::size_t i = 1; i < request.segments.size(); ++i) {
    out += (i > 1 ? "/" : "") + request.segments[i];
  }
  return out;
}

ApiResponse Vault(const FaultAction& a, const ApiRequest& request) {
  switch (a.kind) {
    case FaultKind::kThrottle: {
      ApiResponse r = VaultErrors(
          429, "request path " + json::Quote(VaultPath(request)) + ": rate limit quota exceeded");
      r.SetHeader("X-Ratelimit-Limit", std::to_string(a.rate_limit));
      r.SetHeader("X-Ratelimit-Remaining", "0");
      r.SetHeader("X-Ratelimit-Reset", std::to_string(a.reset_s));
      return r;
    }
    case FaultKind::kFail:
      return VaultErrors(a.status, FailMessage(a));
    default:
      break;
  }
  switch (a.status) {
    case 502:
      return VaultErrors(502, "upstream error");
    case 503:
      return VaultErrors(503, "Vault is sealed");
    default:
      return VaultErrors(a.status, Reason(a.status));
  }
}

// The ErrorCode names of the IoT Hub SDKs' ErrorCode.cs for each status.
std::string_view HubName(int status) {
  switch (status) {
    case 400:
      return "ArgumentInvalid";
    case 401:
      return "IotHubUnauthorizedAccess";
    case 403:
      return "IotHubQuotaExceeded";
    case 404:
      return "DeviceNotFound";
    case 409:
      return "DeviceAlreadyExists";
    case 412:
      return "PreconditionFailed";
    case 429:
      return "ThrottlingException";
    case 503:
      return "ServiceUnavailable";
    default:
      return status >= 500 ? "ServerError" : "ArgumentInvalid";
  }
}

ApiResponse Hub(const FaultAction& a, Instant now) {
  switch (a.kind) {
    case FaultKind::kThrottle:
      return hub::Error(429, HubName(429), "The request has been throttled.", now);
    case FaultKind::kFail:
      return hub::Error(a.status, HubName(a.status), FailMessage(a), now);
    default:
      return hub::Error(a.status, HubName(a.status),
                        a.status == 503 ? "The service is unavailable; retry later."
                                        : "An internal error occurred.",
                        now);
  }
}

}  // namespace

ApiResponse FaultAnswer(std::string_view service, const FaultAction& action,
                        const ApiRequest& request, Instant now) {
  ApiResponse r;
  if (action.kind == FaultKind::kFail && action.body_json) {
    r = ApiResponse::Json(action.status, *action.body_json);
  } else if (service == "mender") {
    r = Mender(action, request);
  } else if (service == "dps") {
    r = Dps(action, now);
  } else if (service == "vault") {
    r = Vault(action, request);
  } else {
    r = Hub(action, now);
  }
  if (action.kind == FaultKind::kThrottle) {
    r.SetHeader("Retry-After", std::to_string(action.retry_after_s));
  }
  return r;
}

}  // namespace gps::cloudsim
