#include "ui/api/requests.h"

#include <charconv>

#include "gps/core/text.h"
#include "gps/json/json.h"
#include "gps/protocol/names.h"
#include "gps/saga/record.h"

namespace gps::ui {

std::optional<Refusal> CheckDeviceId(std::string_view id) {
  if (!protocol::IsDeviceId(id)) {
    return Refusal{400, "a device id is 64 lower-case hex characters"};
  }
  return std::nullopt;
}

std::optional<Refusal> CheckSameOrigin(const std::optional<std::string>& origin,
                                       const std::optional<std::string>& host) {
  if (!origin) {
    return std::nullopt;
  }
  const Refusal refused{403, "cross-origin request refused: send it from this server's own page"};
  // "scheme://host[:port]"; an opaque origin ("null") is never ours.
  std::size_t scheme_end = origin->find("://");
  if (!host || scheme_end == std::string::npos) {
    return refused;
  }
  std::string origin_host = ToLower(origin->substr(scheme_end + 3));
  if (origin_host.empty() || origin_host.find('/') != std::string::npos ||
      origin_host != ToLower(TrimBlanks(*host))) {
    return refused;
  }
  return std::nullopt;
}

std::optional<Refusal> CheckJsonContentType(const std::optional<std::string>& content_type) {
  if (!content_type) {
    return Refusal{400, "the request needs Content-Type: application/json"};
  }
  std::string_view media = *content_type;
  media = TrimBlanks(media.substr(0, media.find(';')));
  if (ToLower(media) != "application/json") {
    return Refusal{400, "Content-Type must be application/json, not '" +
                            std::string(media.substr(0, 64)) + "'"};
  }
  return std::nullopt;
}

std::optional<Refusal> CheckBodySize(std::size_t bytes, std::size_t max_bytes) {
  if (bytes > max_bytes) {
    return Refusal{
        413, "the request body is too large: more than " + std::to_string(max_bytes) + " bytes"};
  }
  return std::nullopt;
}

Result<json::Document> ParseJsonObjectBody(const HttpRequest& request, std::size_t max_bytes,
                                           Refusal* refusal) {
  std::optional<Refusal> bad = CheckJsonContentType(request.Header("Content-Type"));
  if (!bad) {
    bad = CheckBodySize(request.body.size(), max_bytes);
  }
  if (!bad && TrimBlanks(request.body).empty()) {
    bad = Refusal{400, "the request body is empty; send a JSON object"};
  }
  if (bad) {
    *refusal = *bad;
    return Status::InvalidArgument(bad->message);
  }
  Result<json::Document> doc = json::ParseObject(request.body, max_bytes, "body");
  if (!doc.ok()) {
    *refusal = Refusal{400, doc.status().message()};
  }
  return doc;
}

Result<std::int64_t> ParseIntParam(const std::vector<std::string>& values, std::string_view name,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max) {
  if (values.empty()) {
    return fallback;
  }
  const std::string range = std::to_string(min) + "-" + std::to_string(max);
  if (values.size() > 1) {
    return Status::InvalidArgument(std::string(name) + " may be given once");
  }
  std::int64_t n = 0;
  const std::string& text = values.front();
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
    return Status::InvalidArgument(std::string(name) + ": '" + text.substr(0, 20) +
                                   "' is not a whole number in " + range);
  }
  return n;
}

Result<ApproveRequest> ParseApproveBody(std::string_view body) {
  if (body.empty()) {
    return Status::InvalidArgument(R"(the request body is empty; send {"name": "<device name>"})");
  }
  Result<json::Document> doc = json::ParseObject(body, kMaxApproveBodyBytes, "body");
  if (!doc.ok()) {
    return doc.status();
  }
  json::Value root = doc->Root();
  if (!root.Has("name")) {
    return Status::InvalidArgument(R"(body.name: missing; send {"name": "<device name>"})");
  }
  // The length rule is ValidateDeviceName's; the getter's limit only bounds the copy.
  Result<std::string> name = root.GetString("name", kMaxApproveBodyBytes);
  if (!name.ok()) {
    return name.status();
  }
  Status valid = protocol::ValidateDeviceName(*name);
  if (!valid.ok()) {
    return Status::InvalidArgument("invalid name: " + valid.message());
  }
  return ApproveRequest{std::move(name).value()};
}

Result<RunNowRequest> ParseRunNowBody(std::string_view body) {
  if (TrimBlanks(body).empty()) {
    return RunNowRequest{};
  }
  Result<json::Document> doc = json::ParseObject(body, kMaxApproveBodyBytes, "body");
  if (!doc.ok()) {
    return doc.status();
  }
  Result<std::string> step = doc->Root().GetStringOr("step", "", 32);
  if (!step.ok()) {
    return step.status();
  }
  if (!step->empty() && !saga::ParseSlot(*step).ok()) {
    return Status::InvalidArgument("body.step: unknown step '" + *step +
                                   "' (mender, dps, vault, menderName or dpsName)");
  }
  return RunNowRequest{std::move(step).value()};
}

}  // namespace gps::ui
