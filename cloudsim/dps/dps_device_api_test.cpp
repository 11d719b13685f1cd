// The DPS device registration API, driven through DpsApi (the DPS port's one handler) the way a
// device calls it, with the enrollments made through the service API as gps-worker-dps makes them.
#include "cloudsim/dps/dps_device_api.h"

#include <gtest/gtest.h>

#include "cloudsim/dps/dps_api.h"
#include "cloudsim/testing/test_util.h"
#include "gps/azure/sas_token.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::JsonType;
using testing::Req;
using testing::Str;

constexpr char kHost[] = "mydps.azure-devices-provisioning.net";
constexpr char kPolicy[] = "provisioningserviceowner";
constexpr char kPolicyKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr char kServiceHeader[] =
    "SharedAccessSignature sr=mydps.azure-devices-provisioning.net&sig="
    "%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D&se=1700000000&skn=provisioningserviceowner";
// The device registration worked example of cloud-apis.md section 2.1: ID scope 0ne00000000,
// registration gw-berlin-0042, device key bytes 0x40..0x7f, expiry 1700000000.
constexpr char kScope[] = "0ne00000000";
constexpr char kDeviceKey[] =
    "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw==";
constexpr char kDocumentedDeviceHeader[] =
    "SharedAccessSignature sr=0ne00000000%2Fregistrations%2Fgw-berlin-0042&sig="
    "8WV91MASp4kPPSFg2UGFXehGyYL5DxbqBGbRMOFy%2B2o%3D&se=1700000000&skn=registration";
constexpr std::int64_t kExpiry = 1'700'000'000;
constexpr char kDeviceApi[] = "?api-version=2021-06-01";

std::string KeyOfBytes(std::size_t n, char byte) {
  return crypto::Base64Encode(std::string(n, byte));
}

class DpsDeviceApiTest : public testing::ApiFixture<DpsApi> {
 protected:
  // Just before the documented tokens' expiry.
  DpsDeviceApiTest()
      : ApiFixture(Instant{1'699'999'000'000}, DpsConfig{kHost, kPolicy, kPolicyKey, kScope},
                   "?api-version=2021-10-01") {}

  HeaderField Credentials() override { return {"Authorization", kServiceHeader}; }

