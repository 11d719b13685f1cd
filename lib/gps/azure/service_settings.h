#pragma once
// What every client of an Azure service API (DPS, IoT Hub) is configured with, and its checks:
// the host name its SAS tokens are signed for, the base URL it talks to (a loopback stand-in may
// differ from the host), the shared access policy with its key, and the api-version.
// Pure; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/core/status.h"
#include "gps/http/client.h"

namespace gps::azure {

// Non-empty, letters and digits plus the given extra characters: host names, policy names and API
// versions go into URLs, headers and the SAS resource as they are.
bool IsToken(std::string_view s, std::string_view extra);

struct ServiceSettingsRef {
  std::string* host;
  std::string* url;  // empty: https://<host>; a trailing '/' is dropped
  const std::string* policy_name;
  const std::string* policy_key;
  const std::string* api_version;
};

// Errors name the variable: <env_prefix>_HOST, _URL, _POLICY_NAME, _POLICY_KEY, _API_VERSION.
Status ValidateServiceSettings(ServiceSettingsRef s, std::string_view env_prefix,
                               std::string_view example_host, std::string_view example_version);

// A request to a service API carrying a SAS token for host, valid for lifetime_s from now, and
// asking for JSON. what names the service in errors ("dps", "hub-manifest").
Result<http::Request> SignedRequest(std::string_view host, std::string_view policy_name,
                                    std::string_view policy_key, std::string method,
                                    std::string url, Instant now, std::int64_t lifetime_s,
                                    std::string_view what);

}  // namespace gps::azure
