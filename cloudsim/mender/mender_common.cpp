#include "cloudsim/mender/mender_common.h"

#include <limits>

#include "gps/crypto/encoding.h"

namespace gps::cloudsim::mender {

namespace {

Result<std::int64_t> ParsePositive(const std::string& text, std::string_view name) {
  std::int64_t v = 0;
  if (text.empty() || text.size() > 9) {
    return Status::InvalidArgument("invalid " + std::string(name) + " query: \"" + text + "\"");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("invalid " + std::string(name) + " query: \"" + text + "\"");
    }
    v = v * 10 + (c - '0');
  }
  if (v < 1) {
    return Status::InvalidArgument("invalid " + std::string(name) + " query: value must be a " +
                                   "non-zero positive integer");
  }
  return v;
}

std::string PageUrl(const ApiRequest& request, std::int64_t page, std::int64_t per_page) {
  std::string url = request.path + "?";
  for (const auto& [k, v] : request.query) {
    if (k == "page" || k == "per_page") {
      continue;
    }
    url += crypto::UrlEncode(k) + "=" + crypto::UrlEncode(v) + "&";
  }
  url += "page=" + std::to_string(page) + "&per_page=" + std::to_string(per_page);
  return url;
}

}  // namespace

ApiResponse Error(int status, std::string_view message, const std::string& request_id) {
  json::Writer w;
  w.BeginObject().Field("error", message).Field("request_id", request_id).EndObject();
  ApiResponse r = ApiResponse::Json(status, w.Take());
  r.SetHeader("X-MEN-RequestID", request_id);
  return r;
}

ApiResponse Bare(int status, const std::string& request_id) {
  ApiResponse r = ApiResponse::Empty(status);
  r.SetHeader("X-MEN-RequestID", request_id);
  return r;
}

ApiResponse JsonOk(int status, std::string body, const std::string& request_id) {
  ApiResponse r = ApiResponse::Json(status, std::move(body));
  r.SetHeader("X-MEN-RequestID", request_id);
  return r;
}

Result<json::Document> ParseBody(std::string_view body, std::string_view what) {
  bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank) {
    return Status::InvalidArgument("EOF");
  }
  Result<json::Document> doc = json::Parse(body, kMaxBodyBytes, what);
  if (!doc.ok()) {
    return Status::InvalidArgument(doc.status().message());
  }
  return doc;
}

std::string UnmarshalTypeError(const json::Value& value, std::string_view go_field,
                               std::string_view go_type) {
  std::string_view got = value.TypeName();
  if (got == "boolean") {
    got = "bool";
  }
  return "json: cannot unmarshal " + std::string(got) + " into Go struct field " +
         std::string(go_field) + " of type " + std::string(go_type);
}

Result<Paging> ParsePaging(const ApiRequest& request) {
  Paging p;
  if (std::optional<std::string> page = request.Query("page")) {
    GPS_ASSIGN_OR_RETURN(p.page, ParsePositive(*page, "page"));
  }
  if (std::optional<std::string> per_page = request.Query("per_page")) {
    GPS_ASSIGN_OR_RETURN(p.per_page, ParsePositive(*per_page, "per_page"));
  }
  if (p.per_page > 500) {
    return Status::InvalidArgument("invalid per_page query: value must not exceed 500");
  }
  return p;
}

std::vector<std::string> PagingLinks(const ApiRequest& request, const Paging& paging,
                                     bool has_next) {
  std::vector<std::string> links;
  links.push_back("<" + PageUrl(request, 1, paging.per_page) + ">; rel=\"first\"");
  if (paging.page > 1) {
    links.push_back("<" + PageUrl(request, paging.page - 1, paging.per_page) + ">; rel=\"prev\"");
  }
  if (has_next) {
    links.push_back("<" + PageUrl(request, paging.page + 1, paging.per_page) + ">; rel=\"next\"");
  }
  return links;
}

}  // namespace gps::cloudsim::mender
