#pragma once
// HubClient: the Azure IoT Hub service API calls of the hub-manifest worker
// (/work/shared/reference/cloud-apis.md section 4): request builders with a fresh short-lived
// service SAS token each, a sender, and the parser of a registry Device. It knows paths, headers
// and bodies; it decides nothing (what a 404 means is hub_step's business).
//
// The settings carry the deployment manifest template, loaded and checked against the IoT Edge
// deployment schemas when the settings are validated, so a bad template stops the worker at
// start-up (exit 2) with the file and the JSON path in the message.
//
// Thread-safety: a const HubClient may be used from several threads at once; each thread sends
// over its own keep-alive connection. The builders and parsers are pure.
// Lifetime: the Clock given to the constructor must outlive the client.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/http/client.h"
#include "workers/hub-manifest/manifest_template.h"

namespace gps::worker::hub {

struct HubSettings {
  std::string url;                 // GPS_HUB_URL: API base, no trailing '/'; default https://<host>
  std::string host;                // GPS_HUB_HOST: the host name SAS tokens are signed for
  std::string policy_name;         // GPS_HUB_POLICY_NAME: shared access policy (skn)
  std::string policy_key;          // GPS_HUB_POLICY_KEY (secret): that policy's key, base64
  std::string api_version;         // GPS_HUB_API_VERSION
  std::string manifest_file;       // GPS_HUB_MANIFEST_TEMPLATE: path of the template
  std::int64_t wait_retry_s = 60;  // GPS_HUB_WAIT_RETRY_S: poll again after, device missing
  std::int64_t throttle_retry_s = 10;  // GPS_HUB_THROTTLE_RETRY_S: 429 without Retry-After
  std::int64_t timeout_ms = 10000;     // GPS_HTTP_TIMEOUT_MS: one request, at most
  std::string ca_file;                 // GPS_HTTP_CA_FILE: extra trust anchors for https
  ManifestTemplate manifest;           // read from manifest_file by ValidateHubSettings
};

// Declares the settings above in a worker's table, with a check that validates them, fills in
// the URL's default and loads the manifest template. REQUIRES: s outlives table.Load().
void AddHubSettings(config::Table& table, HubSettings* s);
Status ValidateHubSettings(HubSettings* s);

// Service SAS tokens are made per request and live this long: long enough for any one request,
// short enough that a leaked header is soon worthless.
inline constexpr std::int64_t kSasLifetimeS = 3600;

// Request builders; they sign a SAS token (sr = host, skn = policy) valid from now for
// kSasLifetimeS.
Result<http::Request> GetDeviceRequest(const HubSettings& s, std::string_view device_id,
                                       Instant now);
// POST .../applyConfigurationContent with body, the rendered manifest.
Result<http::Request> ApplyConfigurationRequest(const HubSettings& s, std::string_view device_id,
                                                std::string body, Instant now);
// PUT /devices/{id} with body, the whole Device, as an update of the version read with etag
// (If-Match: "<etag>"): IoT Hub answers 412 when the device changed since. An etag that
// IsUsableEtag() refuses gives InvalidArgument, never a request.
Result<http::Request> UpdateDeviceRequest(const HubSettings& s, std::string_view device_id,
                                          std::string_view etag, std::string body, Instant now);

// The parts of a registry Device the worker needs.
struct HubDevice {
  std::string device_id;
  bool iot_edge = false;  // capabilities.iotEdge; false when absent
  std::string status;     // enabled | disabled (as IoT Hub reports it; may be empty)
  std::string etag;       // the device identity's version, for If-Match (may be empty)
};
Result<HubDevice> ParseDevice(std::string_view body);

// An etag that can go into If-Match as it is or quoted: 1..128 visible ASCII characters without
// '"' (optionally inside one pair of quotes). Anything else would make a malformed header.
bool IsUsableEtag(std::string_view etag);

// Why a revoked gateway's device is disabled, for whoever looks at it in IoT Hub
// (statusReason, which IoT Hub limits to 128 characters).
inline constexpr std::string_view kRevokedStatusReason =
    "revoked by the gateway provisioning service";

// The body of the update that disables a device: the Device exactly as GET returned it in
// device_json (authentication, capabilities and everything else kept, as an update must carry
// them), with "status": "disabled" and "statusReason": reason. Pure.
Result<std::string> DisabledDeviceBody(std::string_view device_json, std::string_view reason);

// The IoT Hub error name of an answer: the iothub-errorcode header, else the ErrorCode in the
// body's Message ("ErrorCode:DeviceNotFound;..." or {"errorCode":404001,...}); "" when neither
// says.
std::string HubErrorCode(const http::Response& response);

class HubClient {
 public:
  HubClient(HubSettings settings, const Clock& clock);

  const HubSettings& settings() const { return settings_; }
  Instant Now() const { return clock_.Now(); }

  // Each call sends one request, bounded by the settings' timeout and by the job's deadline
  // (DeadlineExceeded without sending when the deadline has passed), and returns the response
  // whatever its status.
  Result<http::Response> GetDevice(std::string_view device_id, Instant deadline) const;
  Result<http::Response> ApplyConfiguration(std::string_view device_id, std::string body,
                                            Instant deadline) const;
  Result<http::Response> UpdateDevice(std::string_view device_id, std::string_view etag,
                                      std::string body, Instant deadline) const;

 private:
  Result<http::Response> Send(Result<http::Request> request, Instant deadline) const;

  HubSettings settings_;
  const Clock& clock_;
};

}  // namespace gps::worker::hub
