#pragma once
// DpsDeviceApi: the device side of Azure DPS, the registration API of the global endpoint
// (global.azure-devices-provisioning.net) as a device, or IoT Edge's identity service, calls it
// with a symmetric key of its individual enrollment:
//
//   PUT {idScope}/registrations/{registrationId}/register?api-version=...
//       body {"registrationId": "...", "payload": ...}  ->  202 {"operationId",
//       "status":"assigning"}
//   GET {idScope}/registrations/{registrationId}/operations/{operationId}?api-version=...
//       ->  200 {"operationId", "status", "registrationState": {...}}
//
// Both need the device SAS: sr = "{idScope}/registrations/{registrationId}", skn=registration,
// signed with the enrollment's primary or secondary key. A registration does what DPS does once
// the device is attested: it records the registration state (what the service API's
// GET /registrations/{id} shows) and creates or refreshes the device in the IoT Hub registry with
// the enrollment's keys, device id and edge capability (RegisterDeviceFromEnrollment), all in one
// Locked() step, so the assignment is complete when the 202 is sent. A disabled enrollment is
// refused as DPS refuses it: the operation ends with status "disabled" and nothing is created.
// Served on the DPS port next to the service API: DpsApi hands every {idScope}/registrations/...
// path here. Behaviour and sources: cloudsim/README.md, "Azure DPS (device registration API)".
//
// Thread-safe: each request is one Locked() step on the shared state.
// Lifetime: state and clock must outlive the DpsDeviceApi.

#include <cstddef>
#include <string>
#include <string_view>

#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

struct DpsDeviceConfig {
  std::string id_scope = "0ne00000000";              // the only ID scope served
  std::string hub_host = "myhub.azure-devices.net";  // assignedHub when the enrollment names none
};

class DpsDeviceApi {
 public:
  // Operations remembered for lookup; older ones are forgotten (their lookup answers 404).
  static constexpr std::size_t kMaxOperations = 10000;

  DpsDeviceApi(DpsDeviceConfig config, SimState* state, const Clock* clock);

  // True for the device API's paths: {idScope}/registrations/... (the service API's paths start
  // with enrollments/ or registrations/).
  static bool IsDeviceRoute(const ApiRequest& request);
  // True for the api-versions of the device API the simulator accepts.
  static bool IsSupportedApiVersion(std::string_view version);

  ApiResponse Handle(const ApiRequest& request);

 private:
  DpsDeviceConfig config_;
  SimState* state_;
  const Clock* clock_;
};

}  // namespace gps::cloudsim
