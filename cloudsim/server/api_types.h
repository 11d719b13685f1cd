#pragma once
// ApiRequest / ApiResponse: one HTTP exchange of a simulated cloud API, free of any socket or
// HTTP library, so every service's request handling is a pure function that tests call directly.
// Service: the interface each simulated API (Mender, DPS, Vault, IoT Hub) implements.
//
// Plain value types; a const ApiRequest may be read from several threads. A Service's Handle()
// is called concurrently from the HTTP server's worker threads and must be thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gps/core/result.h"

namespace gps::cloudsim {

struct HeaderField {
  std::string name;
  std::string value;
};

struct ApiRequest {
  std::string method;  // upper case: GET, PUT, POST, PATCH, DELETE
  std::string target;  // the request-target as received: raw path and query
  std::vector<HeaderField> headers;
  std::string body;

  // Derived from target by MakeRequest().
  std::string path;                                        // raw (still percent-encoded)
  std::vector<std::string> segments;                       // decoded, empty ones dropped
  std::vector<std::pair<std::string, std::string>> query;  // decoded

  // First value of a header, case-insensitive name.
  std::optional<std::string> Header(std::string_view name) const;
  // First value of a query parameter; Has() is true even for an empty value.
  std::optional<std::string> Query(std::string_view name) const;
  std::vector<std::string> QueryAll(std::string_view name) const;
};

// Splits target into path segments and query parameters. A malformed percent escape is an
// InvalidArgument (the servers answer 400 without reaching the service).
Result<ApiRequest> MakeRequest(std::string method, std::string target,
                               std::vector<HeaderField> headers, std::string body);

struct ApiResponse {
  int status = 200;
  std::vector<HeaderField> headers;
  std::string body;

  // Replaces an existing header of the same (case-insensitive) name.
  void SetHeader(std::string name, std::string value);
  std::optional<std::string> Header(std::string_view name) const;

  // A JSON body with Content-Type application/json; charset=utf-8.
  static ApiResponse Json(int status, std::string body);
  // No body at all (201 with Location, 204, Mender's bare 404).
  static ApiResponse Empty(int status);
};

class Service {
 public:
  virtual ~Service() = default;
  // "mender", "dps", "vault", "hub": names the service in logs, counters and the ready file.
  virtual std::string_view Name() const = 0;
  virtual ApiResponse Handle(const ApiRequest& request) = 0;
};

// How the Content-Type header of a request with a body reads.
enum class MediaType { kJson, kOther, kUnparseable };
// Media type of the Content-Type header: "application/json; charset=utf-8" is kJson, a missing
// or malformed header is kUnparseable (Go's mime.ParseMediaType fails on both).
MediaType ClassifyContentType(const ApiRequest& request);

}  // namespace gps::cloudsim
