#include "gps/http/deadline_send.h"

#include <algorithm>

namespace gps::http {

Result<Request> FitToDeadline(Request request, Instant now, Instant deadline) {
  Millis left = deadline - now;
  if (left <= 0) {
    return Status::DeadlineExceeded(request.method + " " + request.url +
                                    ": the job's deadline passed before the request");
  }
  request.timeout_ms = std::min<Millis>(request.timeout_ms, left);
  return request;
}

Result<Response> SendBefore(Request request, Instant deadline, const Clock& clock) {
  GPS_ASSIGN_OR_RETURN(Request fitted, FitToDeadline(std::move(request), clock.Now(), deadline));
  // http::Client is one connection per thread; a thread that sends again reuses it (keep-alive).
  thread_local Client client;
  return client.Send(fitted);
}

}  // namespace gps::http
