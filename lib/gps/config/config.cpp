#include "gps/config/config.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace gps::config {

namespace {

std::string FlagFor(const std::string& env) {
  std::string name = env.rfind("GPS_", 0) == 0 ? env.substr(4) : env;
  std::string flag = "--";
  for (char c : name) {
    flag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return flag;
}

std::string Trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) {
    return "";
  }
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

Result<std::int64_t> ParseInt(const std::string& text) {
  if (text.empty()) {
    return Status::InvalidArgument("empty, expected an integer");
  }
  std::size_t pos = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &pos, 10);
  } catch (const std::exception&) {
    return Status::InvalidArgument("'" + text + "' is not an integer");
  }
  if (pos != text.size()) {
    return Status::InvalidArgument("'" + text + "' is not an integer");
  }
  return static_cast<std::int64_t>(v);
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

}  // namespace

Lookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot open " + path);
  }
  std::string data;
  char buf[8192];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return Status::InvalidArgument(path + ": larger than " + std::to_string(max_bytes) +
                                     " bytes");
    }
  }
  if (in.bad()) {
    return Status::Unavailable("error reading " + path);
  }
  return data;
}

Table::Table(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void Table::Add(std::string env, std::string* field, std::string fallback, std::string help) {
  Setting s;
  s.env = std::move(env);
  s.flag = FlagFor(s.env);
  s.fallback_text = fallback;
  s.help = std::move(help);
  s.assign = [field](const std::string& v) {
    *field = v;
    return Status::Ok();
  };
  s.reset = [field, fallback] { *field = fallback; };
  settings_.push_back(std::move(s));
}

void Table::AddSecret(std::string env, std::string* field, std::string help) {
  Add(std::move(env), field, "", std::move(help));
  settings_.back().secret = true;
}

void Table::Add(std::string env, std::int64_t* field, std::int64_t fallback, std::string help,
                std::int64_t min, std::int64_t max) {
  Setting s;
  s.env = std::move(env);
  s.flag = FlagFor(s.env);
  s.fallback_text = std::to_string(fallback);
  s.help = std::move(help);
  s.assign = [field, min, max](const std::string& v) -> Status {
    Result<std::int64_t> n = ParseInt(v);
    if (!n.ok()) {
      return n.status();
    }
    if (*n < min || *n > max) {
      return Status::InvalidArgument(v + " is outside [" + std::to_string(min) + ", " +
                                     std::to_string(max) + "]");
    }
    *field = *n;
    return Status::Ok();
  };
  s.reset = [field, fallback] { *field = fallback; };
  settings_.push_back(std::move(s));
}

void Table::Add(std::string env, int* field, int fallback, std::string help, int min, int max) {
  Setting s;
  s.env = std::move(env);
  s.flag = FlagFor(s.env);
  s.fallback_text = std::to_string(fallback);
  s.help = std::move(help);
  s.assign = [field, min, max](const std::string& v) -> Status {
    Result<std::int64_t> n = ParseInt(v);
    if (!n.ok()) {
      return n.status();
    }
    if (*n < min || *n > max) {
      return Status::InvalidArgument(v + " is outside [" + std::to_string(min) + ", " +
                                     std::to_string(max) + "]");
    }
    *field = static_cast<int>(*n);
    return Status::Ok();
  };
  s.reset = [field, fallback] { *field = fallback; };
  settings_.push_back(std::move(s));
}

void Table::Add(std::string env, bool* field, bool fallback, std::string help) {
  Setting s;
  s.env = std::move(env);
  s.flag = FlagFor(s.env);
  s.fallback_text = fallback ? "true" : "false";
  s.help = std::move(help);
  s.is_bool = true;
  s.assign = [field](const std::string& v) -> Status {
    if (v == "1" || v == "true" || v == "yes" || v == "on") {
      *field = true;
    } else if (v == "0" || v == "false" || v == "no" || v == "off") {
      *field = false;
    } else {
      return Status::InvalidArgument("'" + v + "' is not a boolean (true/false)");
    }
    return Status::Ok();
  };
  s.reset = [field, fallback] { *field = fallback; };
  settings_.push_back(std::move(s));
}

void Table::AddList(std::string env, std::vector<std::string>* field,
                    std::vector<std::string> fallback, std::string help) {
  Setting s;
  s.env = std::move(env);
  s.flag = FlagFor(s.env);
  for (const std::string& f : fallback) {
    s.fallback_text += (s.fallback_text.empty() ? "" : " | ") + f;
  }
  s.help = std::move(help);
  s.is_list = true;
  s.assign = [field](const std::string& v) {
    *field = SplitLines(v);
    return Status::Ok();
  };
  s.reset = [field, fallback] { *field = fallback; };
  settings_.push_back(std::move(s));
}

void Table::AddCheck(std::function<Status()> check) { checks_.push_back(std::move(check)); }

void Table::SetDefaultFile(std::string path) { default_file_ = std::move(path); }

Status Table::Assign(Setting& s, const std::string& value, const std::string& source) {
  Status st = s.assign(value);
  if (!st.ok()) {
    return Status::InvalidArgument(s.env + " (from " + source + "): " + st.message());
  }
  return Status::Ok();
}

Status Table::LoadFile(const std::string& path, bool required) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (!required && text.status().IsNotFound()) {
      return Status::Ok();
    }
    return Status::InvalidArgument("config file: " + text.status().message());
  }
  std::istringstream in(*text);
  std::string line;
  int line_no = 0;
  std::map<std::string, std::string> list_values;
  while (std::getline(in, line)) {
    ++line_no;
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#') {
      continue;
    }
    std::size_t eq = t.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) +
                                     ": expected NAME=value");
    }
    std::string key = Trim(t.substr(0, eq));
    std::string value = Trim(t.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    bool known = false;
    for (Setting& s : settings_) {
      if (s.env == key) {
        known = true;
        if (s.is_list) {
          // A list setting may be written once per line in a file.
          list_values[key] += value + "\n";
        } else {
          GPS_RETURN_IF_ERROR(Assign(s, value, path + ":" + std::to_string(line_no)));
        }
      } else if (s.secret && s.env + "_FILE" == key) {
        known = true;
        Result<std::string> secret = ReadFile(value, 64 * 1024);
        if (!secret.ok()) {
          return Status::InvalidArgument(key + ": " + secret.status().message());
        }
        GPS_RETURN_IF_ERROR(Assign(s, Trim(*secret), key));
      }
    }
    if (!known) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) + ": unknown setting " +
                                     key);
    }
  }
  for (Setting& s : settings_) {
    auto it = list_values.find(s.env);
    if (it != list_values.end()) {
      GPS_RETURN_IF_ERROR(Assign(s, it->second, path));
    }
  }
  return Status::Ok();
}

