#pragma once
// POST /api/devices/approve: approves many pending gateways at once, each with a name made from a
// pattern (bulk_names.h):
//   {"ids": ["<id>", ...], "pattern": "gw-{mac6}", "start": 1}
// Each device goes through the same approval as a single one (ApiHandlers::ApproveAs: the name
// rules, the engine's reservation and its check in Mender and DPS, the audit entry), a few at a
// time. The answer is 200 with one result per device, in the order given:
//   {"approved": 2, "results": [{"id", "name", "status": 202, "message"} or
//                               {"id", "name", "status": 409, "error"}, ...]}
// A device that is not pending, or whose name repeats one made earlier in the same request, is
// refused here (409) without reaching the engine; an unknown one is 404.
// Thread-safety: runs concurrently; collaborators are thread-safe and must outlive it.

#include "ui/api/handlers.h"
#include "ui/api/http_types.h"
#include "ui/auth/access.h"
#include "ui/store/device_reader.h"

namespace gps::ui {

// Devices one request may approve.
inline constexpr std::size_t kMaxBulkDevices = 500;

class BulkApprove {
 public:
  BulkApprove(ApiHandlers& handlers, DeviceReader& devices, int parallel = 8)
      : handlers_(handlers), devices_(devices), parallel_(parallel) {}

  HttpResponse Approve(const HttpRequest& request, const Caller& caller);

 private:
  ApiHandlers& handlers_;
  DeviceReader& devices_;
  int parallel_;
};

}  // namespace gps::ui
