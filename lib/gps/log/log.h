#pragma once
// Structured logging: one JSON object per line on stderr, with fixed field names
// (ts, level, proc, msg, then device_id, saga_id, step, attempt, err, ... when known).
//
// Log once, where an error is handled. Never pass key material or credential bundles as fields;
// fingerprints only. Thread-safe: lines from several threads never interleave.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace gps::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}

  std::string_view key;
  std::variant<std::string, std::int64_t> value;
};

// Sets the process name and the lowest level written. Call once from main before any thread starts.
void Init(std::string_view proc, Level min_level);
// Parses "debug", "info", "warn" or "error".
bool ParseLevel(std::string_view text, Level* out);

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kDebug, msg, fields);
}
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, msg, fields);
}

// Formats one line (without the newline); exposed for tests.
std::string FormatLine(std::string_view ts, Level level, std::string_view proc,
                       std::string_view msg, std::initializer_list<Field> fields);

// Replaces the stderr sink (tests). Pass nullptr to restore stderr.
void SetSinkForTest(std::function<void(std::string_view line)> sink);

}  // namespace gps::log
