#include "workers/mender/mender_client.h"

#include <gtest/gtest.h>

#include "gps/json/json.h"
#include "workers/testing/http_test_util.h"

namespace gps::worker::mender {
namespace {

using testing::HasHeader;
using testing::Header;

MenderSettings Settings() {
  MenderSettings s;
  s.url = "https://mender.example.com";
  s.token = "tok.en-123";
  s.timeout_ms = 7000;
  s.ca_file = "/etc/ca.pem";
  return s;
}

TEST(MenderSettingsTest, StripsTrailingSlashAndRequiresToken) {
  MenderSettings s = Settings();
  s.url = "https://hosted.mender.io//";
  ASSERT_TRUE(ValidateMenderSettings(&s).ok());
  EXPECT_EQ(s.url, "https://hosted.mender.io");

  s.token = "";
  Status st = ValidateMenderSettings(&s);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("GPS_MENDER_TOKEN"), std::string::npos);

  s = Settings();
  s.url = "ftp://x";
  EXPECT_NE(ValidateMenderSettings(&s).message().find("GPS_MENDER_URL"), std::string::npos);

  s = Settings();
  s.token = "two words";
  EXPECT_FALSE(ValidateMenderSettings(&s).ok());
  s.token = "line\nbreak";
  EXPECT_FALSE(ValidateMenderSettings(&s).ok());
}

TEST(MenderRequestTest, SearchByNameFiltersOnTagAndAsksForMac) {
  http::Request r = SearchByNameRequest(Settings(), "gw-berlin-0042", 2);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://mender.example.com/api/management/v2/inventory/filters/search");
  EXPECT_EQ(Header(r, "Authorization"), "Bearer tok.en-123");
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_EQ(r.timeout_ms, 7000);
  EXPECT_EQ(r.ca_file, "/etc/ca.pem");
  EXPECT_EQ(
      r.body,
      R"({"page":2,"per_page":20,)"
      R"("filters":[{"scope":"tags","attribute":"name","type":"$eq","value":"gw-berlin-0042"}],)"
      R"("attributes":[{"scope":"tags","attribute":"name"},{"scope":"identity","attribute":"mac"}]})");
}

TEST(MenderRequestTest, SearchByMacFiltersOnTheIdentity) {
  http::Request r = SearchByMacRequest(Settings(), "02:42:ac:11:00:02", 1);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://mender.example.com/api/management/v2/inventory/filters/search");
  EXPECT_EQ(Header(r, "Authorization"), "Bearer tok.en-123");
  EXPECT_EQ(
      r.body,
      R"({"page":1,"per_page":20,)"
      R"("filters":[{"scope":"identity","attribute":"mac","type":"$eq","value":"02:42:ac:11:00:02"}],)"
      R"("attributes":[{"scope":"tags","attribute":"name"},{"scope":"identity","attribute":"mac"}]})");
}

TEST(MenderRequestTest, PreauthorizeSendsExactlyTheMacIdentity) {
  const std::string pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";
  http::Request r = PreauthorizeRequest(Settings(), "02:42:ac:11:00:02", pem);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://mender.example.com/api/management/v2/devauth/devices");
  EXPECT_EQ(Header(r, "Authorization"), "Bearer tok.en-123");
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  Result<json::Document> doc = json::ParseObject(r.body, 1 << 16, "body");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  json::Value root = doc->Root();
  Result<json::Value> identity = root.GetObject("identity_data");
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->Serialize(), R"({"mac":"02:42:ac:11:00:02"})");
  EXPECT_EQ(root.GetString("pubkey").value(), pem);
  EXPECT_EQ(root.GetBool("force").value(), false);
}

TEST(MenderRequestTest, InventoryDeviceAndDecommissionPaths) {
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  http::Request get = GetInventoryDeviceRequest(Settings(), id);
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.url, "https://mender.example.com/api/management/v1/inventory/devices/" + id);
  EXPECT_TRUE(get.body.empty());
  EXPECT_FALSE(HasHeader(get, "Content-Type"));
  EXPECT_EQ(Header(get, "Authorization"), "Bearer tok.en-123");

  http::Request devauth = GetDevauthDeviceRequest(Settings(), id);
  EXPECT_EQ(devauth.method, "GET");
  EXPECT_EQ(devauth.url, "https://mender.example.com/api/management/v2/devauth/devices/" + id);
  EXPECT_TRUE(devauth.body.empty());
  EXPECT_EQ(Header(devauth, "Authorization"), "Bearer tok.en-123");

  http::Request del = DecommissionRequest(Settings(), id);
  EXPECT_EQ(del.method, "DELETE");
  EXPECT_EQ(del.url, "https://mender.example.com/api/management/v2/devauth/devices/" + id);
}

TEST(MenderRequestTest, PutTagsKeepsRawValuesAndSendsIfMatchOnlyWithEtag) {
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  std::vector<Tag> tags = {{"name", R"("gw-1")", ""},
                           {"site", R"(["berlin",3])", "where it stands"},
                           {"rack", "42", ""}};
  http::Request r = PutTagsRequest(Settings(), id, tags, R"("abc123")");
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url,
            "https://mender.example.com/api/management/v1/inventory/devices/" + id + "/tags");
  EXPECT_EQ(Header(r, "If-Match"), R"("abc123")");
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"([{"name":"name","value":"gw-1"},)"
                    R"({"name":"site","value":["berlin",3],"description":"where it stands"},)"
                    R"({"name":"rack","value":42}])");

  http::Request no_etag = PutTagsRequest(Settings(), id, tags, "");
  EXPECT_FALSE(HasHeader(no_etag, "If-Match"));
}

