#pragma once
// The value rules shared by every process: device ids, device names, MAC addresses.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/status.h"

namespace gps::protocol {

// 64 lower-case hex characters (SHA-256 of the device's DER SPKI).
bool IsDeviceId(std::string_view s);

// A device name becomes the DPS registration id, the IoT Hub device id, the Mender `name` tag and
// the certificate's common name, so it must be valid in all four: 1-63 characters of lower-case
// letters, digits and '-', starting and ending with a letter or digit (a DNS label). That is the
// subset of DPS registration ids that DPS recommends, and a hostname Vault roles accept.
inline constexpr std::size_t kMaxNameLength = 63;
Status ValidateDeviceName(std::string_view name);

// Lower-case, colon-separated, six octets: how Mender's identity script reports the MAC.
bool IsCanonicalMac(std::string_view mac);
// Accepts upper or lower case with ':' or '-' separators and returns the canonical form.
Status CanonicalMac(std::string_view text, std::string* out);

}  // namespace gps::protocol
