#pragma once
// The gateway's MAC address as Mender's identity script reports it (lower-case, ':'-separated),
// read from sysfs: either a named interface's /sys/class/net/<if>/address or, for "auto", the
// Ethernet interface (ARPHRD_ETHER, type 1) other than lo with the lowest ifindex, which is what
// mender-device-identity picks. The sysfs root is a parameter so tests use a fake tree.
// Stateless; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::device_client {

inline constexpr std::string_view kSysClassNet = "/sys/class/net";
inline constexpr std::string_view kAutoInterface = "auto";

struct MacSource {
  std::string mac;        // canonical: aa:bb:cc:dd:ee:ff
  std::string interface;  // where it came from; empty when configured explicitly
};

// configured_mac (GPS_CLIENT_MAC) wins when not empty; otherwise interface (GPS_CLIENT_INTERFACE,
// a name or "auto") is read under sys_class_net.
// NotFound when no suitable interface exists; InvalidArgument for a malformed value.
Result<MacSource> ResolveMac(std::string_view configured_mac, std::string_view interface,
                             const std::string& sys_class_net = std::string(kSysClassNet));

// Ok for "auto" or a Linux interface name (1-15 characters, no '/', whitespace or ':').
Status ValidateInterfaceName(std::string_view name);

}  // namespace gps::device_client
