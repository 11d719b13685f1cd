#include "gps/retry/policy_spec.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "gps/core/text.h"

namespace gps::retry {

namespace {

constexpr Millis kMaxDurationMs = 30LL * 24 * 3600 * 1000;  // a month: beyond it is a typo

Result<double> ParseNumber(std::string_view text, std::string_view key) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Status::InvalidArgument("retry policy: " + std::string(key) + "=" + std::string(text) +
                                   " is not a number");
  }
  return value;
}

Status OutOfRange(std::string_view key, std::string_view value, std::string_view range) {
  return Status::InvalidArgument("retry policy: " + std::string(key) + "=" + std::string(value) +
                                 " is outside " + std::string(range));
}

std::string FormatDuration(Millis ms) {
  if (ms != 0 && ms % 1000 == 0) {
    return std::to_string(ms / 1000) + "s";
  }
  return std::to_string(ms) + "ms";
}

}  // namespace

Result<Millis> ParseDurationMs(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    Millis factor;
  };
  // "ms" before "m" and "s", so that the longest suffix wins.
  static constexpr Unit kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
  std::string_view number = text;
  Millis factor = 1;
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      number = text.substr(0, text.size() - u.suffix.size());
      factor = u.factor;
      break;
    }
  }
  Result<double> value = ParseNumber(number, "duration");
  if (!value.ok() || *value < 0 || *value * static_cast<double>(factor) > kMaxDurationMs) {
    return Status::InvalidArgument(
        "'" + std::string(text) +
        "' is not a duration between 0 and 720h (e.g. 250ms, 5s, 2m, 1h, 14d)");
  }
  return static_cast<Millis>(std::llround(*value * static_cast<double>(factor)));
}

Result<Policy> ParsePolicySpec(std::string_view spec, const Policy& base) {
  Policy p = base;
  std::string_view rest = TrimBlanks(spec);
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = TrimBlanks(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("retry policy: '" + std::string(item) + "' is not key=value");
    }
    std::string_view key = TrimBlanks(item.substr(0, eq));
    std::string_view value = TrimBlanks(item.substr(eq + 1));
    auto duration = [&](Millis* out, Millis min) -> Status {
      Result<Millis> d = ParseDurationMs(value);
      if (!d.ok()) {
        return Status::InvalidArgument("retry policy: " + std::string(key) + ": " +
                                       d.status().message());
      }
      if (*d < min) {
        return OutOfRange(key, value, "[" + FormatDuration(min) + ", 720h]");
      }
      *out = *d;
      return Status::Ok();
    };
    if (key == "attempts") {
      GPS_ASSIGN_OR_RETURN(double n, ParseNumber(value, key));
      if (n < 1 || n > 1000 || n != std::floor(n)) {
        return OutOfRange(key, value, "the whole numbers 1..1000");
      }
      p.max_attempts = static_cast<int>(n);
    } else if (key == "backoff") {
      GPS_RETURN_IF_ERROR(duration(&p.initial_backoff_ms, 0));
    } else if (key == "max_backoff") {
      GPS_RETURN_IF_ERROR(duration(&p.max_backoff_ms, 0));
    } else if (key == "timeout") {
      GPS_RETURN_IF_ERROR(duration(&p.attempt_timeout_ms, 100));
    } else if (key == "multiplier") {
      GPS_ASSIGN_OR_RETURN(double m, ParseNumber(value, key));
      if (m < 1 || m > 100) {
        return OutOfRange(key, value, "[1, 100]");
      }
      p.multiplier = m;
    } else if (key == "jitter") {
      GPS_ASSIGN_OR_RETURN(double j, ParseNumber(value, key));
      if (j < 0 || j > 1) {
        return OutOfRange(key, value, "[0, 1]");
      }
      p.jitter = j;
    } else {
      return Status::InvalidArgument(
          "retry policy: unknown key '" + std::string(key) +
          "' (known: attempts, backoff, multiplier, max_backoff, jitter, timeout)");
    }
  }
  if (p.max_backoff_ms < p.initial_backoff_ms) {
    return Status::InvalidArgument("retry policy: max_backoff (" +
                                   FormatDuration(p.max_backoff_ms) + ") is below backoff (" +
                                   FormatDuration(p.initial_backoff_ms) + ")");
  }
  return p;
}

std::string FormatPolicySpec(const Policy& p) {
  char multiplier[32];
  char jitter[32];
  std::snprintf(multiplier, sizeof(multiplier), "%g", p.multiplier);
  std::snprintf(jitter, sizeof(jitter), "%g", p.jitter);
  return "attempts=" + std::to_string(p.max_attempts) +
         ",backoff=" + FormatDuration(p.initial_backoff_ms) + ",multiplier=" + multiplier +
         ",max_backoff=" + FormatDuration(p.max_backoff_ms) + ",jitter=" + jitter +
         ",timeout=" + FormatDuration(p.attempt_timeout_ms);
}

}  // namespace gps::retry