  // An individual enrollment made through the service API, as gps-worker-dps makes it.
  void Enroll(std::string_view id, std::string primary = kDeviceKey,
              std::string secondary = KeyOfBytes(32, '\x11'), std::string extra = "",
              bool edge = true) {
    std::string body = "{\"registrationId\":\"" + std::string(id) +
                       "\",\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{"
                       "\"primaryKey\":\"" +
                       primary + "\",\"secondaryKey\":\"" + secondary +
                       "\"}},\"capabilities\":{\"iotEdge\":" + (edge ? "true" : "false") + "}" +
                       extra + "}";
    ApiResponse r = Call("PUT", "/enrollments/" + std::string(id), body, {{"If-Match", "*"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  static std::string DeviceSas(std::string_view id, std::string_view key,
                               std::int64_t expiry = kExpiry,
                               std::string_view name = "registration",
                               std::string_view scope = kScope) {
    return azure::BuildSasToken(std::string(scope) + "/registrations/" + std::string(id), key, name,
                                expiry)
        .value();
  }

  ApiResponse Register(std::string_view id, const std::string& auth, std::string body = "",
                       std::string scope = kScope, std::string query = kDeviceApi) {
    if (body.empty()) {
      body = "{\"registrationId\":\"" + std::string(id) + "\"}";
    }
    return api_.Handle(Req("PUT",
                           "/" + scope + "/registrations/" + std::string(id) + "/register" + query,
                           {{"Authorization", auth}, JsonType()}, body));
  }

  ApiResponse Operation(std::string_view id, const std::string& operation_id,
                        const std::string& auth) {
    return api_.Handle(Req("GET",
                           "/" + std::string(kScope) + "/registrations/" + std::string(id) +
                               "/operations/" + operation_id + kDeviceApi,
                           {{"Authorization", auth}}));
  }

  // Registers and follows the operation; the operation status answer.
  json::Document RegisterAndLookUp(std::string_view id, const std::string& auth) {
    ApiResponse r = Register(id, auth);
    EXPECT_EQ(r.status, 202) << r.body;
    std::string op = Str(Body(r).Root(), "operationId");
    ApiResponse looked = Operation(id, op, auth);
    EXPECT_EQ(looked.status, 200) << looked.body;
    return Body(looked);
  }

  void ExpectError(const ApiResponse& r, int status, int code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Body(r).Root().GetInt("errorCode").value_or(0), code) << r.body;
    EXPECT_EQ(r.Header("x-ms-error-code").value_or(""), std::to_string(code));
  }

  std::size_t HubDevices() {
    return state_.Locked([](SimData& d) { return d.hub.devices.size(); });
  }
};

TEST_F(DpsDeviceApiTest, TheDocumentedDeviceTokenRegistersAndCreatesTheHubDevice) {
  Enroll("gw-berlin-0042");
  ApiResponse r = Register("gw-berlin-0042", kDocumentedDeviceHeader);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("Retry-After").value_or(""), "3");
  json::Document accepted = Body(r);
  EXPECT_EQ(Str(accepted.Root(), "status"), "assigning");
  std::string op = Str(accepted.Root(), "operationId");
  EXPECT_EQ(op.rfind("4.", 0), 0u) << op;

  ApiResponse looked = Operation("gw-berlin-0042", op, kDocumentedDeviceHeader);
  ASSERT_EQ(looked.status, 200) << looked.body;
  json::Document done = Body(looked);
  EXPECT_EQ(Str(done.Root(), "operationId"), op);
  EXPECT_EQ(Str(done.Root(), "status"), "assigned");
  json::Value state = done.Root().GetObject("registrationState").value();
  EXPECT_EQ(Str(state, "registrationId"), "gw-berlin-0042");
  EXPECT_EQ(Str(state, "assignedHub"), "myhub.azure-devices.net");
  EXPECT_EQ(Str(state, "deviceId"), "gw-berlin-0042");
  EXPECT_EQ(Str(state, "status"), "assigned");
  EXPECT_EQ(Str(state, "substatus"), "initialAssignment");
  EXPECT_EQ(Str(state, "createdDateTimeUtc"), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(Str(state, "lastUpdatedDateTimeUtc"), FormatRfc3339(clock_.Now()));
  EXPECT_FALSE(Str(state, "etag").empty());

  // The hub device exists with the enrollment's keys and edge capability, as DPS creates it.
  state_.Locked([](SimData& d) {
    ASSERT_EQ(d.hub.devices.count("gw-berlin-0042"), 1u);
    const HubDevice& dev = d.hub.devices.at("gw-berlin-0042");
    EXPECT_EQ(dev.status, "enabled");
    EXPECT_EQ(dev.auth_type, "sas");
    EXPECT_EQ(dev.primary_key.value_or(""), kDeviceKey);
    EXPECT_EQ(dev.secondary_key.value_or(""), KeyOfBytes(32, '\x11'));
    EXPECT_TRUE(dev.iot_edge);
  });
  // The service API shows the registration state, substatus included.
  ApiResponse record = Call("GET", "/registrations/gw-berlin-0042");
  ASSERT_EQ(record.status, 200) << record.body;
  EXPECT_EQ(Str(Body(record).Root(), "status"), "assigned");
  EXPECT_EQ(Str(Body(record).Root(), "substatus"), "initialAssignment");
  ApiResponse enrollment = Call("GET", "/enrollments/gw-berlin-0042");
  EXPECT_EQ(Str(Body(enrollment).Root().GetObject("registrationState").value(), "assignedHub"),
            "myhub.azure-devices.net");
}

TEST_F(DpsDeviceApiTest, TheSecondaryKeyWorksToo) {
  std::string secondary = KeyOfBytes(48, '\x22');
  Enroll("gw-2", KeyOfBytes(32, '\x21'), secondary);
  json::Document done = RegisterAndLookUp("gw-2", DeviceSas("gw-2", secondary));
  EXPECT_EQ(Str(done.Root(), "status"), "assigned");
}

TEST_F(DpsDeviceApiTest, ALowerCaseEscapedResourceIsAccepted) {
  // Azure's SAS examples sign "%2f"; the HTTP layer hands sr over as "%2F".
  Enroll("gw-3");
  std::string sr = "0ne00000000%2fregistrations%2fgw-3";
  std::string mac =
      crypto::HmacSha256(crypto::Base64Decode(kDeviceKey).value(), sr + "\n1700000000").value();
  std::string upper = "0ne00000000%2Fregistrations%2Fgw-3";
  std::string header = "SharedAccessSignature sr=" + upper +
                       "&sig=" + crypto::UrlEncode(crypto::Base64Encode(mac)) +
                       "&se=1700000000&skn=registration";
  EXPECT_EQ(Register("gw-3", header).status, 202);
}

TEST_F(DpsDeviceApiTest, BadTokensAre401AndCreateNothing) {
  Enroll("gw-berlin-0042");
  std::string id = "gw-berlin-0042";
  ExpectError(Register(id, DeviceSas(id, KeyOfBytes(64, '\x33'))), 401, 401002);     // wrong key
  ExpectError(Register(id, DeviceSas(id, kDeviceKey, 1'699'998'000)), 401, 401002);  // expired
  ExpectError(Register(id, DeviceSas(id, kDeviceKey, kExpiry, "provisioningserviceowner")), 401,
              401002);                                                        // not a device key
  ExpectError(Register(id, DeviceSas("gw-other", kDeviceKey)), 401, 401002);  // another resource
  ExpectError(Register(id, kServiceHeader), 401, 401002);                     // the service token
  ExpectError(api_.Handle(Req("PUT", "/0ne00000000/registrations/" + id + "/register" + kDeviceApi,
                              {JsonType()}, "{\"registrationId\":\"" + id + "\"}")),
              401, 401002);
  EXPECT_EQ(HubDevices(), 0u);
  ExpectError(Call("GET", "/registrations/gw-berlin-0042"), 404, 404202);
}

TEST_F(DpsDeviceApiTest, AnUnknownRegistrationIs401) {
  ExpectError(Register("gw-berlin-0042", kDocumentedDeviceHeader), 401, 401002);
  EXPECT_EQ(HubDevices(), 0u);
}

TEST_F(DpsDeviceApiTest, AnotherIdScopeIs401) {
  Enroll("gw-berlin-0042");
  ExpectError(
      Register("gw-berlin-0042",
               DeviceSas("gw-berlin-0042", kDeviceKey, kExpiry, "registration", "0ne99999999"), "",
               "0ne99999999"),
      401, 401002);
  EXPECT_EQ(HubDevices(), 0u);
}

TEST_F(DpsDeviceApiTest, TheBodyMustNameTheRegistration) {
  Enroll("gw-berlin-0042");
  std::string auth = kDocumentedDeviceHeader;
  ExpectError(Register("gw-berlin-0042", auth, R"({"registrationId":"gw-other"})"), 400, 400004);
  ExpectError(Register("gw-berlin-0042", auth, R"({"payload":{}})"), 400, 400004);
  ExpectError(Register("gw-berlin-0042", auth, "not json"), 400, 400004);
  ExpectError(
      api_.Handle(
          Req("PUT", std::string("/0ne00000000/registrations/gw-berlin-0042/register") + kDeviceApi,
              {{"Authorization", auth}})),
      400, 400004);  // no body
  ExpectError(
      api_.Handle(
          Req("PUT", std::string("/0ne00000000/registrations/gw-berlin-0042/register") + kDeviceApi,
              {{"Authorization", auth}, {"Content-Type", "text/plain"}},
              R"({"registrationId":"gw-berlin-0042"})")),
      415, 415000);
  EXPECT_EQ(HubDevices(), 0u);
  // The id is case-insensitive, and a payload is accepted.
  EXPECT_EQ(Register("gw-berlin-0042", auth,
                     R"({"registrationId":"GW-Berlin-0042","payload":{"modelId":"x"}})")
                .status,
            202);
}

TEST_F(DpsDeviceApiTest, ADisabledEnrollmentEndsDisabledAndCreatesNoDevice) {
  Enroll("gw-berlin-0042", kDeviceKey, KeyOfBytes(32, '\x11'),
         ",\"provisioningStatus\":\"disabled\"");
  json::Document done = RegisterAndLookUp("gw-berlin-0042", kDocumentedDeviceHeader);
  EXPECT_EQ(Str(done.Root(), "status"), "disabled");
  json::Value state = done.Root().GetObject("registrationState").value();
  EXPECT_EQ(Str(state, "status"), "disabled");
  EXPECT_FALSE(state.Has("assignedHub"));
  EXPECT_FALSE(state.Has("substatus"));
  EXPECT_EQ(HubDevices(), 0u);
  EXPECT_EQ(Str(Body(Call("GET", "/registrations/gw-berlin-0042")).Root(), "status"), "disabled");
}

TEST_F(DpsDeviceApiTest, ReRegistrationKeepsTheDeviceAndUpdatesTheTimestamps) {
  Enroll("gw-berlin-0042");
  json::Document first = RegisterAndLookUp("gw-berlin-0042", kDocumentedDeviceHeader);
  std::string generation =
      state_.Locked([](SimData& d) { return d.hub.devices.at("gw-berlin-0042").generation_id; });
  std::string created_at = FormatRfc3339(clock_.Now());
  clock_.Advance(60'000);
  json::Document second = RegisterAndLookUp("gw-berlin-0042", kDocumentedDeviceHeader);
  EXPECT_NE(Str(first.Root(), "operationId"), Str(second.Root(), "operationId"));
  json::Value state = second.Root().GetObject("registrationState").value();
  EXPECT_EQ(Str(state, "createdDateTimeUtc"), created_at);
  EXPECT_EQ(Str(state, "lastUpdatedDateTimeUtc"), FormatRfc3339(clock_.Now()));
  EXPECT_NE(Str(state, "etag"), Str(first.Root().GetObject("registrationState").value(), "etag"));
  EXPECT_EQ(HubDevices(), 1u);
  EXPECT_EQ(
      state_.Locked([](SimData& d) { return d.hub.devices.at("gw-berlin-0042").generation_id; }),
      generation);
  // The first operation can still be looked up, with its own result.
  ApiResponse old =
      Operation("gw-berlin-0042", Str(first.Root(), "operationId"), kDocumentedDeviceHeader);
  EXPECT_EQ(old.status, 200);
  EXPECT_EQ(Str(Body(old).Root().GetObject("registrationState").value(), "lastUpdatedDateTimeUtc"),
            created_at);
}

TEST_F(DpsDeviceApiTest, TheEnrollmentDecidesHubDeviceIdAndEdgeCapability) {
  Enroll("gw-5", KeyOfBytes(32, '\x55'), KeyOfBytes(32, '\x56'),
         ",\"deviceId\":\"device-five\",\"iotHubHostName\":\"otherhub.azure-devices.net\"", false);
  json::Document done = RegisterAndLookUp("gw-5", DeviceSas("gw-5", KeyOfBytes(32, '\x55')));
  json::Value state = done.Root().GetObject("registrationState").value();
  EXPECT_EQ(Str(state, "assignedHub"), "otherhub.azure-devices.net");
  EXPECT_EQ(Str(state, "deviceId"), "device-five");
  state_.Locked([](SimData& d) {
    ASSERT_EQ(d.hub.devices.count("device-five"), 1u);
    EXPECT_FALSE(d.hub.devices.at("device-five").iot_edge);
  });
}

TEST_F(DpsDeviceApiTest, TheConfiguredHubIsAssignedWhenTheEnrollmentNamesNone) {
  SimState state;
  DpsConfig config{kHost, kPolicy, kPolicyKey, kScope};
  config.hub_host = "gps-test-hub.azure-devices.net";
  DpsApi api(config, &state, &clock_);
  ASSERT_EQ(api.Handle(Req("PUT", "/enrollments/gw-berlin-0042?api-version=2021-10-01",
                           {{"Authorization", kServiceHeader}, JsonType()},
                           "{\"registrationId\":\"gw-berlin-0042\",\"attestation\":{\"type\":"
                           "\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" +
                               std::string(kDeviceKey) + "\"}}}"))
                .status,
            200);
  ApiResponse r = api.Handle(
      Req("PUT", std::string("/0ne00000000/registrations/gw-berlin-0042/register") + kDeviceApi,
          {{"Authorization", kDocumentedDeviceHeader}, JsonType()},
          R"({"registrationId":"gw-berlin-0042"})"));
  ASSERT_EQ(r.status, 202) << r.body;
  state.Locked([](SimData& d) {
    EXPECT_EQ(d.dps.registrations.at("gw-berlin-0042").assigned_hub,
              "gps-test-hub.azure-devices.net");
  });
}

TEST_F(DpsDeviceApiTest, OperationLookupNeedsTheDeviceAndAKnownOperation) {
  Enroll("gw-berlin-0042");
  Enroll("gw-6", KeyOfBytes(32, '\x66'));
  ApiResponse r = Register("gw-berlin-0042", kDocumentedDeviceHeader);
  std::string op = Str(Body(r).Root(), "operationId");
  ExpectError(Operation("gw-berlin-0042", "4.0000000000000000.nope", kDocumentedDeviceHeader), 404,
              404000);
  // Another device cannot read it, not even with its own valid token.
  ExpectError(Operation("gw-6", op, DeviceSas("gw-6", KeyOfBytes(32, '\x66'))), 404, 404000);
  ExpectError(Operation("gw-berlin-0042", op, DeviceSas("gw-berlin-0042", KeyOfBytes(32, '\x77'))),
              401, 401002);
  // Wrong methods.
  ExpectError(api_.Handle(Req(
                  "POST", "/0ne00000000/registrations/gw-berlin-0042/operations/" + op + kDeviceApi,
                  {{"Authorization", kDocumentedDeviceHeader}})),
              405, 405000);
  ExpectError(
      api_.Handle(
          Req("GET", std::string("/0ne00000000/registrations/gw-berlin-0042/register") + kDeviceApi,
              {{"Authorization", kDocumentedDeviceHeader}})),
      405, 405000);
}

TEST_F(DpsDeviceApiTest, ApiVersionsOfTheDeviceApi) {
  Enroll("gw-berlin-0042");
  for (std::string v :
       {"2018-11-01", "2019-03-31", "2021-06-01", "2021-10-01", "2021-11-01-preview"}) {
    EXPECT_EQ(
        Register("gw-berlin-0042", kDocumentedDeviceHeader, "", kScope, "?api-version=" + v).status,
        202)
        << v;
  }
  ExpectError(Register("gw-berlin-0042", kDocumentedDeviceHeader, "", kScope, ""), 400, 400001);
  ExpectError(
      Register("gw-berlin-0042", kDocumentedDeviceHeader, "", kScope, "?api-version=2020-01-01"),
      400, 400001);
}

TEST(DpsDeviceRoute, OnlyScopedRegistrationPathsAreDeviceRoutes) {
  auto is = [](std::string target) {
    return DpsDeviceApi::IsDeviceRoute(testing::Req("GET", target));
  };
  EXPECT_TRUE(is("/0ne00000000/registrations/gw-1/register"));
  EXPECT_TRUE(is("/0ne00000000/registrations/gw-1/operations/x"));
  EXPECT_FALSE(is("/registrations/gw-1"));
  EXPECT_FALSE(is("/enrollments/gw-1"));
  EXPECT_FALSE(is("/enrollments/gw-1/attestationmechanism"));
}

}  // namespace
}  // namespace gps::cloudsim