TEST(MenderParseTest, DeviceIdFromLocation) {
  EXPECT_EQ(DeviceIdFromLocation("devices/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0").value(),
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  // Tolerated: an absolute path or URL still ends in the id.
  EXPECT_EQ(DeviceIdFromLocation("/api/management/v2/devauth/devices/abc-123").value(), "abc-123");
  EXPECT_EQ(
      DeviceIdFromLocation("https://m.example/api/management/v2/devauth/devices/abc?x=1").value(),
      "abc");
  EXPECT_FALSE(DeviceIdFromLocation("").ok());
  EXPECT_FALSE(DeviceIdFromLocation("devices/").ok());
  EXPECT_FALSE(DeviceIdFromLocation("devices/../../admin%2F").ok());
  EXPECT_FALSE(DeviceIdFromLocation("devices/" + std::string(65, 'a')).ok());
}

TEST(MenderParseTest, SearchResultsTakeIdentityMacOnlyWhenItIsAString) {
  Result<std::vector<InventoryDevice>> r = ParseSearchResults(R"([
    {"id":"dev-1","attributes":[{"name":"name","value":"gw-1","scope":"tags"},
                                {"name":"mac","value":"02:42:ac:11:00:02","scope":"identity"}],
     "updated_ts":"2026-01-01T00:00:00Z"},
    {"id":"dev-2","attributes":[{"name":"mac","value":["aa:bb:cc:dd:ee:ff"],"scope":"identity"}]},
    {"id":"dev-3","attributes":[{"name":"mac","value":"02:42:ac:11:00:09","scope":"inventory"}]},
    {"id":"dev-4"}])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].id, "dev-1");
  EXPECT_EQ((*r)[0].mac.value_or(""), "02:42:ac:11:00:02");
  EXPECT_FALSE((*r)[1].mac.has_value());
  EXPECT_FALSE((*r)[2].mac.has_value());  // wrong scope
  EXPECT_FALSE((*r)[3].mac.has_value());

  EXPECT_TRUE(ParseSearchResults("[]").value().empty());
  EXPECT_FALSE(ParseSearchResults(R"({"error":"x"})").ok());
  EXPECT_FALSE(ParseSearchResults(R"([{"attributes":[]}])").ok());
  EXPECT_FALSE(ParseSearchResults(R"([{"id":"../x"}])").ok());
  EXPECT_FALSE(ParseSearchResults("not json").ok());
}

TEST(MenderParseTest, DeviceWithAuthSets) {
  Result<Device> d = ParseDevice(R"({"id":"dev-9","identity_data":{"mac":"02:42:ac:11:00:02"},
      "status":"preauthorized","decommissioning":false,
      "auth_sets":[{"id":"as-1","pubkey":"PEM-1","status":"preauthorized"},{"id":"as-2"}]})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, "dev-9");
  EXPECT_FALSE(d->decommissioning);
  ASSERT_EQ(d->auth_set_pubkeys.size(), 1u);
  EXPECT_EQ(d->auth_set_pubkeys[0], "PEM-1");

  EXPECT_TRUE(ParseDevice(R"({"id":"dev-9","decommissioning":true})").value().decommissioning);
  EXPECT_TRUE(ParseDevice(R"({"id":"dev-9","auth_sets":null})").value().auth_set_pubkeys.empty());
  EXPECT_FALSE(ParseDevice(R"({"error":"conflict"})").ok());
  EXPECT_FALSE(ParseDevice(R"({"id":"dev-9","auth_sets":{}})").ok());
}

TEST(MenderParseTest, InventoryTagsKeepOnlyTagScopeWithRawValues) {
  Result<std::vector<Tag>> tags = ParseInventoryTags(R"({"id":"dev-1","attributes":[
      {"name":"mac","value":"02:42:ac:11:00:02","scope":"identity"},
      {"name":"name","value":"old-name","scope":"tags","description":"display name"},
      {"name":"site","value":["a","b"],"scope":"tags"},
      {"name":"floor","value":3,"scope":"tags"}]})");
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  ASSERT_EQ(tags->size(), 3u);
  EXPECT_EQ((*tags)[0].name, "name");
  EXPECT_EQ((*tags)[0].value_json, R"("old-name")");
  EXPECT_EQ((*tags)[0].description, "display name");
  EXPECT_EQ((*tags)[1].value_json, R"(["a","b"])");
  EXPECT_EQ((*tags)[2].value_json, "3");

  EXPECT_TRUE(ParseInventoryTags(R"({"id":"dev-1"})").value().empty());
  EXPECT_FALSE(ParseInventoryTags(R"({"id":"dev-1","attributes":[{"scope":"tags"}]})").ok());
  EXPECT_FALSE(ParseInventoryTags("[]").ok());
}

}  // namespace
}  // namespace gps::worker::mender
