#include "ui/api/static_assets.h"

#include "embedded/ui_assets.h"

namespace gps::ui {

namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace

Asset IndexPage() { return Asset{"text/html; charset=utf-8", assets::kIndexHtml}; }

std::optional<Asset> StaticAsset(std::string_view file) {
  constexpr std::string_view kJs = "text/javascript; charset=utf-8";
  static constexpr std::pair<std::string_view, std::string_view> kScripts[] = {
      {"app.js", assets::kAppJs},         {"common.js", assets::kCommonJs},
      {"devices.js", assets::kDevicesJs}, {"pending.js", assets::kPendingJs},
      {"lists.js", assets::kListsJs},     {"device.js", assets::kDeviceJs},
      {"admin.js", assets::kAdminJs},
  };
  for (const auto& [name, body] : kScripts) {
    if (file == name) {
      return Asset{kJs, body};
    }
  }
  if (file == "style.css") {
    return Asset{"text/css; charset=utf-8", assets::kStyleCss};
  }
  return std::nullopt;
}

std::vector<std::string_view> StaticAssetNames() {
  return {"app.js",   "common.js", "devices.js", "pending.js",
          "lists.js", "device.js", "admin.js",   "style.css"};
}

HttpResponse AssetResponse(const Asset& asset) {
  HttpResponse r;
  r.status = 200;
  r.content_type = std::string(asset.content_type);
  r.body = std::string(asset.body);
  // The page is small and changes with every build; always revalidating keeps it current.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  return r;
}

}  // namespace gps::ui
