#include "tests/support/process_log.h"

#include <sstream>

#include "gps/json/json.h"
#include "tests/support/subprocess.h"

namespace gps::testing {

namespace {

// Log lines carry error text from outside, cut at a few KiB; counters grow with the process.
constexpr std::size_t kMaxLineBytes = 1 << 20;

}  // namespace

std::string LogLine::Field(const std::string& key) const {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

std::vector<LogLine> ReadLogLines(const std::string& path) {
  std::vector<LogLine> out;
  std::istringstream in(ReadFileOrEmpty(path));
  std::string text;
  while (std::getline(in, text)) {
    Result<json::Document> doc = json::ParseObject(text, kMaxLineBytes, "log line");
    if (!doc.ok()) {
      continue;
    }
    Result<std::vector<std::pair<std::string, json::Value>>> members = doc->Root().Members();
    if (!members.ok()) {
      continue;
    }
    LogLine line;
    for (const auto& [key, value] : *members) {
      Result<std::string> s = value.AsString(kMaxLineBytes);
      Result<std::int64_t> i = value.AsInt();
      line.fields[key] = s.ok() ? *s : i.ok() ? std::to_string(*i) : value.Serialize();
    }
    line.msg = line.Field("msg");
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<LogLine> LinesWithMsg(const std::vector<LogLine>& lines, const std::string& msg) {
  std::vector<LogLine> out;
  for (const LogLine& line : lines) {
    if (line.msg == msg) {
      out.push_back(line);
    }
  }
  return out;
}

std::map<std::string, std::uint64_t> LastCounters(const std::string& path) {
  std::map<std::string, std::uint64_t> out;
  std::vector<LogLine> lines = ReadLogLines(path);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string counters = it->Field("counters");
    if (counters.empty()) {
      continue;
    }
    Result<json::Document> doc = json::ParseObject(counters, kMaxLineBytes, "counters");
    if (!doc.ok()) {
      continue;
    }
    for (const auto& [name, value] :
         doc->Root().Members().value_or(std::vector<std::pair<std::string, json::Value>>{})) {
      out[name] = static_cast<std::uint64_t>(value.AsInt().value_or(0));
    }
    return out;
  }
  return out;
}

std::uint64_t LastCounter(const std::string& path, const std::string& name) {
  std::map<std::string, std::uint64_t> counters = LastCounters(path);
  auto it = counters.find(name);
  return it == counters.end() ? 0 : it->second;
}

}  // namespace gps::testing
