#include "gps/core/clock.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace gps {

std::string FormatRfc3339(Instant t) {
  std::time_t secs = static_cast<std::time_t>(t.ms / 1000);
  int millis = static_cast<int>(t.ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace gps
