#include "cloudsim/server/api_types.h"

#include <cctype>

#include "gps/core/text.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim {

namespace {

// Percent-decoding of a path segment: unlike a query value, '+' stays a plus.
Result<std::string> DecodePathSegment(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    if (i + 2 >= raw.size() || !std::isxdigit(static_cast<unsigned char>(raw[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      return Status::InvalidArgument("malformed percent escape in path");
    }
    out += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

bool IsTokenChar(char c) {
  // RFC 7230 tchar, which is what mime.ParseMediaType accepts in a type or subtype.
  if (std::isalnum(static_cast<unsigned char>(c))) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::optional<std::string> ApiRequest::Header(std::string_view name) const {
  for (const HeaderField& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) {
      return h.value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> ApiRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

std::vector<std::string> ApiRequest::QueryAll(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == name) {
      out.push_back(v);
    }
  }
  return out;
}

Result<ApiRequest> MakeRequest(std::string method, std::string target,
                               std::vector<HeaderField> headers, std::string body) {
  ApiRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.body = std::move(body);
  std::string_view t = r.target;
  std::size_t q = t.find('?');
  std::string_view path = t.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
  r.path = std::string(path);
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string_view seg = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) {
      GPS_ASSIGN_OR_RETURN(std::string decoded, DecodePathSegment(seg));
      r.segments.push_back(std::move(decoded));
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    std::size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    Result<std::string> k = crypto::UrlDecode(key);
    Result<std::string> v = crypto::UrlDecode(value);
    if (!k.ok() || !v.ok()) {
      return Status::InvalidArgument("malformed percent escape in query");
    }
    r.query.emplace_back(std::move(k).value(), std::move(v).value());
  }
  return r;
}

void ApiResponse::SetHeader(std::string name, std::string value) {
  for (HeaderField& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::move(name), std::move(value)});
}

std::optional<std::string> ApiResponse::Header(std::string_view name) const {
  for (const HeaderField& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) {
      return h.value;
    }
  }
  return std::nullopt;
}

ApiResponse ApiResponse::Json(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  return r;
}

ApiResponse ApiResponse::Empty(int status) {
  ApiResponse r;
  r.status = status;
  return r;
}

MediaType ClassifyContentType(const ApiRequest& request) {
  std::optional<std::string> header = request.Header("Content-Type");
  if (!header) {
    return MediaType::kUnparseable;
  }
  std::string_view v = *header;
  std::string_view type = TrimBlanks(v.substr(0, v.find(';')));
  std::size_t slash = type.find('/');
  if (type.empty() || slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) {
    return MediaType::kUnparseable;
  }
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (i != slash && !IsTokenChar(type[i])) {
      return MediaType::kUnparseable;
    }
  }
  return EqualsIgnoreCase(type, "application/json") ? MediaType::kJson : MediaType::kOther;
}

}  // namespace gps::cloudsim
