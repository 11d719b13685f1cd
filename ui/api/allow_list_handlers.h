#pragma once
// The allow-list routes:
//   GET    /api/allowlist                               every logged-in caller
//   POST   /api/allowlist  {"mac" | "fingerprint", "name"}   admins; 201, 409 when listed already
//   DELETE /api/allowlist?mac=<mac> | ?fingerprint=<fp>     admins; 404 when not listed
// Every change goes to the audit log. The engine does the approving (store/allow_list_store.h).
// Thread-safety: runs concurrently; collaborators are thread-safe and must outlive this.

#include "gps/core/clock.h"
#include "ui/api/http_types.h"
#include "ui/auth/access.h"
#include "ui/store/allow_list_store.h"
#include "ui/store/audit_log.h"

namespace gps::ui {

class AllowListHandlers {
 public:
  AllowListHandlers(AllowListStore& store, AuditLog& audit, const Clock& clock)
      : store_(store), audit_(audit), clock_(clock) {}

  HttpResponse List(const HttpRequest& request);
  HttpResponse Add(const HttpRequest& request, const Caller& caller);
  HttpResponse Remove(const HttpRequest& request, const Caller& caller);

  static std::string EntryJson(const AllowListEntry& e);

 private:
  AllowListStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
};

}  // namespace gps::ui
