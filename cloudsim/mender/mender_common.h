#pragma once
// Pieces the Mender device-authentication and inventory handlers share: the error body, the
// request-id echo, JSON body parsing, and the one-request context. Internal to cloudsim/mender.
// Pure functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cloudsim/mender/mender_api.h"
#include "cloudsim/server/api_types.h"
#include "gps/json/json.h"

namespace gps::cloudsim {

struct MenderApi::Call {
  const ApiRequest& request;
  std::string request_id;  // X-MEN-RequestID as sent, or a fresh UUID
  std::string now;         // RFC 3339, for timestamps written by this request
};

namespace mender {

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;

// {"error": message, "request_id": id} with the X-MEN-RequestID header.
ApiResponse Error(int status, std::string_view message, const std::string& request_id);
// A response without body that still echoes the request id.
ApiResponse Bare(int status, const std::string& request_id);
// A JSON body with the request id header.
ApiResponse JsonOk(int status, std::string body, const std::string& request_id);

// Parses a request body as Go's json decoder would see it; an empty body is Go's "EOF".
Result<json::Document> ParseBody(std::string_view body, std::string_view what);

// Go's error text when a JSON value has the wrong type for a field.
std::string UnmarshalTypeError(const json::Value& value, std::string_view go_field,
                               std::string_view go_type);

// page / per_page query parameters as rest.ParsePagingParameters reads them.
struct Paging {
  std::int64_t page = 1;
  std::int64_t per_page = 20;
};
Result<Paging> ParsePaging(const ApiRequest& request);
// Link header values (first, prev, next) for a paged listing.
std::vector<std::string> PagingLinks(const ApiRequest& request, const Paging& paging,
                                     bool has_next);

}  // namespace mender
}  // namespace gps::cloudsim
