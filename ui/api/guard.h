#pragma once
// The checks in front of every handler, in this order:
//   1. a state-changing request (any method but GET and HEAD) whose Origin is not this server's
//      own is refused (403), public routes included (login);
//   2. protected routes need a caller (Authenticator): 401 with WWW-Authenticate otherwise, 503
//      when Redis cannot be asked;
//   3. the caller's role and, for browser sessions, the CSRF token (CheckAccess): 403.
// Thread-safety: the wrapped handlers may run on many threads at once.
// Lifetime: the authenticator must outlive every handler made here.

#include <functional>

#include "ui/api/router.h"
#include "ui/auth/access.h"
#include "ui/auth/authenticator.h"

namespace gps::ui {

using CallerHandler =
    std::function<HttpResponse(const HttpRequest&, const PathParams&, const Caller&)>;

class Guard {
 public:
  explicit Guard(Authenticator& auth) : auth_(auth) {}

  Handler Protect(Access need, CallerHandler handler) const;
  // Only the Origin check.
  Handler Public(Handler handler) const;

  // The response for an authentication failure (401, or 503 when Redis cannot be asked).
  static HttpResponse NotAuthenticated(const Status& status);

 private:
  Authenticator& auth_;
};

}  // namespace gps::ui
