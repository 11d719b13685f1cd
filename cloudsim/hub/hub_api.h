#pragma once
// HubApi: the identity-registry part of the Azure IoT Hub service API (api-version 2021-04-12):
// GET / PUT / DELETE /devices/{id} with the registry's ETag rules, and
// POST /devices/{id}/applyConfigurationContent for edge devices. Every request needs the
// api-version and a SAS signed for the configured hub host with the configured policy. Errors use
// the IoT Hub body {"Message":"ErrorCode:<name>;<text>","ExceptionMessage":"Tracking ID:..."}
// and the iothub-errorcode header.
//
// Thread-safe: each request is one Locked() step on the shared state.
// Lifetime: state and clock must outlive the HubApi.

#include <string>

#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"
#include "gps/json/json.h"

namespace gps::cloudsim {

struct HubConfig {
  std::string host = "myhub.azure-devices.net";
  std::string policy_name = "iothubowner";
  std::string policy_key;  // base64
};

class HubApi final : public Service {
 public:
  static constexpr std::string_view kApiVersion = "2021-04-12";

  HubApi(HubConfig config, SimState* state, const Clock* clock);

  std::string_view Name() const override { return "hub"; }
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  ApiResponse GetDevice(const std::string& id);
  ApiResponse PutDevice(const ApiRequest& request, const std::string& id);
  ApiResponse DeleteDevice(const ApiRequest& request, const std::string& id);
  ApiResponse ApplyConfiguration(const ApiRequest& request, const std::string& id);

  HubConfig config_;
  SimState* state_;
  const Clock* clock_;
};

namespace hub {

// The IoT Hub error body; name is the ErrorCode name (DeviceNotFound, ...).
ApiResponse Error(int status, std::string_view name, std::string_view message, Instant now);
// The Device JSON of the registry.
void WriteDevice(json::Writer& w, const HubDevice& d);
// The next registry etag (base64 of a decimal version, the shape IoT Hub etags have).
std::string NextEtag(std::uint64_t* counter);
// A fresh generationId.
std::string NewGenerationId();

}  // namespace hub

}  // namespace gps::cloudsim
