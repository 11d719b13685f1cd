#pragma once
// Sending a request within the time a job has left. Every worker's API call is bounded twice: by
// its own timeout setting and by the job's lease deadline, since work past the lease is wasted
// (the engine has moved on). A deadline already passed fails fast, without sending.
//
// Thread-safety: SendBefore may be called from several threads at once; each thread sends over
// its own keep-alive http::Client. FitToDeadline is pure.

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/http/client.h"

namespace gps::http {

// request with its timeout cut to the time left until deadline; DeadlineExceeded (naming the
// request) when none is left at now.
Result<Request> FitToDeadline(Request request, Instant now, Instant deadline);

// Sends request fitted to deadline as read from clock, and returns the response whatever its
// status. REQUIRES: the calling thread lives long enough for its connection to be worth keeping
// (the worker runtime's handler threads live as long as the process).
Result<Response> SendBefore(Request request, Instant deadline, const Clock& clock);

}  // namespace gps::http
