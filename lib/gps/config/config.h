#pragma once
// Typed configuration read once at start-up from a table of settings.
//
// Each process declares its settings {GPS_* name, default, one-line help, secret?} against the
// fields of its own Config struct. The same table produces --help. Sources, lowest precedence
// first: the defaults, a KEY=VALUE file (--config FILE, GPS_CONFIG_FILE, or the table's default
// file), the environment, then command-line flags (--mqtt-uri=X for GPS_MQTT_URI).
// A secret may instead be given as a path in <NAME>_FILE and is never printed.
// A bad value names its variable and the process exits non-zero (LoadOrExit).
// Not thread-safe; use from main() only. The Table keeps pointers to the fields: the Config
// struct must outlive Load().

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gps/core/result.h"

namespace gps::config {

// Looks a variable up; the default reads the process environment.
using Lookup = std::function<std::optional<std::string>(const std::string& name)>;
Lookup ProcessEnvironment();

class Table {
 public:
  Table(std::string program, std::string summary);

  void Add(std::string env, std::string* field, std::string fallback, std::string help);
  // Empty by default; may come from <env>_FILE. Never echoed in help or logs.
  void AddSecret(std::string env, std::string* field, std::string help);
  void Add(std::string env, std::int64_t* field, std::int64_t fallback, std::string help,
           std::int64_t min, std::int64_t max);
  void Add(std::string env, int* field, int fallback, std::string help, int min, int max);
  void Add(std::string env, bool* field, bool fallback, std::string help);
  // A setting that may be repeated: values are separated by newlines in env and file, and each
  // --flag occurrence adds one.
  void AddList(std::string env, std::vector<std::string>* field, std::vector<std::string> fallback,
               std::string help);

  // A check over several fields, run after all values are loaded.
  void AddCheck(std::function<Status()> check);
  // A config file read when none is named; missing is fine, unreadable is an error.
  void SetDefaultFile(std::string path);

  enum class Outcome { kRun, kHelp };
  // Applies defaults, file, environment and flags, then the checks.
  Result<Outcome> Load(const std::vector<std::string>& args, const Lookup& env);
  std::string Help() const;

 private:
  struct Setting {
    std::string env;
    std::string flag;  // "--mqtt-uri"
    std::string fallback_text;
    std::string help;
    bool secret = false;
    bool is_bool = false;
    bool is_list = false;
    std::function<Status(const std::string&)> assign;
    std::function<void()> reset;
  };
  Status Assign(Setting& s, const std::string& value, const std::string& source);
  Status LoadFile(const std::string& path, bool required);

  std::string program_;
  std::string summary_;
  std::string default_file_;
  std::vector<Setting> settings_;
  std::vector<std::function<Status()>> checks_;
};

// Loads from the process environment and argv; prints --help and exits 0, or prints the error to
// stderr and exits 2.
void LoadOrExit(Table& table, int argc, char** argv);

// Reads a whole file, refusing one larger than max_bytes.
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = 1 << 20);

}  // namespace gps::config
