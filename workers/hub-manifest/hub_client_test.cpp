#include "workers/hub-manifest/hub_client.h"

#include <gtest/gtest.h>

#include "gps/json/json.h"
#include "workers/hub-manifest/hub_test_support.h"
#include "workers/testing/http_test_util.h"

namespace gps::worker::hub {
namespace {

using ::gps::worker::testing::HasHeader;
using ::gps::worker::testing::Header;
using ::gps::worker::testing::MakeResponse;

// Policy key = bytes 0x00..0x1f (the key of cloud-apis.md 2.1), expiry 1700000000; the signature
// was computed independently with Python's hmac over "myhub.azure-devices.net\n1700000000".
constexpr std::string_view kPolicyKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr std::string_view kExpectedSas =
    "SharedAccessSignature sr=myhub.azure-devices.net"
    "&sig=iIzEw6hi6GK79RY5jNXO6QeQkSL%2FAx4zTmy44X2G1VY%3D&se=1700000000&skn=iothubowner";
const Instant kNow{(1'700'000'000 - kSasLifetimeS) * 1000 + 250};

class HubClientTest : public ::testing::Test {
 protected:
  HubSettings Settings() {
    HubSettings s;
    s.host = "myhub.azure-devices.net";
    s.policy_name = "iothubowner";
    s.policy_key = std::string(kPolicyKey);
    s.api_version = "2021-04-12";
    s.manifest_file = manifest_.path();
    s.timeout_ms = 8000;
    Status ok = ValidateHubSettings(&s);
    EXPECT_TRUE(ok.ok()) << ok.ToString();
    return s;
  }

  testing::TempFile manifest_{testing::kTemplate};
};

TEST_F(HubClientTest, SettingsFillInTheUrlAndLoadTheTemplate) {
  HubSettings s = Settings();
  EXPECT_EQ(s.url, "https://myhub.azure-devices.net");
  EXPECT_FALSE(s.manifest.empty());
  EXPECT_TRUE(s.manifest.Uses("DEVICE_NAME"));

  s.url = "http://127.0.0.1:8443/";
  ASSERT_TRUE(ValidateHubSettings(&s).ok());
  EXPECT_EQ(s.url, "http://127.0.0.1:8443");
}

TEST_F(HubClientTest, BadSettingsNameTheVariable) {
  auto error_of = [&](auto change) {
    HubSettings s = Settings();
    change(s);
    return ValidateHubSettings(&s).message();
  };
  EXPECT_EQ(error_of([](HubSettings& s) { s.host = ""; }).rfind("GPS_HUB_HOST:", 0), 0u);
  EXPECT_EQ(error_of([](HubSettings& s) { s.host = "hub/evil"; }).rfind("GPS_HUB_HOST:", 0), 0u);
  EXPECT_EQ(error_of([](HubSettings& s) { s.url = "myhub"; }).rfind("GPS_HUB_URL:", 0), 0u);
  EXPECT_EQ(
      error_of([](HubSettings& s) { s.policy_name = "a b"; }).rfind("GPS_HUB_POLICY_NAME:", 0), 0u);
  EXPECT_EQ(error_of([](HubSettings& s) { s.policy_key = ""; }).rfind("GPS_HUB_POLICY_KEY:", 0),
            0u);
  EXPECT_EQ(error_of([](HubSettings& s) {
              s.policy_key = "not base64!";
            }).rfind("GPS_HUB_POLICY_KEY:", 0),
            0u);
  EXPECT_EQ(
      error_of([](HubSettings& s) { s.api_version = "2021/04"; }).rfind("GPS_HUB_API_VERSION:", 0),
      0u);
  EXPECT_EQ(error_of([](HubSettings& s) {
              s.manifest_file = "";
            }).rfind("GPS_HUB_MANIFEST_TEMPLATE: required", 0),
            0u);
}

TEST_F(HubClientTest, ABadTemplateNamesTheFileAndThePath) {
  testing::TempFile bad(R"({"modulesContent": {"$edgeAgent": {"properties.desired": {}}}})");
  HubSettings s = Settings();
  s.manifest_file = bad.path();
  EXPECT_EQ(ValidateHubSettings(&s).message(),
            "GPS_HUB_MANIFEST_TEMPLATE: " + bad.path() +
                R"(: modulesContent.$edgeAgent["properties.desired"].schemaVersion: missing )"
                R"((required))");
}

TEST_F(HubClientTest, GetDeviceCarriesTheServiceSasAndApiVersion) {
  Result<http::Request> r = GetDeviceRequest(Settings(), "gw-berlin-0042", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->url,
            "https://myhub.azure-devices.net/devices/gw-berlin-0042?api-version=2021-04-12");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_EQ(Header(*r, "Accept"), "application/json");
  EXPECT_EQ(r->timeout_ms, 8000);
  EXPECT_TRUE(r->body.empty());
  EXPECT_FALSE(HasHeader(*r, "If-Match"));
}

TEST_F(HubClientTest, StandInUrlStillGetsTheProductionToken) {
  HubSettings s = Settings();
  s.url = "http://127.0.0.1:9999";
  Result<http::Request> r = GetDeviceRequest(s, "gw-1", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "http://127.0.0.1:9999/devices/gw-1?api-version=2021-04-12");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
}

TEST_F(HubClientTest, ApplyConfigurationPostsTheBodyAsJson) {
  Result<http::Request> r =
      ApplyConfigurationRequest(Settings(), "gw-1", R"({"modulesContent":{}})", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url,
            "https://myhub.azure-devices.net/devices/gw-1/applyConfigurationContent"
            "?api-version=2021-04-12");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_EQ(Header(*r, "Content-Type"), "application/json");
  EXPECT_EQ(r->body, R"({"modulesContent":{}})");
}

TEST_F(HubClientTest, UpdateIsConditionalOnTheQuotedEtag) {
  Result<http::Request> r =
      UpdateDeviceRequest(Settings(), "gw-1", "MTM2", R"({"deviceId":"gw-1"})", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, "PUT");
  EXPECT_EQ(r->url, "https://myhub.azure-devices.net/devices/gw-1?api-version=2021-04-12");
  EXPECT_EQ(Header(*r, "If-Match"), "\"MTM2\"");
  EXPECT_EQ(Header(*r, "Content-Type"), "application/json");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_EQ(r->body, R"({"deviceId":"gw-1"})");

  // Quoted already: sent as it is, not quoted twice.
  EXPECT_EQ(
      Header(UpdateDeviceRequest(Settings(), "gw-1", "\"MTM2\"", "{}", kNow).value(), "If-Match"),
      "\"MTM2\"");
  // Never a header the etag could break.
  for (std::string_view bad : {"", "\"\"", "MT\r\nX-Evil: 1", "a\"b", "a b"}) {
    Result<http::Request> refused = UpdateDeviceRequest(Settings(), "gw-1", bad, "{}", kNow);
    EXPECT_TRUE(refused.status().IsInvalidArgument()) << bad;
  }
}

TEST(HubEtagTest, VisibleAsciiWithoutQuotesInside) {
  EXPECT_TRUE(IsUsableEtag("MTM2"));
  EXPECT_TRUE(IsUsableEtag("\"MTM2\""));
  EXPECT_TRUE(IsUsableEtag("AAAAAAAAAAE="));
  EXPECT_TRUE(IsUsableEtag(std::string(128, 'x')));
  EXPECT_FALSE(IsUsableEtag(std::string(129, 'x')));
  EXPECT_FALSE(IsUsableEtag(""));
  EXPECT_FALSE(IsUsableEtag("\""));
  EXPECT_FALSE(IsUsableEtag("\"MTM2"));
  EXPECT_FALSE(IsUsableEtag("M\tM"));
  EXPECT_FALSE(IsUsableEtag("M\xc3\xa9"));
}

TEST(HubDisabledBodyTest, KeepsTheWholeDeviceAndSetsStatusAndReason) {
  constexpr std::string_view kRead =
      R"({"deviceId":"gw-1","generationId":"638","etag":"MTM2","status":"enabled",)"
      R"("statusReason":null,"authentication":{"symmetricKey":{"primaryKey":"cA==",)"
      R"("secondaryKey":"cw=="},"type":"sas"},"capabilities":{"iotEdge":true},"parentScopes":[]})";
  Result<std::string> body = DisabledDeviceBody(kRead, kRevokedStatusReason);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body,
            R"({"deviceId":"gw-1","generationId":"638","etag":"MTM2",)"
            R"("authentication":{"symmetricKey":{"primaryKey":"cA==","secondaryKey":"cw=="},)"
            R"("type":"sas"},"capabilities":{"iotEdge":true},"parentScopes":[],)"
            R"("status":"disabled","statusReason":"revoked by the gateway provisioning service"})");
  EXPECT_LE(kRevokedStatusReason.size(), 128u);  // IoT Hub's limit for statusReason

  // A device without status fields gets them; the reason is escaped as JSON.
  EXPECT_EQ(DisabledDeviceBody(R"({"deviceId":"gw-1"})", "a \"quoted\" reason").value(),
            R"({"deviceId":"gw-1","status":"disabled","statusReason":"a \"quoted\" reason"})");
  EXPECT_FALSE(DisabledDeviceBody("[1]", "x").ok());
  EXPECT_FALSE(DisabledDeviceBody("not json", "x").ok());
}

TEST_F(HubClientTest, DeviceIdsAreEncodedInThePath) {
  Result<http::Request> r = GetDeviceRequest(Settings(), "a/b?c", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "https://myhub.azure-devices.net/devices/a%2Fb%3Fc?api-version=2021-04-12");
}

TEST(HubDeviceTest, ParsesTheRegistryDevice) {
  Result<HubDevice> d = ParseDevice(
      R"({"deviceId":"gw-berlin-0042","generationId":"638","etag":"MTM2","connectionState":)"
      R"("Disconnected","status":"enabled","statusReason":null,"authentication":{"type":"sas"},)"
      R"("capabilities":{"iotEdge":true},"deviceScope":"ms-azure-iot-edge://gw","parentScopes":[]})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->device_id, "gw-berlin-0042");
  EXPECT_TRUE(d->iot_edge);
  EXPECT_EQ(d->status, "enabled");
  EXPECT_EQ(d->etag, "MTM2");

  Result<HubDevice> plain = ParseDevice(R"({"deviceId":"gw-1"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->iot_edge);
  EXPECT_EQ(plain->etag, "");

  EXPECT_FALSE(ParseDevice(R"({"capabilities":{"iotEdge":true}})").ok());
  EXPECT_FALSE(ParseDevice(R"({"deviceId":"gw-1","capabilities":{"iotEdge":"yes"}})").ok());
  EXPECT_FALSE(ParseDevice(R"({"deviceId":"gw-1","capabilities":true})").ok());
  EXPECT_FALSE(ParseDevice("not json").ok());
  EXPECT_FALSE(ParseDevice(R"({"deviceId":"gw-1","etag":7})").ok());
}

TEST(HubErrorCodeTest, ReadsHeaderOrEitherBodyShape) {
  EXPECT_EQ(HubErrorCode(MakeResponse(404, "", {{"IoTHub-ErrorCode", "DeviceNotFound"}})),
            "DeviceNotFound");
  EXPECT_EQ(HubErrorCode(MakeResponse(
                404, R"({"Message":"ErrorCode:DeviceNotFound;Device gw-1 not registered",)"
                     R"("ExceptionMessage":"Tracking ID:x"})")),
            "DeviceNotFound");
  EXPECT_EQ(HubErrorCode(MakeResponse(
                404, R"({"Message":"{\"errorCode\":404001,\"trackingId\":\"t\",\"message\":)"
                     R"(\"Device not found\",\"timestampUtc\":\"x\"}","ExceptionMessage":""})")),
            "404001");
  EXPECT_EQ(HubErrorCode(MakeResponse(404, "Not Found")), "");
  EXPECT_EQ(HubErrorCode(MakeResponse(404, R"({"Message":"no code here"})")), "");
}

}  // namespace
}  // namespace gps::worker::hub
