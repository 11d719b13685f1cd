#pragma once
// The REST API's device handlers: each takes the request (and its path parameters) and the caller
// the guard (guard.h) found, checks the request with requests.h, reads devices through
// DeviceReader or sends a command through Commander, and returns the response value. Every
// command that reaches the engine is written to the audit log with the caller as its actor.
// No HTTP library and no routing here (router.h, routes.cpp).
// Thread-safety: handlers run concurrently on the server's threads; they share only thread-safe
// collaborators, which must all outlive the handlers.

#include <string>

#include "gps/core/clock.h"
#include "ui/api/http_types.h"
#include "ui/auth/access.h"
#include "ui/commands/commander.h"
#include "ui/store/audit_log.h"
#include "ui/store/device_reader.h"

namespace gps::ui {

class ApiHandlers {
 public:
  ApiHandlers(DeviceReader& devices, Commander& commander, AuditLog& audit, const Clock& clock);

  HttpResponse Health(const HttpRequest& request);
  HttpResponse ListDevices(const HttpRequest& request);
  HttpResponse GetDevice(const HttpRequest& request, const std::string& id);
  // The device's timeline: a JSON array of the engine's history entries, oldest first.
  HttpResponse DeviceHistory(const HttpRequest& request, const std::string& id);
  HttpResponse Approve(const HttpRequest& request, const std::string& id, const Caller& caller);
  HttpResponse Dismiss(const HttpRequest& request, const std::string& id, const Caller& caller);
  HttpResponse Retry(const HttpRequest& request, const std::string& id, const Caller& caller);
  // Body optional: {"step": "<slot>"}; without it every step waiting for a retry starts.
  HttpResponse RunNow(const HttpRequest& request, const std::string& id, const Caller& caller);
  HttpResponse Revoke(const HttpRequest& request, const std::string& id, const Caller& caller);

  // Approves with the name, as Approve does after its request checks: the name's rules, the 404
  // pre-check, the command and its audit entry. Used by the bulk approval too.
  HttpResponse ApproveAs(const std::string& id, const std::string& name, const Caller& caller);

 private:
  // A 404 when Redis positively knows no such device; nullopt to go on (including when Redis
  // cannot be asked: the engine then decides).
  std::optional<HttpResponse> RefuseUnknownDevice(const std::string& id);
  HttpResponse SendCommand(const protocol::OperatorCommand& command);
  // The checks every command for an existing device shares, then the command itself.
  HttpResponse DeviceCommand(const std::string& id, const Caller& caller,
                             protocol::CommandKind kind, std::string step = "");

  DeviceReader& devices_;
  Commander& commander_;
  AuditLog& audit_;
  const Clock& clock_;
};

}  // namespace gps::ui