Result<Table::Outcome> Table::Load(const std::vector<std::string>& args, const Lookup& env) {
  for (Setting& s : settings_) {
    s.reset();
  }
  // The config file can be named by flag or environment; find it first.
  std::string file;
  bool file_required = false;
  if (auto f = env("GPS_CONFIG_FILE")) {
    file = *f;
    file_required = true;
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      return Outcome::kHelp;
    }
    if (args[i] == "--config" || args[i].rfind("--config=", 0) == 0) {
      // Without a value the operator's file would be silently skipped.
      file = args[i] == "--config" ? (i + 1 < args.size() ? args[i + 1] : "") : args[i].substr(9);
      if (file.empty()) {
        return Status::InvalidArgument("--config needs a file name");
      }
      file_required = true;
    }
  }
  if (file.empty()) {
    file = default_file_;
  }
  if (!file.empty()) {
    GPS_RETURN_IF_ERROR(LoadFile(file, file_required));
  }

  for (Setting& s : settings_) {
    std::optional<std::string> direct = env(s.env);
    if (s.secret) {
      std::optional<std::string> path = env(s.env + "_FILE");
      if (direct && path) {
        return Status::InvalidArgument(s.env + " and " + s.env + "_FILE are both set; use one");
      }
      if (path) {
        Result<std::string> secret = ReadFile(*path, 64 * 1024);
        if (!secret.ok()) {
          return Status::InvalidArgument(s.env + "_FILE: " + secret.status().message());
        }
        GPS_RETURN_IF_ERROR(Assign(s, Trim(*secret), s.env + "_FILE"));
        continue;
      }
    }
    if (direct) {
      GPS_RETURN_IF_ERROR(Assign(s, *direct, "environment"));
    }
  }

  std::map<std::string, std::string> list_flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config") {
      ++i;
      continue;
    }
    if (a.rfind("--config=", 0) == 0) {
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      return Status::InvalidArgument("unexpected argument '" + a + "' (see --help)");
    }
    std::string name = a;
    std::optional<std::string> value;
    std::size_t eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    }
    Setting* match = nullptr;
    for (Setting& s : settings_) {
      if (s.flag == name) {
        match = &s;
      }
    }
    if (match == nullptr) {
      return Status::InvalidArgument("unknown flag " + name + " (see --help)");
    }
    if (!value) {
      if (match->is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Status::InvalidArgument(name + " needs a value");
      }
    }
    if (match->is_list) {
      list_flags[match->env] += *value + "\n";
      continue;
    }
    GPS_RETURN_IF_ERROR(Assign(*match, *value, name));
  }
  for (Setting& s : settings_) {
    auto it = list_flags.find(s.env);
    if (it != list_flags.end()) {
      GPS_RETURN_IF_ERROR(Assign(s, it->second, s.flag));
    }
  }
  for (const auto& check : checks_) {
    GPS_RETURN_IF_ERROR(check());
  }
  return Outcome::kRun;
}

std::string Table::Help() const {
  std::ostringstream out;
  out << program_ << ": " << summary_ << "\n\n";
  out << "Every setting is an environment variable, a line NAME=value in a config file\n"
         "(--config FILE or GPS_CONFIG_FILE";
  if (!default_file_.empty()) {
    out << "; default " << default_file_;
  }
  out << "), or a flag. Flags win over the environment, which wins over the file.\n"
         "Secrets may be given as a path in NAME_FILE instead.\n\n";
  for (const Setting& s : settings_) {
    out << "  " << s.env << "  (" << s.flag << ")";
    if (s.secret) {
      out << "  [secret; or " << s.env << "_FILE]";
    }
    out << "\n      " << s.help;
    if (!s.secret) {
      out << "\n      default: " << (s.fallback_text.empty() ? "(empty)" : s.fallback_text);
    }
    out << "\n";
  }
  return out.str();
}

void LoadOrExit(Table& table, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Result<Table::Outcome> outcome = table.Load(args, ProcessEnvironment());
  if (!outcome.ok()) {
    std::cerr << "configuration error: " << outcome.status().message() << "\n";
    std::exit(2);
  }
  if (*outcome == Table::Outcome::kHelp) {
    std::cout << table.Help();
    std::exit(0);
  }
}

}  // namespace gps::config
