#pragma once
// The REST API's handlers: each takes the request (and its path parameters), checks it with
// requests.h, reads devices through DeviceReader or sends a command through Commander, and
// returns the response value. No HTTP library and no routing here (router.h, routes.cpp).
//
// The actor written into commands is "ui" until login exists; ActorFor() is the one place that
// decides it, so a session's user name slots in there.
// Thread-safety: handlers run concurrently on the server's threads; they share only the
// thread-safe DeviceReader and Commander. Both must outlive the handlers.

#include <string>

#include "ui/api/http_types.h"
#include "ui/commands/commander.h"
#include "ui/store/device_reader.h"

namespace gps::ui {

class ApiHandlers {
 public:
  ApiHandlers(DeviceReader& devices, Commander& commander);

  HttpResponse Health(const HttpRequest& request);
  HttpResponse ListDevices(const HttpRequest& request);
  HttpResponse GetDevice(const HttpRequest& request, const std::string& id);
  HttpResponse Approve(const HttpRequest& request, const std::string& id);
  HttpResponse Dismiss(const HttpRequest& request, const std::string& id);
  HttpResponse Retry(const HttpRequest& request, const std::string& id);
  // Body optional: {"step": "<slot>"}; without it every step waiting for a retry starts.
  HttpResponse RunNow(const HttpRequest& request, const std::string& id);
  HttpResponse Revoke(const HttpRequest& request, const std::string& id);

 private:
  // Who the command is from, for the engine's audit trail.
  static std::string ActorFor(const HttpRequest& request);
  // A 404 when Redis positively knows no such device; nullopt to go on (including when Redis
  // cannot be asked: the engine then decides).
  std::optional<HttpResponse> RefuseUnknownDevice(const std::string& id);
  HttpResponse SendCommand(const protocol::OperatorCommand& command);
  // The checks every command for an existing device shares, then the command itself.
  HttpResponse DeviceCommand(const HttpRequest& request, const std::string& id,
                             protocol::CommandKind kind, std::string step = "");

  DeviceReader& devices_;
  Commander& commander_;
};

}  // namespace gps::ui
