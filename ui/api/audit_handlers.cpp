#include "ui/api/audit_handlers.h"

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
  return JsonArrayResponse(*entries);
}

}  // namespace gps::ui
