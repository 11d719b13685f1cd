#include "cloudsim/hub/hub_api.h"

#include <gtest/gtest.h>

#include "cloudsim/dps/dps_api.h"
#include "cloudsim/hub/dps_registration.h"
#include "cloudsim/testing/test_util.h"
#include "gps/azure/sas_token.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::JsonType;
using testing::Req;
using testing::Str;

constexpr char kHost[] = "myhub.azure-devices.net";
constexpr char kPolicy[] = "iothubowner";
constexpr char kKey[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
constexpr char kApi[] = "?api-version=2021-04-12";
constexpr std::int64_t kNow = 1'800'000'000;

constexpr char kManifest[] = R"({"modulesContent":{
  "$edgeAgent":{"properties.desired":{"schemaVersion":"1.1","runtime":{"type":"docker","settings":{}},
    "systemModules":{},"modules":{}}},
  "$edgeHub":{"properties.desired":{"schemaVersion":"1.1","routes":{}}}}})";

class HubApiTest : public testing::ApiFixture<HubApi> {
 protected:
  HubApiTest() : ApiFixture(Instant{kNow * 1000}, HubConfig{kHost, kPolicy, kKey}, kApi) {}

  std::string Sas() { return azure::BuildSasToken(kHost, kKey, kPolicy, kNow + 3600).value(); }
  HeaderField Credentials() override { return {"Authorization", Sas()}; }

  static std::string Device(std::string_view id, bool edge) {
    return "{\"deviceId\":\"" + std::string(id) +
           "\",\"capabilities\":{\"iotEdge\":" + (edge ? "true" : "false") + "}}";
  }

  void ExpectError(const ApiResponse& r, int status, std::string_view name) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("iothub-errorcode").value_or(""), name);
    json::Document body = Body(r);
    EXPECT_EQ(Str(body.Root(), "Message").rfind("ErrorCode:" + std::string(name) + ";", 0), 0u)
        << r.body;
    EXPECT_EQ(Str(body.Root(), "ExceptionMessage").rfind("Tracking ID:", 0), 0u);
  }
};

TEST_F(HubApiTest, SasAndApiVersionAreRequired) {
  ExpectError(api_.Handle(Req("GET", std::string("/devices/gw-1") + kApi)), 401,
              "IotHubUnauthorizedAccess");
  ExpectError(
      api_.Handle(Req("GET", std::string("/devices/gw-1") + kApi,
                      {{"Authorization",
                        azure::BuildSasToken("127.0.0.1", kKey, kPolicy, kNow + 60).value()}})),
      401, "IotHubUnauthorizedAccess");
  ExpectError(
      api_.Handle(Req("GET", std::string("/devices/gw-1") + kApi,
                      {{"Authorization",
                        azure::BuildSasToken(kHost, kKey, "registryRead", kNow + 60).value()}})),
      401, "IotHubUnauthorizedAccess");
  ExpectError(api_.Handle(Req("GET", "/devices/gw-1", {{"Authorization", Sas()}})), 400,
              "InvalidProtocolVersion");
}

TEST_F(HubApiTest, GetUnknownDeviceIs404DeviceNotFound) {
  ExpectError(Call("GET", "/devices/gw-1"), 404, "DeviceNotFound");
}

