#include "ui/api/bulk_names.h"

#include "gps/protocol/names.h"

namespace gps::ui {

namespace {

constexpr std::size_t kMaxPatternLength = 128;

std::string Padded(std::int64_t n, int width) {
  std::string digits = std::to_string(n);
  if (static_cast<int>(digits.size()) < width) {
    digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
  }
  return digits;
}

// Walks the pattern; for each placeholder calls expand(name, width) and appends what it returns.
// width is 0 unless the placeholder is {n:W}.
template <typename Expand>
Result<std::string> Walk(std::string_view pattern, Expand expand) {
  if (pattern.empty() || pattern.size() > kMaxPatternLength) {
    return Status::InvalidArgument("a name pattern is 1-" + std::to_string(kMaxPatternLength) +
                                   " characters long");
  }
  std::string out;
  bool any = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '}') {
      return Status::InvalidArgument("pattern: '}' without '{' at " + std::to_string(i + 1));
    }
    if (c != '{') {
      bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!allowed) {
        return Status::InvalidArgument(std::string("pattern: '") + c +
                                       "' cannot be part of a name (a-z, 0-9 and '-')");
      }
      out += c;
      continue;
    }
    std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("pattern: '{' without '}' at " + std::to_string(i + 1));
    }
    std::string_view name = pattern.substr(i + 1, close - i - 1);
    int width = 0;
    if (name.size() == 3 && name.substr(0, 2) == "n:" && name[2] >= '1' && name[2] <= '9') {
      width = name[2] - '0';
      name = "n";
    }
    if (name != "mac" && name != "mac6" && name != "n") {
      return Status::InvalidArgument("pattern: unknown placeholder {" + std::string(name) +
                                     "}; use {mac}, {mac6}, {n} or {n:W}");
    }
    out += expand(name, width);
    any = true;
    i = close;
  }
  if (!any) {
    return Status::InvalidArgument(
        "pattern: no placeholder, so every gateway would get the same name; add {mac6} or {n}");
  }
  return out;
}

}  // namespace

Status ValidateNamePattern(std::string_view pattern) {
  return Walk(pattern, [](std::string_view, int) { return std::string(); }).status();
}

Result<std::string> RenderName(std::string_view pattern, std::string_view mac, std::int64_t n) {
  if (!protocol::IsCanonicalMac(mac)) {
    return Status::InvalidArgument("not a canonical MAC: " + std::string(mac.substr(0, 32)));
  }
  std::string hex;
  for (char c : mac) {
    if (c != ':') {
      hex += c;
    }
  }
  GPS_ASSIGN_OR_RETURN(std::string name,
                       Walk(pattern, [&](std::string_view placeholder, int width) {
                         if (placeholder == "mac") {
                           return hex;
                         }
                         if (placeholder == "mac6") {
                           return hex.substr(hex.size() - 6);
                         }
                         return Padded(n, width);
                       }));
  Status valid = protocol::ValidateDeviceName(name);
  if (!valid.ok()) {
    return Status::InvalidArgument("the name '" + name + "' is not valid: " + valid.message());
  }
  return name;
}

}  // namespace gps::ui
