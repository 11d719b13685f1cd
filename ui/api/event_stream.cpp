#include "ui/api/event_stream.h"

#include <chrono>

#include "gps/json/json.h"
#include "gps/metrics/counters.h"

namespace gps::ui {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kKeepAlive = std::chrono::seconds(15);
constexpr auto kRecheck = std::chrono::seconds(30);
constexpr auto kWait = std::chrono::milliseconds(1000);

// Everything one open stream holds; released when the server drops the response.
struct StreamState {
  std::unique_ptr<DeviceFeed::Subscription> subscription;
  std::shared_ptr<std::atomic<int>> open;
  HttpRequest request;  // its credentials, for the re-checks
  Clock::time_point last_write = Clock::now();
  Clock::time_point last_check = Clock::now();
  bool greeted = false;

  ~StreamState() { --*open; }
};

}  // namespace

EventStreams::EventStreams(DeviceFeed& feed, Authenticator& auth, int max_streams)
    : feed_(feed), auth_(auth), max_streams_(max_streams) {}

std::string EventStreams::Format(const FeedEvent& event) {
  return "event: " + event.name + "\ndata: " + event.data + "\n\n";
}

HttpResponse EventStreams::Open(const HttpRequest& request, const Caller&) {
  if (++*open_ > max_streams_) {
    --*open_;
    metrics::Inc("ui.event_streams_refused");
    return ErrorResponse(503, "too many live-update streams are open; poll GET /api/devices");
  }
  auto state = std::make_shared<StreamState>();
  state->open = open_;
  Result<std::unique_ptr<DeviceFeed::Subscription>> sub =
      feed_.Subscribe(std::chrono::milliseconds(5000));
  if (!sub.ok()) {
    return ErrorResponse(503, sub.status().message());
  }
  state->subscription = std::move(sub).value();
  state->request.headers = request.headers;
  metrics::Inc("ui.event_streams_opened");

  HttpResponse r;
  r.status = 200;
  r.content_type = "text/event-stream";
  // Proxies that buffer responses (nginx) would hold the events back.
  r.headers.emplace_back("X-Accel-Buffering", "no");
  Authenticator& auth = auth_;
  r.stream = [state, &auth](const StreamWrite& write) {
    if (!state->greeted) {
      state->greeted = true;
      // How long a browser waits before it reconnects after the stream broke.
      if (!write("retry: 2000\n\n")) {
        return false;
      }
    }
    Clock::time_point now = Clock::now();
    if (now - state->last_check >= kRecheck) {
      state->last_check = now;
      Result<Caller> still = auth.Authenticate(state->request, /*touch=*/false);
      if (!still.ok() && still.status().IsPermissionDenied()) {
        json::Writer w;
        w.BeginObject().Field("error", still.status().message()).EndObject();
        write(Format({0, "logout", w.Take()}));
        return false;
      }
    }
    for (const FeedEvent& e : state->subscription->Next(kWait)) {
      if (!write(Format(e))) {
        return false;
      }
      state->last_write = Clock::now();
    }
    if (Clock::now() - state->last_write >= kKeepAlive) {
      state->last_write = Clock::now();
      return write(": keep-alive\n\n");
    }
    return true;
  };
  return r;
}

}  // namespace gps::ui
