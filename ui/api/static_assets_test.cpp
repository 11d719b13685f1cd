#include "ui/api/static_assets.h"

#include <gtest/gtest.h>

#include <regex>

namespace gps::ui {
namespace {

std::vector<std::pair<std::string, Asset>> AllAssets() {
  std::vector<std::pair<std::string, Asset>> out = {{"index.html", IndexPage()}};
  for (std::string_view name : StaticAssetNames()) {
    out.emplace_back(std::string(name), StaticAsset(name).value());
  }
  return out;
}

// Every script, concatenated.
std::string AllScripts() {
  std::string js;
  for (std::string_view name : StaticAssetNames()) {
    if (name.ends_with(".js")) {
      js += std::string(StaticAsset(name)->body);
    }
  }
  return js;
}

TEST(StaticAssetsTest, EveryModuleImportedIsServed) {
  std::regex import_from(R"re(from '\./([a-z-]+\.js)')re");
  int checked = 0;
  for (std::string_view name : StaticAssetNames()) {
    std::string body(StaticAsset(name)->body);
    for (auto it = std::sregex_iterator(body.begin(), body.end(), import_from);
         it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(StaticAsset((*it)[1].str()).has_value()) << name << " imports " << (*it)[1];
      ++checked;
    }
  }
  EXPECT_GE(checked, 6);
}

TEST(StaticAssetsTest, ThePageLoadsOnlyAssetsThisServerHas) {
  std::string page(IndexPage().body);
  std::regex ref(R"re((?:src|href)="([^"]*)")re");
  int checked = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), ref); it != std::sregex_iterator();
       ++it) {
    std::string target = (*it)[1];
    if (target == "data:," || target.rfind("#", 0) == 0) {
      continue;  // the empty favicon, links between the page's views
    }
    ASSERT_EQ(target.rfind("/static/", 0), 0u) << target;
    EXPECT_TRUE(StaticAsset(target.substr(8)).has_value()) << target;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(StaticAssetsTest, NothingIsFetchedFromElsewhere) {
  for (const auto& [name, asset] : AllAssets()) {
    EXPECT_FALSE(asset.body.empty()) << name;
    std::string body(asset.body);
    EXPECT_EQ(body.find("http://"), std::string::npos) << name;
    EXPECT_EQ(body.find("https://"), std::string::npos) << name;
    EXPECT_EQ(body.find("@import"), std::string::npos) << name;
  }
}

TEST(StaticAssetsTest, TheScriptNeverWritesHtml) {
  std::string js = AllScripts();
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                           "eval(", "new Function"}) {
    EXPECT_EQ(js.find(sink), std::string::npos) << sink;
  }
}

TEST(StaticAssetsTest, ThePageHasTheTestIdsBrowserTestsUse) {
  std::string page(IndexPage().body);
  std::string js = AllScripts();
  for (const char* id : {"pending-rows", "device-rows", "pending-empty", "connection-error",
                         "login-form", "timeline-rows", "revoke-dialog", "audit-rows",
                         "bulk-approve", "allowlist-rows", "user-rows", "token-rows"}) {
    EXPECT_NE(page.find(std::string("data-testid=\"") + id + "\""), std::string::npos) << id;
  }
  for (const char* prefix :
       {"'pending-row-'", "'name-input-'", "'approve-'", "'dismiss-'", "'error-'", "'device-row-'",
        "'device-state-'", "'step-row-'", "'timeline-row'", "'select-'"}) {
    EXPECT_NE(js.find(prefix), std::string::npos) << prefix;
  }
}

TEST(StaticAssetsTest, ContentTypesAndUnknownFiles) {
  EXPECT_EQ(IndexPage().content_type, "text/html; charset=utf-8");
  EXPECT_EQ(StaticAsset("app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticAsset("style.css")->content_type, "text/css; charset=utf-8");
  EXPECT_FALSE(StaticAsset("index.html").has_value());
  EXPECT_FALSE(StaticAsset("../main.cpp").has_value());
  EXPECT_FALSE(StaticAsset("").has_value());
}

TEST(StaticAssetsTest, ResponsesCarryTheSecurityPolicy) {
  HttpResponse r = AssetResponse(IndexPage());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  bool csp = false;
  for (const auto& [name, value] : r.headers) {
    if (name == "Content-Security-Policy") {
      csp = true;
      EXPECT_NE(value.find("script-src 'self'"), std::string::npos);
      EXPECT_NE(value.find("frame-ancestors 'none'"), std::string::npos);
      EXPECT_EQ(value.find("unsafe-inline"), std::string::npos);
    }
  }
  EXPECT_TRUE(csp);
}

}  // namespace
}  // namespace gps::ui
