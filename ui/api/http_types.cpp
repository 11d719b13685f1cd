#include "ui/api/http_types.h"

#include "gps/core/text.h"
#include "gps/json/json.h"

namespace gps::ui {

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<std::string> HttpRequest::QueryValues(const std::string& name) const {
  std::vector<std::string> out;
  auto [begin, end] = query.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    out.push_back(it->second);
  }
  return out;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  json::Writer w;
  w.BeginObject().Field("error", message).EndObject();
  return JsonResponse(status, w.Take());
}

HttpResponse ErrorResponse(const Refusal& refusal) {
  return ErrorResponse(refusal.status, refusal.message);
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

HttpResponse JsonArrayResponse(const std::vector<std::string>& items) {
  json::Writer w;
  w.BeginArray();
  for (const std::string& item : items) {
    w.Raw(item);
  }
  w.EndArray();
  return JsonResponse(200, w.Take());
}

}  // namespace gps::ui
