#include "cloudsim/faults/fault_config.h"

#include <rapidjson/document.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "gps/json/json.h"

namespace gps::cloudsim {

namespace {

constexpr std::size_t kMaxConfigBytes = 64 * 1024;
constexpr std::size_t kMaxFailEntries = 32;
constexpr std::size_t kMaxText = 4096;
constexpr Millis kMaxLatencyMs = 600000;  // 10 min
constexpr Millis kMaxHangMs = 3600000;    // 1 h
constexpr std::int64_t kMaxRateLimit = 1000000000;
constexpr std::int64_t kMaxWindowS = 86400;

Status Bad(const std::string& path, std::string_view what) {
  return Status::InvalidArgument(path + ": " + std::string(what));
}

std::string Child(const std::string& parent, std::string_view key) {
  return parent + "." + std::string(key);
}

Result<std::int64_t> IntIn(const json::Value& v, const std::string& path, std::int64_t min,
                           std::int64_t max) {
  if (!v.raw()->IsInt64()) {
    return Bad(path,
               "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  std::int64_t n = v.raw()->GetInt64();
  if (n < min || n > max) {
    return Bad(path, "must be an integer from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got " + std::to_string(n));
  }
  return n;
}

Result<double> Rate(const json::Value& v, const std::string& path) {
  if (!v.raw()->IsNumber()) {
    return Bad(path, "must be a number from 0 to 1");
  }
  double r = v.raw()->GetDouble();
  if (!(r >= 0.0 && r <= 1.0)) {
    return Bad(path, "must be a number from 0 to 1");
  }
  return r;
}

Result<std::string> Text(const json::Value& v, const std::string& path) {
  if (!v.raw()->IsString()) {
    return Bad(path, "must be a string");
  }
  return json::Value(v.raw(), path).AsString(kMaxText);
}

Result<FaultWhen> When(const json::Value& v, const std::string& path) {
  Result<std::string> text = Text(v, path);
  if (text.ok()) {
    if (*text == "before") {
      return FaultWhen::kBefore;
    }
    if (*text == "after") {
      return FaultWhen::kAfter;
    }
    if (*text == "either") {
      return FaultWhen::kEither;
    }
  }
  return Bad(path, "must be \"before\", \"after\" or \"either\"");
}

// latency_ms: a number of milliseconds, or [min, max].
Status ParseLatency(const json::Value& v, const std::string& path, ServiceFaults* out) {
  if (v.IsArray()) {
    std::vector<json::Value> items = v.AsArray().value();
    if (items.size() != 2) {
      return Bad(path, "must be a number of milliseconds or [min, max]");
    }
    GPS_ASSIGN_OR_RETURN(out->latency_min_ms, IntIn(items[0], path + "[0]", 0, kMaxLatencyMs));
    GPS_ASSIGN_OR_RETURN(out->latency_max_ms, IntIn(items[1], path + "[1]", 0, kMaxLatencyMs));
    if (out->latency_min_ms > out->latency_max_ms) {
      return Bad(path, "min must not exceed max");
    }
    return Status::Ok();
  }
  Result<std::int64_t> ms = IntIn(v, path, 0, kMaxLatencyMs);
  if (!ms.ok()) {
    return Bad(path, "must be a number of milliseconds (0 to " + std::to_string(kMaxLatencyMs) +
                         ") or [min, max]");
  }
  out->latency_min_ms = out->latency_max_ms = *ms;
  return Status::Ok();
}

Status ParseStatuses(const json::Value& v, const std::string& path, std::vector<int>* out) {
  out->clear();
  if (!v.IsArray()) {
    GPS_ASSIGN_OR_RETURN(std::int64_t s, IntIn(v, path, 500, 599));
    out->push_back(static_cast<int>(s));
    return Status::Ok();
  }
  std::vector<json::Value> items = v.AsArray().value();
  if (items.empty() || items.size() > 16) {
    return Bad(path, "must be a 5xx status or a list of 1 to 16 of them");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    GPS_ASSIGN_OR_RETURN(std::int64_t s,
                         IntIn(items[i], path + "[" + std::to_string(i) + "]", 500, 599));
    out->push_back(static_cast<int>(s));
  }
  return Status::Ok();
}

Result<PermanentFault> ParseFail(const json::Value& v, const std::string& path) {
  if (!v.IsObject()) {
    return Bad(path, "must be an object");
  }
  PermanentFault f;
  bool has_status = false;
  std::vector<std::pair<std::string, json::Value>> members = v.Members().value();
  for (const auto& [key, value] : members) {
    std::string p = Child(path, key);
    if (value.IsNull()) {
      continue;  // null is "not given", as the normalised output writes absent fields
    }
    if (key == "status") {
      GPS_ASSIGN_OR_RETURN(std::int64_t s, IntIn(value, p, 400, 599));
      f.status = static_cast<int>(s);
      has_status = true;
    } else if (key == "message") {
      GPS_ASSIGN_OR_RETURN(f.message, Text(value, p));
    } else if (key == "body") {
      std::string body = value.Serialize();
      if (body.size() > kMaxConfigBytes) {
        return Bad(p, "is too large");
      }
      f.body_json = std::move(body);
    } else if (key == "method") {
      GPS_ASSIGN_OR_RETURN(std::string m, Text(value, p));
      for (char& c : m) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      if (!m.empty() && m != "GET" && m != "PUT" && m != "POST" && m != "PATCH" && m != "DELETE") {
        return Bad(p, "must be GET, PUT, POST, PATCH or DELETE");
      }
      f.method = std::move(m);
    } else if (key == "path") {
      GPS_ASSIGN_OR_RETURN(f.path, Text(value, p));
      if (!f.path.empty() && f.path[0] != '/') {
        return Bad(p, "must start with '/'");
      }
    } else if (key == "when") {
      GPS_ASSIGN_OR_RETURN(f.when, When(value, p));
    } else {
      return Bad(p, "unknown field (status, message, body, method, path, when)");
    }
  }
  if (!has_status) {
    return Bad(Child(path, "status"), "is required (400..599)");
  }
  if (f.body_json && !f.message.empty()) {
    return Bad(path, "give message or body, not both");
  }
  return f;
}

Result<ServiceFaults> ParseService(std::size_t service, const json::Value& v,
                                   const std::string& path) {
  if (!v.IsObject()) {
    return Bad(path, "must be an object");
  }
  ServiceFaults f = NoFaults(service);
  std::vector<std::pair<std::string, json::Value>> members = v.Members().value();
  for (const auto& [key, value] : members) {
    std::string p = Child(path, key);
    if (value.IsNull()) {
      continue;
    }
    if (key == "latency_ms") {
      GPS_RETURN_IF_ERROR(ParseLatency(value, p, &f));
    } else if (key == "error_rate") {
      GPS_ASSIGN_OR_RETURN(f.error_rate, Rate(value, p));
    } else if (key == "error_status") {
      GPS_RETURN_IF_ERROR(ParseStatuses(value, p, &f.error_status));
    } else if (key == "rate_limit") {
      GPS_ASSIGN_OR_RETURN(f.rate_limit, IntIn(value, p, 0, kMaxRateLimit));
    } else if (key == "rate_window_s") {
      GPS_ASSIGN_OR_RETURN(f.rate_window_s, IntIn(value, p, 1, kMaxWindowS));
    } else if (key == "retry_after_s") {
      GPS_ASSIGN_OR_RETURN(f.retry_after_s, IntIn(value, p, 0, kMaxWindowS));
    } else if (key == "drop_rate") {
      GPS_ASSIGN_OR_RETURN(f.drop_rate, Rate(value, p));
    } else if (key == "hang_rate") {
      GPS_ASSIGN_OR_RETURN(f.hang_rate, Rate(value, p));
    } else if (key == "hang_ms") {
      GPS_ASSIGN_OR_RETURN(f.hang_ms, IntIn(value, p, 0, kMaxHangMs));
    } else if (key == "when") {
      GPS_ASSIGN_OR_RETURN(f.when, When(value, p));
    } else if (key == "fail") {
      std::vector<json::Value> items;
      if (value.IsArray()) {
        items = value.AsArray().value();
      } else {
        items.push_back(value);
      }
      if (items.size() > kMaxFailEntries) {
        return Bad(p, "at most " + std::to_string(kMaxFailEntries) + " entries");
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        std::string ip = value.IsArray() ? p + "[" + std::to_string(i) + "]" : p;
        GPS_ASSIGN_OR_RETURN(PermanentFault entry, ParseFail(items[i], ip));
        f.fail.push_back(std::move(entry));
      }
    } else {
      return Bad(p,
                 "unknown field (latency_ms, error_rate, error_status, rate_limit, "
                 "rate_window_s, retry_after_s, drop_rate, hang_rate, hang_ms, when, fail)");
    }
  }
  // One draw decides between drop, hang and error, so together they are one probability.
  if (f.drop_rate + f.hang_rate + f.error_rate > 1.0 + 1e-9) {
    return Bad(path, "drop_rate + hang_rate + error_rate must not exceed 1");
  }
  return f;
}

std::string Number(double d) {
  char buf[64];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

void WriteService(json::Writer& w, const ServiceFaults& f) {
  w.BeginObject();
  w.Key("latency_ms").BeginArray().Int(f.latency_min_ms).Int(f.latency_max_ms).EndArray();
  w.Key("error_rate").Raw(Number(f.error_rate));
  w.Key("error_status").BeginArray();
  for (int s : f.error_status) {
    w.Int(s);
  }
  w.EndArray();
  w.Field("rate_limit", f.rate_limit);
  w.Field("rate_window_s", f.rate_window_s);
  w.Key("retry_after_s");
  if (f.retry_after_s) {
    w.Int(*f.retry_after_s);
  } else {
    w.Null();
  }
  w.Key("drop_rate").Raw(Number(f.drop_rate));
  w.Key("hang_rate").Raw(Number(f.hang_rate));
  w.Field("hang_ms", f.hang_ms);
  w.Field("when", FaultWhenName(f.when));
  w.Key("fail").BeginArray();
  for (const PermanentFault& p : f.fail) {
    w.BeginObject().Field("status", p.status);
    if (p.body_json) {
      w.Key("body").Raw(*p.body_json);
    } else {
      w.Field("message", p.message);
    }
    w.Field("method", p.method).Field("path", p.path).Field("when", FaultWhenName(p.when));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::optional<std::size_t> ServiceIndex(std::string_view name) {
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    if (kServiceNames[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::string_view FaultWhenName(FaultWhen when) {
  switch (when) {
    case FaultWhen::kBefore:
      return "before";
    case FaultWhen::kAfter:
      return "after";
    case FaultWhen::kEither:
      return "either";
  }
  return "either";
}

std::vector<int> DefaultErrorStatuses(std::size_t service) {
  std::string_view name = service < kServiceCount ? kServiceNames[service] : "";
  if (name == "dps") {
    return {500};
  }
  if (name == "vault") {
    return {500, 502, 503};
  }
  return {500, 503};  // mender, hub
}

ServiceFaults NoFaults(std::size_t service) {
  ServiceFaults f;
  f.error_status = DefaultErrorStatuses(service);
  return f;
}

FaultConfig NoFaults() {
  FaultConfig c;
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    c.services[i] = NoFaults(i);
  }
  return c;
}

Result<FaultConfig> ParseFaultConfig(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return NoFaults();
  }
  Result<json::Document> doc = json::Parse(text, kMaxConfigBytes, "faults");
  if (!doc.ok()) {
    return doc.status();
  }
  json::Value root = doc->Root();
  if (!root.IsObject()) {
    return Status::InvalidArgument(
        "faults: must be an object {\"mender\":{...},\"dps\":{...},\"vault\":{...},"
        "\"hub\":{...}}");
  }
  FaultConfig config = NoFaults();
  std::vector<std::pair<std::string, json::Value>> members = root.Members().value();
  for (const auto& [key, value] : members) {
    std::optional<std::size_t> service = ServiceIndex(key);
    if (!service) {
      return Status::InvalidArgument("faults: unknown service \"" + key +
                                     "\" (mender, dps, vault, hub)");
    }
    if (value.IsNull()) {
      continue;
    }
    GPS_ASSIGN_OR_RETURN(config.services[*service], ParseService(*service, value, key));
  }
  return config;
}

Result<ServiceFaults> ParseServiceFaults(std::size_t service, std::string_view text) {
  std::string name(service < kServiceCount ? kServiceNames[service] : "service");
  Result<json::Document> doc = json::Parse(text, kMaxConfigBytes, name);
  if (!doc.ok()) {
    return doc.status();
  }
  return ParseService(service, doc->Root(), name);
}

std::string FaultConfigJson(const FaultConfig& config) {
  json::Writer w;
  w.BeginObject();
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    w.Key(kServiceNames[i]);
    WriteService(w, config.services[i]);
  }
  w.EndObject();
  return w.Take();
}

std::string ServiceFaultsJson(const ServiceFaults& faults) {
  json::Writer w;
  WriteService(w, faults);
  return w.Take();
}

}  // namespace gps::cloudsim
