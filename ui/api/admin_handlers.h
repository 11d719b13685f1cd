#pragma once
// Admin routes for users and API tokens:
//   GET /api/users, POST /api/users, PATCH /api/users/{name}, DELETE /api/users/{name}
//   GET /api/tokens, POST /api/tokens, DELETE /api/tokens/{id}
// A token is shown once, in the answer that creates it; afterwards only its id (the first 16 hex
// digits of its SHA-256) and label. An admin cannot delete or demote themselves, so a deployment
// always keeps the admin who is acting. Every change goes to the audit log.
// Thread-safety: handlers run concurrently; collaborators are thread-safe and must outlive this.

#include <string>

#include "gps/core/clock.h"
#include "gps/crypto/password.h"
#include "ui/api/http_types.h"
#include "ui/auth/access.h"
#include "ui/store/audit_log.h"
#include "ui/store/auth_store.h"

namespace gps::ui {

// What the API shows of a token id.
inline constexpr std::size_t kTokenIdChars = 16;

class AdminHandlers {
 public:
  AdminHandlers(AuthStore& store, AuditLog& audit, const Clock& clock, crypto::ScryptCost cost);

  HttpResponse ListUsers(const HttpRequest& request, const Caller& caller);
  HttpResponse AddUser(const HttpRequest& request, const Caller& caller);
  HttpResponse UpdateUser(const HttpRequest& request, const std::string& name,
                          const Caller& caller);
  HttpResponse DeleteUser(const HttpRequest& request, const std::string& name,
                          const Caller& caller);

  HttpResponse ListTokens(const HttpRequest& request, const Caller& caller);
  HttpResponse AddToken(const HttpRequest& request, const Caller& caller);
  HttpResponse DeleteToken(const HttpRequest& request, const std::string& id, const Caller& caller);

 private:
  void Audit(const Caller& caller, std::string action, std::string name, std::string outcome,
             std::string message = "");

  AuthStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  crypto::ScryptCost cost_;
};

}  // namespace gps::ui
