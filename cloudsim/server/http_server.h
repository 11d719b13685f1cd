#pragma once
// HttpServer: one cpp-httplib server for one Dispatcher, listening on its own thread. It turns
// each HTTP request into an ApiRequest and the Dispatcher's ApiResponse back into HTTP; the
// library stays inside http_server.cpp. Bodies above max_body_bytes get 413 from the library, a
// malformed request-target gets 400, and an exception from a handler becomes a 500 instead of
// ending the process.
//
// Thread-safety: Bind/Start/Stop from one controlling thread; requests are served on the
// library's worker pool. A Served that says close_without_answer closes the TCP connection
// without sending any byte (an injected drop or the end of a hang).
// Lifetime: the Dispatcher must outlive the server; the destructor stops and joins.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "cloudsim/server/dispatcher.h"
#include "gps/core/result.h"

namespace gps::cloudsim {

class HttpServer {
 public:
  // threads: the size of the worker pool; each open connection holds one worker while it lasts.
  HttpServer(Dispatcher* dispatcher, std::size_t max_body_bytes, std::size_t threads = 64);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; port 0 picks a free port. Returns the actual port.
  Result<int> Bind(const std::string& host, int port);
  // Starts accepting on a thread of its own. REQUIRES: Bind() succeeded.
  void Start();
  // True once the accept loop runs; false when it did not within timeout.
  bool WaitUntilRunning(std::chrono::milliseconds timeout);
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace gps::cloudsim
