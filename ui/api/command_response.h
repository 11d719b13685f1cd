#pragma once
// How the engine's answer to an operator command becomes an HTTP response (docs/protocol.md,
// "replies"):
//   accepted 202, invalid 400, not_found 404, conflict 409, unavailable 502,
// and what gps-ui itself could not do: no reply in time 504, the broker not taking the command
// 503, a reply that cannot be read 502.
// Pure; thread-safe.

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/protocol/command.h"
#include "ui/api/http_types.h"

namespace gps::ui {

int HttpStatusForReply(protocol::ReplyStatus status);

// `sent` is what Commander::Send returned: a reply, or DeadlineExceeded (no reply within
// timeout_ms), Unavailable (the broker did not take the command), InvalidArgument (an unreadable
// reply) or Internal. Accepted gives {"status": "accepted", "message": ...}; every other case
// {"error": ...} carrying the engine's own message when it gave one.
HttpResponse CommandResponse(const Result<protocol::CommandReply>& sent, Millis timeout_ms);

// "15", "0.5": a timeout in seconds for a person.
std::string FormatSeconds(Millis ms);

}  // namespace gps::ui
