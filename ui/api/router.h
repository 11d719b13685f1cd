#pragma once
// Maps (method, path) to a handler. Patterns are literal segments and {name} placeholders, each
// matching exactly one non-empty segment: "/api/devices/{id}/approve". A path that matches no
// pattern is a 404; one that matches only under other methods is a 405 with an Allow header.
// HEAD is answered as GET by the server adapter, so routes list GET only.
//
// Routing knows nothing of devices or Redis; the route table lives in routes.cpp and the handlers
// in handlers.cpp, so a later login check can wrap handlers without touching either.
// Thread-safety: Add() before serving; Dispatch() is const and may run on many threads at once.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ui/api/http_types.h"

namespace gps::ui {

using PathParams = std::map<std::string, std::string>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

class Router {
 public:
  // REQUIRES: pattern starts with '/'; the same (method, pattern) is added once.
  void Add(std::string method, std::string pattern, Handler handler);

  HttpResponse Dispatch(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{id}" marks a placeholder
    Handler handler;
  };
  static bool Match(const Route& route, const std::vector<std::string>& segments,
                    PathParams* params);

  std::vector<Route> routes_;
};

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. Exposed for tests.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace gps::ui
