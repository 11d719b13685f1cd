#pragma once
// MenderApi: the Mender management API as gps-worker-mender uses it (device authentication v2:
// preauthorise, get, list, search, decommission, remove auth set; inventory v1: get device, PUT and
// PATCH tags; inventory v2: filters/search), and the device authentication request a Mender client
// makes (POST /api/devices/v1/authentication/auth_requests, device_auth.cpp), answering as
// mender-server does (see cloudsim/README.md for the behaviour and where it was taken from).
//
// Thread-safe: all state lives in the shared SimState and each request is one Locked() step.
// Lifetime: state and clock must outlive the MenderApi.

#include <cstddef>
#include <string>

#include "cloudsim/server/api_types.h"
#include "cloudsim/state/sim_state.h"
#include "gps/core/clock.h"
#include "gps/json/json.h"

namespace gps::cloudsim {

struct MenderConfig {
  std::string token;          // the Bearer token every management call must carry
  std::size_t max_tags = 20;  // INVENTORY_LIMIT_TAGS
};

class MenderApi final : public Service {
 public:
  MenderApi(MenderConfig config, SimState* state, const Clock* clock);

  std::string_view Name() const override { return "mender"; }
  ApiResponse Handle(const ApiRequest& request) override;

 private:
  struct Call;  // one request with its request id

  ApiResponse Preauthorize(const Call& call);
  ApiResponse GetDevice(const Call& call, const std::string& id);
  ApiResponse ListDevices(const Call& call);
  ApiResponse SearchDevices(const Call& call);
  ApiResponse Decommission(const Call& call, const std::string& id);
  ApiResponse DeleteAuthSet(const Call& call, const std::string& id, const std::string& aid);
  ApiResponse GetInventoryDevice(const Call& call, const std::string& id);
  ApiResponse WriteTags(const Call& call, const std::string& id, bool replace);
  ApiResponse SearchInventory(const Call& call);
  ApiResponse AuthRequest(const Call& call);

  MenderConfig config_;
  SimState* state_;
  const Clock* clock_;
  std::string jwt_key_;  // signs the device tokens (random per process)
};

namespace mender {

// The Device object of the device authentication API. with_auth_sets=false writes
// "auth_sets":null, as the 409 answer to a preauthorisation does (mender-server returns the raw
// device record there, whose auth sets live in another collection).
void WriteDevice(json::Writer& w, const MenderDevice& device, bool with_auth_sets);
// The inventory device: {"id", "attributes":[...], "updated_ts"}.
void WriteInventoryDevice(json::Writer& w, const InventoryDevice& device);

}  // namespace mender

}  // namespace gps::cloudsim
