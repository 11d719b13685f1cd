#pragma once
// The data a worker returns for each step and action (the "data" object of a result).
// The engine validates it on arrival and keeps it verbatim in the saga; secrets inside are sealed
// to the device's transport key by the worker, so neither MQTT nor Redis ever carries them in
// clear. Pure; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"
#include "gps/protocol/job.h"

namespace gps::protocol {

// check_name, every step: is the name free for this device in that cloud?
struct NameCheckResult {
  bool available = false;
  std::string detail;  // why not, in the operator's words ("used by Mender device 3f2a…")
};
std::string EncodeNameCheck(const NameCheckResult& r);
Result<NameCheckResult> ParseNameCheck(std::string_view data_json);

// provision, mender.
struct MenderProvisionResult {
  std::string mender_device_id;
};
std::string EncodeMenderProvision(const MenderProvisionResult& r);
Result<MenderProvisionResult> ParseMenderProvision(std::string_view data_json);

// provision, dps.
struct DpsProvisionResult {
  std::string registration_id;
  std::string id_scope;
  std::string global_endpoint;  // host name, e.g. global.azure-devices-provisioning.net
  std::string
      sealed_symmetric_key;  // raw sealed blob (context SecretContext(.., kDps, "symmetricKey"))
};
std::string EncodeDpsProvision(const DpsProvisionResult& r);
Result<DpsProvisionResult> ParseDpsProvision(std::string_view data_json);

// provision, vault.
struct VaultProvisionResult {
  std::string certificate_pem;
  std::vector<std::string> ca_chain_pem;  // issuing CA first, root last
  std::string serial;                     // colon-separated hex
  std::int64_t expiration = 0;            // Unix seconds
  std::string
      sealed_private_key;  // raw sealed blob (context SecretContext(.., kVault, "privateKey"));
                           // empty in sign mode, where the device keeps its own key
};
std::string EncodeVaultProvision(const VaultProvisionResult& r);
Result<VaultProvisionResult> ParseVaultProvision(std::string_view data_json);

// provision, hub-manifest. Done: outcome ok, data {"hubDeviceId": "<name>", "applied": true}.
// While the gateway has not registered through DPS yet (IoT Hub answers 404 DeviceNotFound), the
// outcome is retryable with a suggested retryAfterMs and data
// {"hubDeviceId": "<name>", "waiting": true}. Waiting is not a failure: the engine should poll
// again (up to its deadline of days) without spending the step's attempt budget, and
// IsWaitingForHubDevice() tells the two apart. Every other failure of the step carries {}.
//
// revoke, hub-manifest: {"disabled": true} (disabled now or already), or {} (no such device).
struct HubManifestResult {
  std::string hub_device_id;
  bool applied = false;
  bool waiting = false;
};
std::string EncodeHubManifest(const HubManifestResult& r);
// Refuses a missing or empty hubDeviceId, and applied together with waiting.
Result<HubManifestResult> ParseHubManifest(std::string_view data_json);
// True only for a retryable result whose data parses with "waiting": true.
bool IsWaitingForHubDevice(const JobResult& result);

}  // namespace gps::protocol
