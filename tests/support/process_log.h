#pragma once
// Reading what a gps process wrote to its log: one JSON object per line (gps/log/log.h), and the
// counters it logs every GPS_STATS_INTERVAL_S in its "stats" lines (and once more when it stops).
// Lines that are not JSON objects (a library writing to stderr) are skipped. For tests; pure
// apart from reading the file; thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gps::testing {

// One log line: msg and every other field, integers written as decimal text.
struct LogLine {
  std::string msg;
  std::map<std::string, std::string> fields;
  // The field's value, or "" when the line has none.
  std::string Field(const std::string& key) const;
};

std::vector<LogLine> ReadLogLines(const std::string& path);
// The lines whose msg is msg, in order.
std::vector<LogLine> LinesWithMsg(const std::vector<LogLine>& lines, const std::string& msg);

// The counters of the last line that carries them (msg "stats" or a stopping line), by name;
// empty before the first such line.
std::map<std::string, std::uint64_t> LastCounters(const std::string& path);
// One counter of LastCounters, 0 when absent.
std::uint64_t LastCounter(const std::string& path, const std::string& name);

}  // namespace gps::testing
