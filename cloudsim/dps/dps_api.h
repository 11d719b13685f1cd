#pragma once
// DpsApi: the Azure IoT Hub Device Provisioning Service *service* API (api-version 2021-10-01) as
// gps-worker-dps uses it: individual enrollments (PUT create/replace with the ETag rules, GET,
// DELETE, POST attestationmechanism) and device registration states (GET, DELETE). Every request
// needs the api-version and a SAS signed for the configured host with the configured policy.
// Errors use DPS's ProvisioningServiceErrorDetails body and the x-ms-error-code header.
// The same port also serves the device registration API ({idScope}/registrations/...), which
// DpsApi hands to its DpsDeviceApi (dps_device_api.h).
//
// Thread-safe: each request is one Locked() step on the shared state (keys are drawn before it).
// Lifetime: state and clock must outlive the DpsApi.

#include <string>

#include "cloudsim/dps/dps_device_api.h"
#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

struct DpsConfig {
  std::string host = "mydps.azure-devices-provisioning.net";  // what SAS tokens are signed for
  std::string policy_name = "provisioningserviceowner";
  std::string policy_key;                            // base64
  std::string id_scope = "0ne00000000";              // the device registration API's ID scope
  std::string hub_host = "myhub.azure-devices.net";  // assignedHub when an enrollment names none
};

class DpsApi final : public Service {
 public:
  static constexpr std::string_view kApiVersion = "2021-10-01";

  DpsApi(DpsConfig config, SimState* state, const Clock* clock);

  std::string_view Name() const override { return "dps"; }
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  ApiResponse PutEnrollment(const ApiRequest& request, const std::string& id);
  ApiResponse GetEnrollment(const std::string& id);
  ApiResponse DeleteEnrollment(const ApiRequest& request, const std::string& id);
  ApiResponse GetAttestation(const std::string& id);
  ApiResponse GetRegistration(const std::string& id);
  ApiResponse DeleteRegistration(const ApiRequest& request, const std::string& id);

  DpsConfig config_;
  SimState* state_;
  const Clock* clock_;
  DpsDeviceApi device_;
};

namespace dps {

// The DPS error body and x-ms-error-code header. error_code is DPS's six-digit code.
ApiResponse Error(int status, int error_code, std::string_view message, Instant now);

// The next etag: base64 of an 8-byte big-endian counter, the shape DPS etags have.
std::string NextEtag(std::uint64_t* counter);

}  // namespace dps

}  // namespace gps::cloudsim
