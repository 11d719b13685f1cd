#pragma once
// GET /api/audit[?offset=N&limit=M]: the audit log (store/audit_log.h), newest first; every
// logged-in caller may read it. limit 1-1000 (default 200), offset from the newest (default 0).
// Thread-safety: runs concurrently; the log must outlive the handler.

#include "ui/api/http_types.h"
#include "ui/store/audit_log.h"

namespace gps::ui {

class AuditHandlers {
 public:
  explicit AuditHandlers(AuditLog& audit) : audit_(audit) {}

  HttpResponse Read(const HttpRequest& request);

 private:
  AuditLog& audit_;
};

}  // namespace gps::ui
