#include "gps/http/outcome.h"

#include <ctime>

#include "gps/json/json.h"

namespace gps::http {

namespace {

constexpr std::size_t kMaxErrorText = 512;

std::string Truncate(std::string s) {
  if (s.size() > kMaxErrorText) {
    s.resize(kMaxErrorText);
    s += "…";
  }
  return s;
}

}  // namespace

Millis ParseRetryAfter(std::string_view value, Instant now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) {
    return 0;
  }
  bool digits = value.size() <= 9;
  for (char c : value) {
    digits = digits && c >= '0' && c <= '9';
  }
  if (digits) {
    return std::stoll(std::string(value)) * 1000;
  }
  std::tm tm{};
  std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') {
    return 0;
  }
  Millis at = static_cast<Millis>(timegm(&tm)) * 1000;
  return at > now.ms ? at - now.ms : 0;
}

std::string ErrorText(const Response& response) {
  Result<json::Document> doc = json::Parse(response.body, 1 << 20, "error body");
  if (doc.ok()) {
    json::Value root = doc->Root();
    if (root.IsObject()) {
      for (std::string_view key : {"error", "message", "Message"}) {
        if (auto v = root.Find(key); v && v->IsString()) {
          Result<std::string> s = v->AsString(1 << 20);
          if (s.ok() && !s->empty()) {
            return Truncate(*s);
          }
        }
      }
      if (auto errors = root.Find("errors"); errors && errors->IsArray()) {
        Result<std::vector<json::Value>> items = errors->AsArray();
        std::string joined;
        if (items.ok()) {
          for (const json::Value& item : *items) {
            Result<std::string> s = item.AsString(1 << 20);
            if (s.ok()) {
              joined += (joined.empty() ? "" : "; ") + *s;
            }
          }
        }
        if (!joined.empty()) {
          return Truncate(joined);
        }
      }
    }
  }
  if (response.body.empty()) {
    return "(empty body)";
  }
  return Truncate(response.body);
}

Outcome Classify(const Result<Response>& response, std::string_view what, Instant now) {
  std::string prefix(what);
  if (!response.ok()) {
    return Outcome::Retryable(prefix + ": " + response.status().message());
  }
  int status = response->status;
  if (status >= 200 && status < 300) {
    return Outcome::Ok();
  }
  std::string error = prefix + ": HTTP " + std::to_string(status) + ": " + ErrorText(*response);
  if (status == 429) {
    Millis after = 0;
    if (auto h = response->HeaderValue("Retry-After")) {
      after = ParseRetryAfter(*h, now);
    }
    return Outcome::Retryable(error, after);
  }
  if (status == 408 || status >= 500) {
    return Outcome::Retryable(error);
  }
  return Outcome::Permanent(error);
}

}  // namespace gps::http
