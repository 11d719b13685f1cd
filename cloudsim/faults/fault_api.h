#pragma once
// The /_sim/faults endpoints, answered on every port and never subject to faults themselves:
//   GET    /_sim/faults            settings, seed and injected counts (FaultInjector::StatusJson)
//   PUT    /_sim/faults            replace all settings with the body {"mender":{..},..}
//   DELETE /_sim/faults            no faults anywhere (the counts are kept)
//   GET    /_sim/faults/{service}  the same as GET /_sim/faults
//   PUT    /_sim/faults/{service}  replace one service's settings with the body {...}
//   DELETE /_sim/faults/{service}  no faults for that service
// Every success answers 200 with the same body as GET. A bad body is 400 {"error":"..."} naming
// the field; an unknown service 404; another method 405.
//
// Thread-safe (the injector is). Lifetime: the injector must outlive the call.

#include "cloudsim/faults/fault_injector.h"
#include "cloudsim/server/api_types.h"

namespace gps::cloudsim {

// REQUIRES: request.segments starts with "_sim", "faults".
ApiResponse HandleFaultsRequest(FaultInjector& faults, const ApiRequest& request);

}  // namespace gps::cloudsim
