#include "cloudsim/server/dispatcher.h"

#include <string>

#include "cloudsim/state/state_json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"

namespace gps::cloudsim {

ApiResponse Dispatcher::Serve(const ApiRequest& request) {
  std::string prefix = "cloudsim." + std::string(service_->Name());
  metrics::Inc(prefix + ".requests");
  ApiResponse response;
  if (request.segments.size() == 2 && request.segments[0] == "_sim" &&
      request.segments[1] == "state") {
    if (request.method == "GET" || request.method == "HEAD") {
      response = ApiResponse::Json(
          200, state_->Locked([](const SimData& data) { return DumpStateJson(data); }));
    } else {
      response = ApiResponse::Json(405, R"({"error":"GET only"})");
    }
  } else {
    response = service_->Handle(request);
  }
  metrics::Inc(prefix + ".status_" + std::to_string(response.status / 100) + "xx");
  log::Debug("request", {{"service", service_->Name()},
                         {"method", request.method},
                         {"path", request.path},
                         {"status", response.status}});
  return response;
}

}  // namespace gps::cloudsim
