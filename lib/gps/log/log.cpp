#include "gps/log/log.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

#include "gps/core/clock.h"
#include "gps/json/json.h"

namespace gps::log {

namespace {

std::string& ProcName() {
  static std::string name = "gps";
  return name;
}

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};
std::mutex g_sink_mutex;
std::function<void(std::string_view)> g_sink;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

void WriteAll(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      return;  // stderr gone: nothing sensible left to do with a log line
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

void Init(std::string_view proc, Level min_level) {
  ProcName() = std::string(proc);
  g_min_level.store(static_cast<int>(min_level));
}

bool ParseLevel(std::string_view text, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

std::string FormatLine(std::string_view ts, Level level, std::string_view proc,
                       std::string_view msg, std::initializer_list<Field> fields) {
  json::Writer w;
  w.BeginObject();
  w.Field("ts", ts).Field("level", LevelName(level)).Field("proc", proc).Field("msg", msg);
  for (const Field& f : fields) {
    w.Key(f.key);
    if (const auto* s = std::get_if<std::string>(&f.value)) {
      w.String(*s);
    } else {
      w.Int(std::get<std::int64_t>(f.value));
    }
  }
  w.EndObject();
  return w.Take();
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) {
    return;
  }
  std::string line = FormatLine(FormatRfc3339(SystemClock().Now()), level, ProcName(), msg, fields);
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  if (g_sink) {
    g_sink(line);
    return;
  }
  line += '\n';
  WriteAll(STDERR_FILENO, line);
}

void SetSinkForTest(std::function<void(std::string_view line)> sink) {
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  g_sink = std::move(sink);
}

}  // namespace gps::log
