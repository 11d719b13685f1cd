#include "cloudsim/dps/dps_api.h"

#include <gtest/gtest.h>

#include "cloudsim/dps/enrollment.h"
#include "cloudsim/testing/test_util.h"
#include "gps/azure/sas_token.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::Req;
using testing::Str;

// The worked example of the reference (cloud-apis.md section 2.1): policy key bytes 0x00..0x1f.
constexpr char kHost[] = "mydps.azure-devices-provisioning.net";
constexpr char kPolicy[] = "provisioningserviceowner";
constexpr char kKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr char kDocumentedHeader[] =
    "SharedAccessSignature sr=mydps.azure-devices-provisioning.net&sig="
    "%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D&se=1700000000&skn=provisioningserviceowner";
constexpr char kApi[] = "?api-version=2021-10-01";

std::string KeyOfBytes(std::size_t n) { return crypto::Base64Encode(std::string(n, '\x2a')); }

class DpsApiTest : public testing::ApiFixture<DpsApi> {
 protected:
  // Just before the documented token's expiry, so the reference's own header is valid.
  DpsApiTest()
      : ApiFixture(Instant{1'699'999'000'000}, DpsConfig{kHost, kPolicy, kKey, "0ne00000000"},
                   kApi) {}

  HeaderField Credentials() override { return {"Authorization", kDocumentedHeader}; }

  static std::string Enrollment(std::string_view id, std::string keys_json = "") {
    std::string sk = keys_json.empty() ? "" : ",\"symmetricKey\":" + keys_json;
    return "{\"registrationId\":\"" + std::string(id) +
           "\",\"attestation\":{\"type\":\"symmetricKey\"" + sk +
           "},\"capabilities\":{\"iotEdge\":true},\"provisioningStatus\":\"enabled\","
           "\"initialTwin\":{\"tags\":{\"gpsDeviceId\":\"abc\"},\"properties\":{\"desired\":{}}}}";
  }

  void ExpectError(const ApiResponse& r, int status, int code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::Document body = Body(r);
    EXPECT_EQ(body.Root().GetInt("errorCode").value_or(0), code) << r.body;
    EXPECT_FALSE(Str(body.Root(), "trackingId").empty());
    EXPECT_FALSE(Str(body.Root(), "message").empty());
    EXPECT_FALSE(Str(body.Root(), "timestampUtc").empty());
    EXPECT_EQ(r.Header("x-ms-error-code").value_or(""), std::to_string(code));
  }
};

TEST_F(DpsApiTest, ApiVersionIsRequiredAndMustBe20211001) {
  ApiResponse missing =
      api_.Handle(Req("GET", "/enrollments/gw-1", {{"Authorization", kDocumentedHeader}}));
  ExpectError(missing, 400, 400001);
  ApiResponse other = api_.Handle(Req("GET", "/enrollments/gw-1?api-version=2019-03-31",
                                      {{"Authorization", kDocumentedHeader}}));
  ExpectError(other, 400, 400001);
}

