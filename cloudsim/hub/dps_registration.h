#pragma once
// The seam for the DPS device-side registration (a later issue): what DPS does when a device
// registers with its individual enrollment's key — record the registration state and create (or
// refresh) the device identity in the assigned IoT Hub, with the enrollment's keys, edge
// capability and device id. No route calls it yet: the device registration API
// (PUT {idScope}/registrations/{id}/register on global.azure-devices-provisioning.net, device
// SAS) will, once it is simulated; tests call it to stand in for a gateway that registered.
//
// REQUIRES: called inside SimState::Locked() (it changes DPS and IoT Hub data in one step).

#include <string_view>

#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"

namespace gps::cloudsim {

// NotFound without an enrollment, FailedPrecondition when it is disabled. hub_host is used when
// the enrollment names no iotHubHostName.
Result<DpsRegistration> RegisterDeviceFromEnrollment(SimData& data,
                                                     std::string_view registration_id,
                                                     std::string_view hub_host, Instant now);

}  // namespace gps::cloudsim
