#include "cloudsim/server/dispatcher.h"

#include <string>

#include "cloudsim/faults/fault_answer.h"
#include "cloudsim/faults/fault_api.h"
#include "cloudsim/state/state_json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"

namespace gps::cloudsim {

Dispatcher::Dispatcher(Service* service, SimState* state, FaultInjector* faults, const Clock* clock)
    : service_(service), state_(state), faults_(faults), clock_(clock) {
  index_ = ServiceIndex(service_->Name()).value_or(0);
}

Served Dispatcher::Serve(const ApiRequest& request) {
  std::string prefix = "cloudsim." + std::string(service_->Name());
  metrics::Inc(prefix + ".requests");
  Served served;
  if (!request.segments.empty() && request.segments[0] == "_sim") {
    served.response = ServeSim(request);
  } else if (faults_ != nullptr) {
    served = ServeWithFaults(request);
  } else {
    served.response = service_->Handle(request);
  }
  if (served.close_without_answer) {
    metrics::Inc(prefix + ".dropped");
    log::Debug("request", {{"service", service_->Name()},
                           {"method", request.method},
                           {"path", request.path},
                           {"status", "closed without answer"}});
    return served;
  }
  metrics::Inc(prefix + ".status_" + std::to_string(served.response.status / 100) + "xx");
  log::Debug("request", {{"service", service_->Name()},
                         {"method", request.method},
                         {"path", request.path},
                         {"status", served.response.status}});
  return served;
}

ApiResponse Dispatcher::ServeSim(const ApiRequest& request) {
  const std::vector<std::string>& seg = request.segments;
  if (seg.size() == 2 && seg[1] == "state") {
    if (request.method == "GET" || request.method == "HEAD") {
      return ApiResponse::Json(
          200, state_->Locked([](const SimData& data) { return DumpStateJson(data); }));
    }
    return ApiResponse::Json(405, R"({"error":"GET only"})");
  }
  if (seg.size() >= 2 && seg[1] == "faults") {
    if (faults_ == nullptr) {
      return ApiResponse::Json(404, R"({"error":"fault injection is not enabled"})");
    }
    return HandleFaultsRequest(*faults_, request);
  }
  return ApiResponse::Json(404, R"({"error":"unknown /_sim endpoint: state or faults"})");
}

Served Dispatcher::ServeWithFaults(const ApiRequest& request) {
  Instant now = clock_ != nullptr ? clock_->Now() : SystemClock().Now();
  FaultAction action = faults_->Decide(index_, request.method, request.path, now);
  if (action.latency_ms > 0) {
    faults_->Sleep(action.latency_ms);  // on shutdown: answer at once
  }
  Served served;
  if (action.kind == FaultKind::kNone) {
    served.response = service_->Handle(request);
    return served;
  }
  if (action.timing == FaultTiming::kAfter) {
    (void)service_->Handle(request);  // the change is made; the answer is lost
  }
  log::Debug("fault injected",
             {{"service", service_->Name()},
              {"method", request.method},
              {"path", request.path},
              {"fault", FaultKindName(action.kind)},
              {"when", action.timing == FaultTiming::kAfter ? "after" : "before"}});
  switch (action.kind) {
    case FaultKind::kDrop:
      served.close_without_answer = true;
      break;
    case FaultKind::kHang:
      faults_->Sleep(action.hang_ms);  // on shutdown: close at once
      served.close_without_answer = true;
      break;
    default:
      served.response =
          FaultAnswer(service_->Name(), action, request, clock_ != nullptr ? clock_->Now() : now);
      break;
  }
  return served;
}

}  // namespace gps::cloudsim
