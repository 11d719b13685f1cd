#pragma once
// The shared-access-signature check of the Azure service APIs (DPS service API, IoT Hub registry):
// the Authorization header must carry a SharedAccessSignature signed with the configured policy
// key, naming that policy in skn, for a resource covering the configured host, not yet expired.
// The host is a setting of its own, not the address the request arrived on, so a worker talking
// to 127.0.0.1 must still sign for the production host name. Pure; thread-safe.

#include <cstdint>
#include <string_view>

#include "cloudsim/server/api_types.h"
#include "gps/core/status.h"

namespace gps::cloudsim {

struct SasPolicy {
  std::string_view host;         // e.g. mydps.azure-devices-provisioning.net
  std::string_view policy_name;  // e.g. provisioningserviceowner
  std::string_view policy_key;   // base64
};

// Ok, or PermissionDenied saying why (never echoing the signature or key).
Status CheckServiceSas(const ApiRequest& request, const SasPolicy& policy, std::int64_t now_s);

}  // namespace gps::cloudsim
