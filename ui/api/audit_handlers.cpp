#include "ui/api/audit_handlers.h"

#include "gps/json/json.h"
#include "ui/api/requests.h"

namespace gps::ui {

HttpResponse AuditHandlers::Read(const HttpRequest& request) {
  Result<std::int64_t> offset =
      ParseIntParam(request.QueryValues("offset"), "offset", 0, 0, kAuditCapacity);
  Result<std::int64_t> limit = ParseIntParam(request.QueryValues("limit"), "limit", 200, 1, 1000);
  if (!offset.ok() || !limit.ok()) {
    return ErrorResponse(400, (offset.ok() ? limit.status() : offset.status()).message());
  }
  Result<std::vector<std::string>> entries = audit_.Read(*offset, *limit);
  if (!entries.ok()) {
    return ErrorResponse(entries.status().IsUnavailable() ? 503 : 500, entries.status().message());
  }
  json::Writer w;
  w.BeginArray();
  for (const std::string& e : *entries) {
    w.Raw(e);
  }
  w.EndArray();
  return JsonResponse(200, w.Take());
}

}  // namespace gps::ui
