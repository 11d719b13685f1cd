#include "cloudsim/faults/fault_api.h"

#include <string>

#include "gps/json/json.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

ApiResponse ErrorJson(int status, const std::string& message) {
  json::Writer w;
  w.BeginObject().Field("error", message).EndObject();
  return ApiResponse::Json(status, w.Take());
}

ApiResponse MethodNotAllowed(std::string allow) {
  ApiResponse r = ErrorJson(405, "allowed methods: " + allow);
  r.SetHeader("Allow", std::move(allow));
  return r;
}

ApiResponse Changed(FaultInjector& faults, std::optional<std::size_t> service) {
  FaultConfig now = faults.config();
  log::Info("faults changed", {{"service", service ? kServiceNames[*service] : "all"},
                               {"faults", service ? ServiceFaultsJson(now.services[*service])
                                                  : FaultConfigJson(now)}});
  return ApiResponse::Json(200, faults.StatusJson());
}

}  // namespace

ApiResponse HandleFaultsRequest(FaultInjector& faults, const ApiRequest& request) {
  const std::vector<std::string>& seg = request.segments;
  if (seg.size() == 2) {
    if (request.method == "GET") {
      return ApiResponse::Json(200, faults.StatusJson());
    }
    if (request.method == "PUT") {
      Result<FaultConfig> config = ParseFaultConfig(request.body);
      if (!config.ok()) {
        return ErrorJson(400, config.status().message());
      }
      faults.Set(std::move(config).value());
      return Changed(faults, std::nullopt);
    }
    if (request.method == "DELETE") {
      faults.Set(NoFaults());
      return Changed(faults, std::nullopt);
    }
    return MethodNotAllowed("GET, PUT, DELETE");
  }
  if (seg.size() == 3) {
    std::optional<std::size_t> service = ServiceIndex(seg[2]);
    if (!service) {
      return ErrorJson(404, "unknown service \"" + seg[2] + "\" (mender, dps, vault, hub)");
    }
    if (request.method == "GET") {
      return ApiResponse::Json(200, faults.StatusJson());
    }
    if (request.method == "PUT") {
      Result<ServiceFaults> parsed = ParseServiceFaults(*service, request.body);
      if (!parsed.ok()) {
        return ErrorJson(400, parsed.status().message());
      }
      faults.SetService(*service, std::move(parsed).value());
      return Changed(faults, service);
    }
    if (request.method == "DELETE") {
      faults.SetService(*service, NoFaults(*service));
      return Changed(faults, service);
    }
    return MethodNotAllowed("GET, PUT, DELETE");
  }
  return ErrorJson(404, "unknown /_sim/faults endpoint");
}

}  // namespace gps::cloudsim
