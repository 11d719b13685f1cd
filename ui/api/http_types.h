#pragma once
// The HTTP request and response as plain values, so routing and handlers never see the server
// library (server/http_server.cpp is the only file that does). A later login layer reads the same
// HttpRequest (cookies, CSRF header) before the handlers run.
// Value types; thread-safe as values (no shared state).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gps::ui {

struct HttpRequest {
  std::string method;  // upper case: GET, POST, ...
  std::string path;    // decoded path without the query, e.g. /api/devices/ab12.../approve
  std::multimap<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  std::string body;

  // Case-insensitive; the first value when repeated.
  std::optional<std::string> Header(std::string_view name) const;
  // Every value of a query parameter, in order.
  std::vector<std::string> QueryValues(const std::string& name) const;
};

// Writes a piece of a streamed body; false once the client has gone.
using StreamWrite = std::function<bool(std::string_view)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  // A streamed body (server-sent events) instead of `body`: the server calls it again and again
  // on the serving thread until it returns false, the client goes, or the server stops. Each call
  // should wait a little (about a second at most) for something to write, so that a stopping
  // server is not held up.
  std::function<bool(const StreamWrite& write)> stream;
};

// Why a request is refused: the HTTP status and the message for {"error": ...}.
struct Refusal {
  int status = 400;
  std::string message;
};

// {"error": message} with the given status.
HttpResponse ErrorResponse(int status, std::string_view message);
HttpResponse ErrorResponse(const Refusal& refusal);
// A JSON body that is already serialised.
HttpResponse JsonResponse(int status, std::string body);
// 200 with a JSON array of items, each already one serialised JSON value.
HttpResponse JsonArrayResponse(const std::vector<std::string>& items);

}  // namespace gps::ui