TEST_F(DpsApiTest, SasMustBeValidForTheConfiguredHostAndPolicy) {
  auto with = [&](std::string auth) {
    return api_.Handle(
        Req("GET", std::string("/enrollments/gw-1") + kApi, {{"Authorization", auth}}));
  };
  ExpectError(api_.Handle(Req("GET", std::string("/enrollments/gw-1") + kApi)), 401, 401002);
  // Signed for the loopback address instead of the DPS host name.
  ExpectError(with(azure::BuildSasToken("127.0.0.1", kKey, kPolicy, 1'700'000'000).value()), 401,
              401002);
  // Another policy name, another key, expired.
  ExpectError(with(azure::BuildSasToken(kHost, kKey, "registryRead", 1'700'000'000).value()), 401,
              401002);
  ExpectError(with(azure::BuildSasToken(kHost, KeyOfBytes(32), kPolicy, 1'700'000'000).value()),
              401, 401002);
  ExpectError(with(azure::BuildSasToken(kHost, kKey, kPolicy, 1'699'998'000).value()), 401, 401002);
  ExpectError(with("Bearer something"), 401, 401002);
  // The reference's own worked example is accepted (404: nothing enrolled yet).
  ExpectError(with(kDocumentedHeader), 404, 404201);
}

TEST_F(DpsApiTest, CreateGeneratesKeysAndReturnsTheStoredEnrollment) {
  ApiResponse r = Call("PUT", "/enrollments/gw-berlin-0042", Enrollment("gw-berlin-0042"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::Document e = Body(r);
  json::Value root = e.Root();
  EXPECT_EQ(Str(root, "registrationId"), "gw-berlin-0042");
  EXPECT_EQ(Str(root, "deviceId"), "gw-berlin-0042");  // defaults to the registration id
  EXPECT_FALSE(Str(root, "etag").empty());
  EXPECT_FALSE(Str(root, "createdDateTimeUtc").empty());
  EXPECT_EQ(Str(root, "provisioningStatus"), "enabled");
  EXPECT_TRUE(root.GetObject("capabilities").value().GetBool("iotEdge").value_or(false));
  EXPECT_EQ(root.Get("initialTwin").value().Serialize(),
            R"({"tags":{"gpsDeviceId":"abc"},"properties":{"desired":{}}})");
  json::Value sk = root.GetObject("attestation").value().GetObject("symmetricKey").value();
  for (std::string_view which : {"primaryKey", "secondaryKey"}) {
    std::string key = Str(sk, which);
    EXPECT_EQ(crypto::Base64Decode(key).value_or("").size(), 64u) << which;
  }
  // GET and the attestation mechanism return the same keys.
  ApiResponse got = Call("GET", "/enrollments/gw-berlin-0042");
  ASSERT_EQ(got.status, 200);
  ApiResponse att = Call("POST", "/enrollments/gw-berlin-0042/attestationmechanism");
  ASSERT_EQ(att.status, 200) << att.body;
  EXPECT_EQ(Str(Body(att).Root().GetObject("symmetricKey").value(), "primaryKey"),
            Str(sk, "primaryKey"));
}

TEST_F(DpsApiTest, SuppliedKeysMustBeBase64Of16To64Bytes) {
  auto keys = [](const std::string& k) {
    return "{\"primaryKey\":\"" + k + "\",\"secondaryKey\":\"" + KeyOfBytes(32) + "\"}";
  };
  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-1", keys(KeyOfBytes(15)))), 400,
              400004);
  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-1", keys(KeyOfBytes(65)))), 400,
              400004);
  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-1", keys("not*base64"))), 400,
              400004);
  ApiResponse ok16 = Call("PUT", "/enrollments/gw-1", Enrollment("gw-1", keys(KeyOfBytes(16))));
  ASSERT_EQ(ok16.status, 200) << ok16.body;
  EXPECT_NE(ok16.body.find(KeyOfBytes(16)), std::string::npos);
  EXPECT_EQ(Call("PUT", "/enrollments/gw-2", Enrollment("gw-2", keys(KeyOfBytes(64)))).status, 200);
}

TEST_F(DpsApiTest, RegistrationIdRulesAndBodyMismatch) {
  ExpectError(Call("PUT", "/enrollments/-gw", Enrollment("-gw")), 400, 400004);
  ExpectError(Call("PUT", "/enrollments/gw_", Enrollment("gw_")), 400, 400004);
  ExpectError(Call("PUT", "/enrollments/gw%20x", Enrollment("gw x")), 400, 400004);
  ExpectError(
      Call("PUT", "/enrollments/" + std::string(129, 'a'), Enrollment(std::string(129, 'a'))), 400,
      400004);
  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-2")), 400, 400004);
  ExpectError(Call("PUT", "/enrollments/gw-1", R"({"registrationId":"gw-1"})"), 400, 400004);
  ExpectError(
      Call("PUT", "/enrollments/gw-1", R"({"registrationId":"gw-1","attestation":{"type":"tpm"}})"),
      400, 400004);
  EXPECT_EQ(Call("PUT", "/enrollments/a:b.c_d-e", Enrollment("a:b.c_d-e")).status, 200);
  EXPECT_EQ(Call("PUT", "/enrollments/" + std::string(128, 'a'), Enrollment(std::string(128, 'a')))
                .status,
            200);
}

TEST_F(DpsApiTest, ContentTypeMustBeJson) {
  ApiResponse r = api_.Handle(Req(
      "PUT", std::string("/enrollments/gw-1") + kApi,
      {{"Authorization", kDocumentedHeader}, {"Content-Type", "text/plain"}}, Enrollment("gw-1")));
  ExpectError(r, 415, 415000);
}

TEST_F(DpsApiTest, EtagRules409WithoutIfMatch412WhenStaleReplaceWithStarOrMatch) {
  ApiResponse created = Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"));
  ASSERT_EQ(created.status, 200);
  std::string etag = Str(Body(created).Root(), "etag");
  std::string created_at = Str(Body(created).Root(), "createdDateTimeUtc");

  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-1")), 409, 409201);
  // The identity is case-insensitive.
  ExpectError(Call("PUT", "/enrollments/GW-1", Enrollment("GW-1")), 409, 409201);
  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"), {{"If-Match", "\"stale\""}}),
              412, 412001);
  // Unquoted etags do not match.
  ExpectError(Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"), {{"If-Match", etag}}), 412,
              412001);

  ApiResponse matched =
      Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"), {{"If-Match", "\"" + etag + "\""}});
  ASSERT_EQ(matched.status, 200) << matched.body;
  std::string etag2 = Str(Body(matched).Root(), "etag");
  EXPECT_NE(etag2, etag);
  EXPECT_EQ(Str(Body(matched).Root(), "createdDateTimeUtc"), created_at);

  ApiResponse forced = Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"), {{"If-Match", "*"}});
  EXPECT_EQ(forced.status, 200);
  // The old etag is stale now.
  ExpectError(
      Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"), {{"If-Match", "\"" + etag + "\""}}), 412,
      412001);
}

TEST_F(DpsApiTest, GetAndDeleteEnrollment) {
  ExpectError(Call("GET", "/enrollments/gw-1"), 404, 404201);
  ExpectError(Call("DELETE", "/enrollments/gw-1"), 404, 404201);
  ApiResponse created = Call("PUT", "/enrollments/gw-1", Enrollment("gw-1"));
  ASSERT_EQ(created.status, 200);
  ExpectError(Call("DELETE", "/enrollments/gw-1", "", {{"If-Match", "\"stale\""}}), 412, 412001);
  ApiResponse del = Call("DELETE", "/enrollments/gw-1");
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  ExpectError(Call("GET", "/enrollments/gw-1"), 404, 404201);
}

TEST_F(DpsApiTest, RegistrationsAre404UntilADeviceRegisters) {
  ExpectError(Call("GET", "/registrations/gw-1"), 404, 404202);
  ExpectError(Call("DELETE", "/registrations/gw-1"), 404, 404202);
  ExpectError(Call("POST", "/enrollments/query", R"({"query":"SELECT *"})"), 404, 404000);
}

TEST(DpsEtag, IsBase64OfAnIncreasingCounter) {
  std::uint64_t counter = 0;
  EXPECT_EQ(dps::NextEtag(&counter), "AAAAAAAAAAE=");
  EXPECT_EQ(dps::NextEtag(&counter), "AAAAAAAAAAI=");
}

}  // namespace
}  // namespace gps::cloudsim
