#include "cloudsim/server/if_match.h"

namespace gps::cloudsim {

IfMatch CheckIfMatch(const ApiRequest& request, std::string_view etag) {
  std::optional<std::string> header = request.Header("If-Match");
  if (!header) {
    return IfMatch::kAbsent;
  }
  std::string_view v = *header;
  while (!v.empty() && v.front() == ' ') {
    v.remove_prefix(1);
  }
  while (!v.empty() && v.back() == ' ') {
    v.remove_suffix(1);
  }
  if (v == "*") {
    return IfMatch::kAny;
  }
  if (v.substr(0, 2) == "W/") {
    v.remove_prefix(2);
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string_view inner = v.substr(1, v.size() - 2);
    return !etag.empty() && inner == etag ? IfMatch::kMatch : IfMatch::kMismatch;
  }
  return IfMatch::kMismatch;
}

}  // namespace gps::cloudsim
