#pragma once
// The route table of gps-ui: every URL the server answers and what each needs (access.h), in one
// place (docs/api.md documents them). Thread-safety: call once before serving. The guard and the
// handlers must outlive `router`.

#include "ui/api/admin_handlers.h"
#include "ui/api/allow_list_handlers.h"
#include "ui/api/audit_handlers.h"
#include "ui/api/bulk_approve.h"
#include "ui/api/event_stream.h"
#include "ui/api/guard.h"
#include "ui/api/handlers.h"
#include "ui/api/router.h"
#include "ui/api/session_handlers.h"

namespace gps::ui {

struct RouteHandlers {
  ApiHandlers& devices;
  SessionHandlers& session;
  AdminHandlers& admin;
  EventStreams& events;
  AuditHandlers& audit;
  AllowListHandlers& allow_list;
  BulkApprove& bulk;
};

void AddRoutes(Router& router, const Guard& guard, RouteHandlers handlers);

}  // namespace gps::ui
