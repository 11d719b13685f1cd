#pragma once
// HTTP client over libcurl for the workers (and the tests that talk to cloudsim).
// Transport faults come back as a Status with context (Unavailable, or DeadlineExceeded for a
// timeout); any HTTP status is a Response, classified by outcome.h. Response bodies are capped.
// Not thread-safe: one Client (one reused CURL handle, keep-alive) per thread.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"

namespace gps::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  Millis timeout_ms = 10000;
  std::string ca_file;  // extra trust anchors for https (empty: system store)
  // False for a call that is not idempotent: it goes on a new connection, because libcurl sends
  // a request again by itself when a reused connection turns out closed, and a server that acted
  // on the first copy would then act twice.
  bool idempotent = true;
};

struct Response {
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  // Case-insensitive; the last value when repeated.
  std::optional<std::string> HeaderValue(std::string_view name) const;
};

inline constexpr std::size_t kMaxResponseBytes = 4 * 1024 * 1024;

class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Result<Response> Send(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gps::http
