#include "device-client/mac_address.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>

#include "gps/config/config.h"
#include "gps/protocol/names.h"

namespace gps::device_client {

namespace {

constexpr std::int64_t kArphrdEther = 1;  // <linux/if_arp.h>
constexpr std::size_t kMaxSysfsValue = 256;

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.pop_back();
  }
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) {
    ++b;
  }
  return s.substr(b);
}

std::optional<std::int64_t> ReadInt(const std::string& path) {
  Result<std::string> text = config::ReadFile(path, kMaxSysfsValue);
  if (!text.ok()) {
    return std::nullopt;
  }
  std::string t = Trim(*text);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) {
    return std::nullopt;
  }
  return v;
}

Result<std::string> ReadAddress(const std::string& sys_class_net, const std::string& interface) {
  std::string path = sys_class_net + "/" + interface + "/address";
  Result<std::string> text = config::ReadFile(path, kMaxSysfsValue);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("network interface '" + interface + "' not found (no " + path + ")");
    }
    return text.status().WithContext("network interface '" + interface + "'");
  }
  std::string mac;
  Status st = protocol::CanonicalMac(Trim(*text), &mac);
  if (!st.ok()) {
    return st.WithContext(path);
  }
  return mac;
}

}  // namespace

Status ValidateInterfaceName(std::string_view name) {
  if (name == kAutoInterface) {
    return Status::Ok();
  }
  if (name.empty() || name.size() > 15 || name == "." || name == "..") {
    return Status::InvalidArgument("interface name '" + std::string(name.substr(0, 32)) +
                                   "' must be 'auto' or 1-15 characters");
  }
  for (char c : name) {
    if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) ||
        !std::isprint(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("interface name '" + std::string(name) +
                                     "' contains a character Linux does not allow");
    }
  }
  return Status::Ok();
}

Result<MacSource> ResolveMac(std::string_view configured_mac, std::string_view interface,
                             const std::string& sys_class_net) {
  MacSource out;
  if (!configured_mac.empty()) {
    GPS_RETURN_IF_ERROR(protocol::CanonicalMac(configured_mac, &out.mac));
    return out;
  }
  GPS_RETURN_IF_ERROR(ValidateInterfaceName(interface));
  if (interface != kAutoInterface) {
    out.interface = std::string(interface);
    GPS_ASSIGN_OR_RETURN(out.mac, ReadAddress(sys_class_net, out.interface));
    return out;
  }

  std::error_code ec;
  std::filesystem::directory_iterator it(sys_class_net, ec);
  if (ec) {
    return Status::NotFound("cannot list " + sys_class_net + ": " + ec.message());
  }
  std::int64_t best_index = std::numeric_limits<std::int64_t>::max();
  std::string best;
  // increment(ec) rather than a range-for: a directory that changes under us must not throw.
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) {
      return Status::Unavailable("cannot list " + sys_class_net + ": " + ec.message());
    }
    std::string name = it->path().filename().string();
    if (name == "lo") {
      continue;
    }
    std::string dir = sys_class_net + "/" + name;
    std::optional<std::int64_t> type = ReadInt(dir + "/type");
    std::optional<std::int64_t> index = ReadInt(dir + "/ifindex");
    if (!type || !index || *type != kArphrdEther) {
      continue;
    }
    if (*index < best_index) {
      best_index = *index;
      best = name;
    }
  }
  if (ec) {
    return Status::Unavailable("cannot list " + sys_class_net + ": " + ec.message());
  }
  if (best.empty()) {
    return Status::NotFound("no Ethernet interface under " + sys_class_net +
                            "; set GPS_CLIENT_INTERFACE or GPS_CLIENT_MAC");
  }
  out.interface = best;
  GPS_ASSIGN_OR_RETURN(out.mac, ReadAddress(sys_class_net, best));
  return out;
}

}  // namespace gps::device_client
