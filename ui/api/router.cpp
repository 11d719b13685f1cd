#include "ui/api/router.h"

#include <algorithm>

namespace gps::ui {

namespace {

bool IsPlaceholder(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = path.empty() || path.front() != '/' ? 0 : 1;
  while (true) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), SplitPath(pattern), std::move(handler)});
}

bool Router::Match(const Route& route, const std::vector<std::string>& segments,
                   PathParams* params) {
  if (route.segments.size() != segments.size()) {
    return false;
  }
  PathParams found;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (IsPlaceholder(want)) {
      if (segments[i].empty()) {
        return false;
      }
      found[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  const std::vector<std::string> segments = SplitPath(request.path);
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    PathParams params;
    if (!Match(route, segments, &params)) {
      continue;
    }
    if (route.method == request.method) {
      return route.handler(request, params);
    }
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  if (allowed.empty()) {
    return ErrorResponse(404, "no such resource: " + request.path.substr(0, 200));
  }
  std::string allow;
  for (const std::string& m : allowed) {
    allow += allow.empty() ? m : ", " + m;
  }
  HttpResponse r = ErrorResponse(
      405, "method " + request.method.substr(0, 16) + " is not allowed here; use " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace gps::ui
