#pragma once
// Dispatcher: the one request path of one simulated service. Every request on every port goes
// through Serve(): /_sim/state (the whole simulated state) and /_sim/faults (fault injection
// settings and counts) are answered on every port and never get faults; anything else first
// asks the FaultInjector which fault it gets, then goes to the service — before the fault, or
// after it when the fault applies after processing (the state changes, the client still sees
// the fault). Each request is counted (cloudsim.<service>.requests, .status_<N>xx, .dropped)
// and logged at debug level.
//
// Thread-safe if the service is. Lifetime: service, state, faults and clock must outlive the
// Dispatcher.

#include <cstddef>
#include <string_view>

#include "cloudsim/faults/fault_injector.h"
#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

// What the HTTP layer does with a request: send the response, or close the connection without
// sending anything.
struct Served {
  ApiResponse response;
  bool close_without_answer = false;
};

class Dispatcher {
 public:
  // faults may be null (no fault injection). REQUIRES: service->Name() is in kServiceNames when
  // faults is set.
  Dispatcher(Service* service, SimState* state, FaultInjector* faults = nullptr,
             const Clock* clock = nullptr);

  // Blocks for injected latency and hangs (cut short by FaultInjector::Stop()).
  Served Serve(const ApiRequest& request);
  std::string_view service_name() const { return service_->Name(); }

 private:
  ApiResponse ServeSim(const ApiRequest& request);
  Served ServeWithFaults(const ApiRequest& request);

  Service* service_;
  SimState* state_;
  FaultInjector* faults_;
  const Clock* clock_;
  std::size_t index_ = 0;  // of the service in kServiceNames
};

}  // namespace gps::cloudsim
