#pragma once
// The operator page and its assets, embedded in the binary from ui/static/ at build time (no
// files to install, nothing fetched from elsewhere): "/" is index.html, "/static/<file>" the rest
// (the page's JavaScript modules and its style sheet).
// Immutable; thread-safe.

#include <optional>
#include <string_view>
#include <vector>

#include "ui/api/http_types.h"

namespace gps::ui {

struct Asset {
  std::string_view content_type;
  std::string_view body;
};

// The page at "/".
Asset IndexPage();
// A file under /static/ by its name ("app.js"); nullopt for anything else.
std::optional<Asset> StaticAsset(std::string_view file);
// Every name StaticAsset knows.
std::vector<std::string_view> StaticAssetNames();

// A 200 response for an asset, with the headers every page response carries: a Content Security
// Policy that allows only this server's own scripts, styles and requests, no framing, no sniffing.
HttpResponse AssetResponse(const Asset& asset);

}  // namespace gps::ui
