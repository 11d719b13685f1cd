#pragma once
// Dispatcher: the one request path of one simulated service. Every request on every port goes
// through Serve(): GET /_sim/state answers the whole simulated state (on every port), anything
// else goes to the service. Each request is counted (cloudsim.<service>.requests and
// cloudsim.<service>.status_<N>xx) and logged at debug level.
//
// Fault injection (a later issue: added latency, a 5xx rate, 429 with Retry-After above a quota,
// dropped connections, hangs — per service) belongs here and only here: it decides before or
// instead of the service's answer, so it wraps the service call in Serve().
//
// Thread-safe if the service is. Lifetime: service and state must outlive the Dispatcher.

#include <string_view>

#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"

namespace gps::cloudsim {

class Dispatcher {
 public:
  Dispatcher(Service* service, SimState* state) : service_(service), state_(state) {}

  ApiResponse Serve(const ApiRequest& request);
  std::string_view service_name() const { return service_->Name(); }

 private:
  Service* service_;
  SimState* state_;
};

}  // namespace gps::cloudsim
