#include "ui/api/guard.h"

#include "ui/api/requests.h"

namespace gps::ui {

namespace {

std::optional<Refusal> CheckOrigin(const HttpRequest& request) {
  if (request.method == "GET" || request.method == "HEAD") {
    return std::nullopt;
  }
  return CheckSameOrigin(request.Header("Origin"), request.Header("Host"));
}

}  // namespace

HttpResponse Guard::NotAuthenticated(const Status& status) {
  if (!status.IsPermissionDenied()) {
    return ErrorResponse(503, "cannot check the login: " + status.message());
  }
  HttpResponse r = ErrorResponse(401, status.message());
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"gps-ui\"");
  return r;
}

Handler Guard::Protect(Access need, CallerHandler handler) const {
  return [this, need, handler = std::move(handler)](const HttpRequest& request,
                                                    const PathParams& params) {
    if (std::optional<Refusal> bad = CheckOrigin(request)) {
      return ErrorResponse(*bad);
    }
    Result<Caller> caller = auth_.Authenticate(request);
    if (!caller.ok()) {
      return NotAuthenticated(caller.status());
    }
    if (std::optional<Refusal> bad =
            CheckAccess(need, *caller, request.method, request.Header(kCsrfHeader))) {
      return ErrorResponse(*bad);
    }
    return handler(request, params, *caller);
  };
}

Handler Guard::Public(Handler handler) const {
  return [handler = std::move(handler)](const HttpRequest& request, const PathParams& params) {
    if (std::optional<Refusal> bad = CheckOrigin(request)) {
      return ErrorResponse(*bad);
    }
    return handler(request, params);
  };
}

}  // namespace gps::ui
