#pragma once
// GET /api/events: the live-update stream (server-sent events) of the device feed
// (events/device_feed.h). The first event is the whole device list; then one event per change.
// A comment line every 15 s keeps proxies from closing an idle stream and finds clients that
// went away. Every 30 s the caller's login is checked again (without renewing the session: an
// open page is no activity of the operator); once it no longer holds, a "logout" event ends the
// stream. At most max_streams are open at once (each holds an HTTP thread); past it, 503 and the
// page polls GET /api/devices instead.
// Thread-safety: Open() runs on many threads. Lifetime: feed and authenticator outlive every
// stream (the server stops before them).

#include <atomic>
#include <memory>

#include "ui/api/http_types.h"
#include "ui/auth/authenticator.h"
#include "ui/events/device_feed.h"

namespace gps::ui {

class EventStreams {
 public:
  EventStreams(DeviceFeed& feed, Authenticator& auth, int max_streams);

  HttpResponse Open(const HttpRequest& request, const Caller& caller);

  // "event: <name>\ndata: <data>\n\n"
  static std::string Format(const FeedEvent& event);

 private:
  DeviceFeed& feed_;
  Authenticator& auth_;
  const int max_streams_;
  std::shared_ptr<std::atomic<int>> open_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace gps::ui