TEST_F(HubApiTest, PutCreatesThenNeedsIfMatchToUpdate) {
  ApiResponse created = Call("PUT", "/devices/gw-1", Device("gw-1", true));
  ASSERT_EQ(created.status, 200) << created.body;
  json::Document doc = Body(created);
  json::Value d = doc.Root();
  std::string etag = Str(d, "etag");
  EXPECT_FALSE(etag.empty());
  EXPECT_EQ(Str(d, "status"), "enabled");
  EXPECT_EQ(Str(d, "connectionState"), "Disconnected");
  EXPECT_EQ(Str(d.GetObject("authentication").value(), "type"), "sas");
  EXPECT_FALSE(
      Str(d.GetObject("authentication").value().GetObject("symmetricKey").value(), "primaryKey")
          .empty());
  EXPECT_EQ(Str(d, "deviceScope").rfind("ms-azure-iot-edge://gw-1-", 0), 0u);

  ExpectError(Call("PUT", "/devices/gw-1", Device("gw-1", true)), 409, "DeviceAlreadyExists");
  ExpectError(Call("PUT", "/devices/gw-1", Device("gw-1", true), {{"If-Match", "\"stale\""}}), 412,
              "PreconditionFailed");
  std::string disable = R"({"deviceId":"gw-1","status":"disabled","statusReason":"revoked",
                            "capabilities":{"iotEdge":true}})";
  ApiResponse updated = Call("PUT", "/devices/gw-1", disable, {{"If-Match", "\"" + etag + "\""}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  json::Document up = Body(updated);
  EXPECT_EQ(Str(up.Root(), "status"), "disabled");
  EXPECT_EQ(Str(up.Root(), "statusReason"), "revoked");
  EXPECT_EQ(Str(up.Root(), "generationId"), Str(d, "generationId"));
  EXPECT_NE(Str(up.Root(), "etag"), etag);
  EXPECT_EQ(Call("PUT", "/devices/gw-1", Device("gw-1", true), {{"If-Match", "*"}}).status, 200);
  // An update of a device that does not exist.
  ExpectError(Call("PUT", "/devices/gw-2", Device("gw-2", true), {{"If-Match", "*"}}), 404,
              "DeviceNotFound");
}

TEST_F(HubApiTest, DisablingTheDeviceAsReadKeepsEverythingElse) {
  ASSERT_EQ(Call("PUT", "/devices/gw-1", Device("gw-1", true)).status, 200);
  ASSERT_EQ(Call("POST", "/devices/gw-1/applyConfigurationContent", kManifest).status, 204);
  ApiResponse read = Call("GET", "/devices/gw-1");
  ASSERT_EQ(read.status, 200);
  json::Document before = Body(read);
  const std::string etag = Str(before.Root(), "etag");
  constexpr std::string_view kEnabled = R"("status":"enabled","statusReason":null)";
  std::string disable = read.body;
  ASSERT_NE(disable.find(kEnabled), std::string::npos) << disable;
  disable.replace(disable.find(kEnabled), kEnabled.size(),
                  R"("status":"disabled","statusReason":"revoked by the operator")");

  clock_.Advance(5000);
  ApiResponse updated = Call("PUT", "/devices/gw-1", disable, {{"If-Match", "\"" + etag + "\""}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  ApiResponse again = Call("GET", "/devices/gw-1");
  json::Document after = Body(again);
  json::Value d = after.Root();
  EXPECT_EQ(Str(d, "status"), "disabled");
  EXPECT_EQ(Str(d, "statusReason"), "revoked by the operator");
  EXPECT_NE(Str(d, "statusUpdatedTime"), Str(before.Root(), "statusUpdatedTime"));
  EXPECT_NE(Str(d, "etag"), etag);
  EXPECT_EQ(Str(d, "etag"), Str(Body(updated).Root(), "etag"));
  for (std::string_view same : {"generationId", "deviceScope"}) {
    EXPECT_EQ(Str(d, same), Str(before.Root(), same)) << same;
  }
  EXPECT_EQ(d.GetObject("authentication").value().Serialize(),
            before.Root().GetObject("authentication").value().Serialize());
  EXPECT_TRUE(d.GetObject("capabilities").value().GetBool("iotEdge").value());
  EXPECT_TRUE(state_.Locked([](SimData& data) {
    return data.hub.devices.at("gw-1").configuration_content_json.has_value();
  }));

  // The version read before the change is stale now; IoT Hub's own text says so.
  ApiResponse stale = Call("PUT", "/devices/gw-1", disable, {{"If-Match", "\"" + etag + "\""}});
  ExpectError(stale, 412, "PreconditionFailed");
  EXPECT_EQ(Str(Body(stale).Root(), "Message"),
            "ErrorCode:PreconditionFailed;Precondition failed: Invalid ETag");
  // An unquoted etag never matches, even the current one.
  ExpectError(Call("PUT", "/devices/gw-1", disable, {{"If-Match", Str(d, "etag")}}), 412,
              "PreconditionFailed");
  // Without If-Match a PUT is a create.
  ApiResponse create = Call("PUT", "/devices/gw-1", disable);
  ExpectError(create, 409, "DeviceAlreadyExists");
  EXPECT_EQ(Str(Body(create).Root(), "Message"),
            "ErrorCode:DeviceAlreadyExists;A device with ID 'gw-1' is already registered.");
  // "*" matches any version, and every write makes a new etag, even one that changes nothing.
  ApiResponse forced = Call("PUT", "/devices/gw-1", disable, {{"If-Match", "*"}});
  ASSERT_EQ(forced.status, 200);
  EXPECT_NE(Str(Body(forced).Root(), "etag"), Str(d, "etag"));
  EXPECT_EQ(Str(Body(forced).Root(), "status"), "disabled");
  ExpectError(Call("PUT", "/devices/gw-1", disable, {{"If-Match", "\"" + Str(d, "etag") + "\""}}),
              412, "PreconditionFailed");
}

TEST_F(HubApiTest, PutValidation) {
  ExpectError(Call("PUT", "/devices/gw-1", Device("gw-2", false)), 400, "ArgumentInvalid");
  ExpectError(Call("PUT", "/devices/gw-1", R"({"deviceId":"gw-1","status":"paused"})"), 400,
              "ArgumentInvalid");
  ExpectError(Call("PUT", "/devices/gw-1",
                   R"({"deviceId":"gw-1","authentication":{"type":"sas",
                       "symmetricKey":{"primaryKey":"c2hvcnQ="}}})"),
              400, "ArgumentInvalid");
  ExpectError(Call("PUT", "/devices/gw-1", "[1]"), 400, "ArgumentInvalid");
  ApiResponse text = api_.Handle(Req("PUT", std::string("/devices/gw-1") + kApi,
                                     {{"Authorization", Sas()}, {"Content-Type", "text/plain"}},
                                     Device("gw-1", false)));
  EXPECT_EQ(text.status, 415);
}

TEST_F(HubApiTest, DeleteNeedsIfMatchAnd404AfterwardsMeansGone) {
  ApiResponse created = Call("PUT", "/devices/gw-1", Device("gw-1", false));
  ASSERT_EQ(created.status, 200);
  ExpectError(Call("DELETE", "/devices/gw-1"), 412, "PreconditionFailed");
  ExpectError(Call("DELETE", "/devices/gw-1", "", {{"If-Match", "\"stale\""}}), 412,
              "PreconditionFailed");
  ApiResponse del = Call("DELETE", "/devices/gw-1", "", {{"If-Match", "*"}});
  EXPECT_EQ(del.status, 204);
  ExpectError(Call("DELETE", "/devices/gw-1", "", {{"If-Match", "*"}}), 404, "DeviceNotFound");
}

TEST_F(HubApiTest, ApplyConfigurationContentOnlyForEdgeDevices) {
  ExpectError(Call("POST", "/devices/gw-1/applyConfigurationContent", kManifest), 404,
              "DeviceNotFound");
  ASSERT_EQ(Call("PUT", "/devices/leaf", Device("leaf", false)).status, 200);
  ExpectError(Call("POST", "/devices/leaf/applyConfigurationContent", kManifest), 400,
              "ArgumentInvalid");
  ASSERT_EQ(Call("PUT", "/devices/gw-1", Device("gw-1", true)).status, 200);
  ExpectError(Call("POST", "/devices/gw-1/applyConfigurationContent", R"({"modulesContent":{}})"),
              400, "InvalidConfigurationContent");
  ExpectError(Call("POST", "/devices/gw-1/applyConfigurationContent",
                   R"({"modulesContent":{"$edgeAgent":{"properties.desired":{}}}})"),
              400, "InvalidConfigurationContent");
  ApiResponse applied = Call("POST", "/devices/gw-1/applyConfigurationContent", kManifest);
  EXPECT_EQ(applied.status, 204) << applied.body;
  EXPECT_TRUE(applied.body.empty());
  bool stored = state_.Locked([](SimData& d) {
    const auto& c = d.hub.devices.at("gw-1").configuration_content_json;
    return c.has_value() && c->find("$edgeHub") != std::string::npos;
  });
  EXPECT_TRUE(stored);
}

TEST_F(HubApiTest, DpsRegistrationSeamCreatesTheHubDeviceWithTheEnrollmentKeys) {
  DpsApi dps(DpsConfig{"mydps.azure-devices-provisioning.net", "provisioningserviceowner",
                       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "0ne00000000"},
             &state_, &clock_);
  std::string sas = azure::BuildSasToken("mydps.azure-devices-provisioning.net",
                                         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                                         "provisioningserviceowner", kNow + 60)
                        .value();
  ApiResponse enrolled = dps.Handle(
      Req("PUT", "/enrollments/gw-7?api-version=2021-10-01", {{"Authorization", sas}, JsonType()},
          R"({"registrationId":"gw-7","attestation":{"type":"symmetricKey"},
              "capabilities":{"iotEdge":true}})"));
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  std::string primary =
      Str(Body(enrolled).Root().GetObject("attestation").value().GetObject("symmetricKey").value(),
          "primaryKey");

  ExpectError(Call("GET", "/devices/gw-7"), 404, "DeviceNotFound");
  Result<DpsRegistration> reg = state_.Locked(
      [&](SimData& d) { return RegisterDeviceFromEnrollment(d, "gw-7", kHost, clock_.Now()); });
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->status, "assigned");
  EXPECT_EQ(reg->assigned_hub, kHost);

  ApiResponse device = Call("GET", "/devices/gw-7");
  ASSERT_EQ(device.status, 200);
  json::Document doc = Body(device);
  EXPECT_TRUE(doc.Root().GetObject("capabilities").value().GetBool("iotEdge").value_or(false));
  EXPECT_EQ(Str(doc.Root().GetObject("authentication").value().GetObject("symmetricKey").value(),
                "primaryKey"),
            primary);
  ApiResponse state = dps.Handle(
      Req("GET", "/registrations/gw-7?api-version=2021-10-01", {{"Authorization", sas}}));
  EXPECT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(Str(Body(state).Root(), "status"), "assigned");

  Result<DpsRegistration> missing = state_.Locked(
      [&](SimData& d) { return RegisterDeviceFromEnrollment(d, "nobody", kHost, clock_.Now()); });
  EXPECT_TRUE(missing.status().IsNotFound());
}

}  // namespace
}  // namespace gps::cloudsim
