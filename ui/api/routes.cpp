#include "ui/api/routes.h"

#include "ui/api/static_assets.h"

namespace gps::ui {

void AddRoutes(Router& router, ApiHandlers& handlers) {
  router.Add("GET", "/healthz",
             [&](const HttpRequest& r, const PathParams&) { return handlers.Health(r); });
  router.Add("GET", "/api/devices",
             [&](const HttpRequest& r, const PathParams&) { return handlers.ListDevices(r); });
  router.Add("GET", "/api/devices/{id}", [&](const HttpRequest& r, const PathParams& p) {
    return handlers.GetDevice(r, p.at("id"));
  });
  router.Add("POST", "/api/devices/{id}/approve", [&](const HttpRequest& r, const PathParams& p) {
    return handlers.Approve(r, p.at("id"));
  });
  router.Add("POST", "/api/devices/{id}/dismiss", [&](const HttpRequest& r, const PathParams& p) {
    return handlers.Dismiss(r, p.at("id"));
  });
  router.Add("POST", "/api/devices/{id}/retry", [&](const HttpRequest& r, const PathParams& p) {
    return handlers.Retry(r, p.at("id"));
  });
  router.Add("POST", "/api/devices/{id}/run-now", [&](const HttpRequest& r, const PathParams& p) {
    return handlers.RunNow(r, p.at("id"));
  });
  router.Add("POST", "/api/devices/{id}/revoke", [&](const HttpRequest& r, const PathParams& p) {
    return handlers.Revoke(r, p.at("id"));
  });
  router.Add("GET", "/",
             [](const HttpRequest&, const PathParams&) { return AssetResponse(IndexPage()); });
  router.Add("GET", "/static/{file}", [](const HttpRequest&, const PathParams& p) {
    std::optional<Asset> asset = StaticAsset(p.at("file"));
    if (!asset) {
      return ErrorResponse(404, "no such file");
    }
    return AssetResponse(*asset);
  });
}

}  // namespace gps::ui
