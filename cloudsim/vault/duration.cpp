#include "cloudsim/vault/duration.h"

#include <rapidjson/document.h>

#include <cmath>
#include <limits>

namespace gps::cloudsim::vault {

namespace {

constexpr std::int64_t kMaxSeconds = std::int64_t{1} << 40;  // ~34,000 years: refuse beyond

Status Invalid(std::string_view text) {
  return Status::InvalidArgument("time: invalid duration \"" + std::string(text) + "\"");
}

Result<std::int64_t> ParseInteger(std::string_view digits, std::string_view whole) {
  if (digits.empty() || digits.size() > 15) {
    return Invalid(whole);
  }
  std::int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return Invalid(whole);
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

// Go's time.ParseDuration, in (fractional) seconds.
Result<double> ParseGoDuration(std::string_view s) {
  std::string_view orig = s;
  if (s == "0") {
    return 0.0;
  }
  if (s.empty()) {
    return Invalid(orig);
  }
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return Invalid(orig);
  }
  double total = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    double value = 0;
    bool any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      any = true;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        any = true;
        ++i;
      }
    }
    if (!any) {
      return Invalid(orig);
    }
    std::size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') {
      ++u;
    }
    std::string_view unit = s.substr(i, u - i);
    double factor = 0;
    if (unit == "ns") {
      factor = 1e-9;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      factor = 1e-6;
    } else if (unit == "ms") {
      factor = 1e-3;
    } else if (unit == "s") {
      factor = 1;
    } else if (unit == "m") {
      factor = 60;
    } else if (unit == "h") {
      factor = 3600;
    } else if (unit.empty()) {
      return Status::InvalidArgument("time: missing unit in duration \"" + std::string(orig) +
                                     "\"");
    } else {
      return Status::InvalidArgument("time: unknown unit \"" + std::string(unit) +
                                     "\" in duration \"" + std::string(orig) + "\"");
    }
    total += value * factor;
    if (total > static_cast<double>(kMaxSeconds)) {
      return Invalid(orig);
    }
    s.remove_prefix(u);
  }
  return negative ? -total : total;
}

}  // namespace

Result<std::int64_t> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) {
    return std::int64_t{0};
  }
  std::int64_t seconds = 0;
  char last = text.back();
  if (last == 's' || last == 'm' || last == 'h') {
    GPS_ASSIGN_OR_RETURN(double v, ParseGoDuration(text));
    seconds = static_cast<std::int64_t>(std::trunc(v));
  } else if (last == 'd') {
    GPS_ASSIGN_OR_RETURN(std::int64_t days, ParseInteger(text.substr(0, text.size() - 1), text));
    seconds = days * 24 * 3600;
  } else {
    GPS_ASSIGN_OR_RETURN(seconds, ParseInteger(text, text));
  }
  if (seconds < 0) {
    return Status::InvalidArgument("duration \"" + std::string(text) + "\" is negative");
  }
  if (seconds > kMaxSeconds) {
    return Invalid(text);
  }
  return seconds;
}

Result<std::int64_t> ParseDurationValue(const json::Value& value) {
  if (value.IsNull()) {
    return std::int64_t{0};
  }
  if (value.IsString()) {
    GPS_ASSIGN_OR_RETURN(std::string s, value.AsString(64));
    return ParseDurationSeconds(s);
  }
  const json::RawValue* raw = value.raw();
  if (raw->IsNumber()) {
    double v = raw->GetDouble();
    if (v < 0 || v > static_cast<double>(kMaxSeconds)) {
      return Status::InvalidArgument("duration " + std::to_string(v) + " is out of range");
    }
    return static_cast<std::int64_t>(std::trunc(v));
  }
  return Status::InvalidArgument("could not parse duration from input");
}

std::string GoDurationString(std::int64_t seconds) {
  if (seconds == 0) {
    return "0s";
  }
  std::string out = seconds < 0 ? "-" : "";
  std::int64_t s = seconds < 0 ? -seconds : seconds;
  std::int64_t h = s / 3600;
  std::int64_t m = (s % 3600) / 60;
  std::int64_t sec = s % 60;
  if (h > 0) {
    out += std::to_string(h) + "h" + std::to_string(m) + "m";
  } else if (m > 0) {
    out += std::to_string(m) + "m";
  }
  out += std::to_string(sec) + "s";
  return out;
}

}  // namespace gps::cloudsim::vault
