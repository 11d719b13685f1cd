#include "gps/protocol/names.h"

#include <cctype>

namespace gps::protocol {

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

bool IsDeviceId(std::string_view s) {
  if (s.size() != 64) {
    return false;
  }
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Status ValidateDeviceName(std::string_view name) {
  if (name.empty()) {
    return Status::InvalidArgument("name is empty");
  }
  if (name.size() > kMaxNameLength) {
    return Status::InvalidArgument("name is longer than " + std::to_string(kMaxNameLength) +
                                   " characters");
  }
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-') {
      return Status::InvalidArgument("name may contain only lower-case letters, digits and '-'");
    }
  }
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) {
    return Status::InvalidArgument("name must start and end with a letter or digit");
  }
  return Status::Ok();
}

bool IsCanonicalMac(std::string_view mac) {
  if (mac.size() != 17) {
    return false;
  }
  for (std::size_t i = 0; i < mac.size(); ++i) {
    char c = mac[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Status CanonicalMac(std::string_view text, std::string* out) {
  if (text.size() != 17) {
    return Status::InvalidArgument("MAC address '" + std::string(text.substr(0, 32)) +
                                   "' must have six octets like aa:bb:cc:dd:ee:ff");
  }
  std::string mac;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i % 3 == 2) {
      if (c != ':' && c != '-') {
        return Status::InvalidArgument("MAC address: octets must be separated by ':'");
      }
      mac += ':';
    } else {
      if (!IsHexDigit(c)) {
        return Status::InvalidArgument("MAC address: '" + std::string(1, c) + "' is not hex");
      }
      mac += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  *out = mac;
  return Status::Ok();
}

}  // namespace gps::protocol
