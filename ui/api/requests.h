#pragma once
// Checks on what an operator's browser (or script) sends, before anything reaches the engine:
// the device id in the path, the same-origin rule for state-changing requests, the approval
// body's content type, size and shape, and the device name rules (protocol/names.h), so a bad
// name never leaves this process.
// Pure; thread-safe.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"
#include "gps/json/json.h"
#include "ui/api/http_types.h"

namespace gps::ui {

// An approval body is {"name": "..."}; anything larger than this is refused unread.
inline constexpr std::size_t kMaxApproveBodyBytes = 4 * 1024;
// The largest body of any route (a bulk approval of many devices); the server refuses more unread.
inline constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;

// 400 unless id is 64 lower-case hex characters.
std::optional<Refusal> CheckDeviceId(std::string_view id);

// 403 when the request carries an Origin that is not this server's own (the Host header): a page
// on another site must not be able to approve or dismiss through an operator's browser. Requests
// without Origin (curl, scripts) pass; the guard (guard.h) adds sessions' CSRF tokens on top.
std::optional<Refusal> CheckSameOrigin(const std::optional<std::string>& origin,
                                       const std::optional<std::string>& host);

// 400 unless the media type is application/json (parameters such as charset are allowed).
std::optional<Refusal> CheckJsonContentType(const std::optional<std::string>& content_type);

// 413 when the body is over max_bytes.
std::optional<Refusal> CheckBodySize(std::size_t bytes,
                                     std::size_t max_bytes = kMaxApproveBodyBytes);

// The JSON object body of a request: Content-Type application/json (400), at most max_bytes (413),
// an object (400). The refusal's message says what to send.
Result<json::Document> ParseJsonObjectBody(const HttpRequest& request, std::size_t max_bytes,
                                           Refusal* refusal);

// A whole-number query parameter (?limit=50): fallback when absent; InvalidArgument when repeated,
// not a number, or outside [min, max].
Result<std::int64_t> ParseIntParam(const std::vector<std::string>& values, std::string_view name,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max);

struct ApproveRequest {
  std::string name;
};
// Parses {"name": "..."} and validates the name. InvalidArgument with a message for the operator.
Result<ApproveRequest> ParseApproveBody(std::string_view body);

struct RunNowRequest {
  std::string step;  // empty: every waiting step
};
// An empty body, {} or {"step": "mender|dps|vault|menderName|dpsName"}.
Result<RunNowRequest> ParseRunNowBody(std::string_view body);

}  // namespace gps::ui
