#pragma once
// The HTTP server: adapts cpp-httplib (the only file that includes it) to our Router, so every
// request becomes an HttpRequest value and every HttpResponse goes back with the headers all our
// responses carry (Date, Cache-Control, nosniff, no framing, no referrer). Errors the library
// produces itself (a body over the limit, a malformed request) also get an {"error": ...} body.
//
// Thread-safety: Bind() and Run() from one thread; Stop() from any thread. Requests are served on
// a pool of `threads` threads. Lifetime: the Router must outlive the server.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "gps/core/result.h"
#include "ui/api/router.h"

namespace gps::ui {

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: any free port; Bind() returns the one chosen
  int threads = 16;
  std::size_t max_body_bytes = 4096;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket. Returns the port; Unavailable with the reason ("Address already
  // in use") when the address cannot be bound. Unlike the library's default, the port is never
  // shared with another process (no SO_REUSEPORT), so a second server on it fails here.
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded. False when the server failed.
  bool Run();
  // Ends Run() (now, or as soon as it starts) and returns once it has ended or was never entered.
  void Stop();

 private:
  struct Impl;
  HttpServerOptions options_;
  const Router& router_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> run_entered_{false};
  std::atomic<bool> run_finished_{false};
};

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 IMF-fixdate), for the Date header.
std::string FormatHttpDate(std::int64_t unix_seconds);

}  // namespace gps::ui
