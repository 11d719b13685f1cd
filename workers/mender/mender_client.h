#pragma once
// MenderClient: the Mender management API calls of the mender worker
// (/work/shared/reference/cloud-apis.md section 1): request builders, a sender, and parsers of the
// response bodies. It knows paths, headers and bodies; it decides nothing. What a status means
// for a step (409 with our key, 412 on tags, 404 on delete) is mender_step's business.
//
// Thread-safety: a const MenderClient may be used from several threads at once; each thread sends
// over its own keep-alive connection. The builders and parsers are pure.
// Lifetime: the Clock given to the constructor must outlive the client.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/http/client.h"

namespace gps::worker::mender {

struct MenderSettings {
  std::string url;                  // GPS_MENDER_URL: API base, no trailing '/'
  std::string token;                // GPS_MENDER_TOKEN (secret): personal access token or JWT
  std::int64_t timeout_ms = 10000;  // GPS_HTTP_TIMEOUT_MS: one request, at most
  std::string ca_file;              // GPS_HTTP_CA_FILE: extra trust anchors for https
};

// Declares the settings above in a worker's table, with a check that validates them and strips a
// trailing '/' from the URL. REQUIRES: s outlives table.Load().
void AddMenderSettings(config::Table& table, MenderSettings* s);
Status ValidateMenderSettings(MenderSettings* s);

// Mender device ids are UUIDs (older servers: hex object ids); anything else is refused before it
// is put into a URL.
bool IsMenderId(std::string_view id);

// One device of an inventory search answer.
struct InventoryDevice {
  std::string id;
  std::optional<std::string> mac;  // identity/mac when the inventory holds it as a string
};

// The parts of a devauth Device (the body of a pre-authorisation 409, or of GET
// devauth/devices/{id}) the worker needs.
struct Device {
  std::string id;
  bool decommissioning = false;
  std::vector<std::string> auth_set_pubkeys;  // PEM, as the server re-serialised them
};

// One inventory tag (scope "tags").
struct Tag {
  std::string name;
  std::string value_json;   // the value as JSON text: a string, a number or an array
  std::string description;  // empty: none
};

// Request builders. Every request carries the bearer token; bodies are JSON.
inline constexpr int kSearchPageSize = 20;
// Inventory searches, one page of kSearchPageSize: devices whose tag `name` is name, and devices
// whose identity attribute `mac` is mac. Both ask for the name tag and the identity MAC.
http::Request SearchByNameRequest(const MenderSettings& s, std::string_view name, int page);
http::Request SearchByMacRequest(const MenderSettings& s, std::string_view mac, int page);
http::Request PreauthorizeRequest(const MenderSettings& s, std::string_view mac,
                                  std::string_view pubkey_pem);
// REQUIRES: IsMenderId(device_id) for the four below.
http::Request GetDevauthDeviceRequest(const MenderSettings& s, std::string_view device_id);
http::Request GetInventoryDeviceRequest(const MenderSettings& s, std::string_view device_id);
// etag empty: no If-Match.
http::Request PutTagsRequest(const MenderSettings& s, std::string_view device_id,
                             const std::vector<Tag>& tags, std::string_view etag);
http::Request DecommissionRequest(const MenderSettings& s, std::string_view device_id);

// Parsers of response bodies; each refuses a body of the wrong shape with a clear error.
Result<std::vector<InventoryDevice>> ParseSearchResults(std::string_view body);
// The device id is the last path segment of the 201's Location ("devices/<uuid>").
Result<std::string> DeviceIdFromLocation(std::string_view location);
Result<Device> ParseDevice(std::string_view body);
// The tags (scope "tags") of an inventory device.
Result<std::vector<Tag>> ParseInventoryTags(std::string_view body);

class MenderClient {
 public:
  MenderClient(MenderSettings settings, const Clock& clock);

  const MenderSettings& settings() const { return settings_; }
  Instant Now() const { return clock_.Now(); }

  // Each call sends one request, bounded by the settings' timeout and by the job's deadline
  // (DeadlineExceeded without sending when the deadline has passed), and returns the response
  // whatever its status.
  Result<http::Response> SearchByName(std::string_view name, int page, Instant deadline) const;
  Result<http::Response> SearchByMac(std::string_view mac, int page, Instant deadline) const;
  Result<http::Response> Preauthorize(std::string_view mac, std::string_view pubkey_pem,
                                      Instant deadline) const;
  Result<http::Response> GetDevauthDevice(std::string_view device_id, Instant deadline) const;
  Result<http::Response> GetInventoryDevice(std::string_view device_id, Instant deadline) const;
  Result<http::Response> PutTags(std::string_view device_id, const std::vector<Tag>& tags,
                                 std::string_view etag, Instant deadline) const;
  Result<http::Response> Decommission(std::string_view device_id, Instant deadline) const;

 private:
  MenderSettings settings_;
  const Clock& clock_;
};

}  // namespace gps::worker::mender
