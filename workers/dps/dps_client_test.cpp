#include "workers/dps/dps_client.h"

#include <gtest/gtest.h>

#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "workers/testing/http_test_util.h"

namespace gps::worker::dps {
namespace {

using testing::HasHeader;
using testing::Header;

// The worked example of cloud-apis.md 2.1: policy key = bytes 0x00..0x1f, expiry 1700000000.
constexpr std::string_view kPolicyKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr std::string_view kExpectedSas =
    "SharedAccessSignature sr=mydps.azure-devices-provisioning.net"
    "&sig=%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D&se=1700000000"
    "&skn=provisioningserviceowner";
const Instant kNow{(1'700'000'000 - kSasLifetimeS) * 1000 + 250};

DpsSettings Settings() {
  DpsSettings s;
  s.host = "mydps.azure-devices-provisioning.net";
  s.policy_name = "provisioningserviceowner";
  s.policy_key = std::string(kPolicyKey);
  s.id_scope = "0ne00000000";
  s.global_endpoint = "global.azure-devices-provisioning.net";
  s.api_version = "2021-10-01";
  s.timeout_ms = 8000;
  EXPECT_TRUE(ValidateDpsSettings(&s).ok());
  return s;
}

EnrollmentSpec Spec() {
  return EnrollmentSpec{"gw-berlin-0042", std::string(64, 'a'),
                        SymmetricKeys{"cHJpbWFyeS1rZXktMTYtYnl0ZXM=", "c2Vjb25kYXJ5LWtleS0xNmI="}};
}

TEST(DpsSettingsTest, UrlDefaultsToTheSignedHost) {
  DpsSettings s = Settings();
  EXPECT_EQ(s.url, "https://mydps.azure-devices-provisioning.net");

  s.url = "http://127.0.0.1:8443/";
  ASSERT_TRUE(ValidateDpsSettings(&s).ok());
  EXPECT_EQ(s.url, "http://127.0.0.1:8443");
}

TEST(DpsSettingsTest, RequiredAndMalformedValuesNameTheVariable) {
  DpsSettings s = Settings();
  s.host = "";
  EXPECT_NE(ValidateDpsSettings(&s).message().find("GPS_DPS_HOST"), std::string::npos);
  s = Settings();
  s.policy_key = "";
  EXPECT_NE(ValidateDpsSettings(&s).message().find("GPS_DPS_POLICY_KEY"), std::string::npos);
  s.policy_key = "not base64!";
  EXPECT_NE(ValidateDpsSettings(&s).message().find("GPS_DPS_POLICY_KEY"), std::string::npos);
  s = Settings();
  s.id_scope = "";
  EXPECT_NE(ValidateDpsSettings(&s).message().find("GPS_DPS_ID_SCOPE"), std::string::npos);
  s = Settings();
  s.url = "mydps";
  EXPECT_NE(ValidateDpsSettings(&s).message().find("GPS_DPS_URL"), std::string::npos);
  s = Settings();
  s.iot_hub_host = "hub/evil";
  EXPECT_NE(ValidateDpsSettings(&s).message().find("GPS_DPS_IOT_HUB_HOST"), std::string::npos);
}

TEST(DpsRequestTest, GetEnrollmentCarriesTheDocumentedSasHeader) {
  Result<http::Request> r = GetEnrollmentRequest(Settings(), "gw-berlin-0042", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->url,
            "https://mydps.azure-devices-provisioning.net/enrollments/gw-berlin-0042"
            "?api-version=2021-10-01");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_EQ(r->timeout_ms, 8000);
  EXPECT_TRUE(r->body.empty());
}

TEST(DpsRequestTest, StandInUrlStillGetsTheProductionToken) {
  DpsSettings s = Settings();
  s.url = "http://127.0.0.1:9999";
  Result<http::Request> r = GetEnrollmentRequest(s, "gw-1", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "http://127.0.0.1:9999/enrollments/gw-1?api-version=2021-10-01");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
}

TEST(DpsRequestTest, PutEnrollmentIsACreateWithSymmetricKeysAndEdge) {
  Result<http::Request> r = PutEnrollmentRequest(Settings(), Spec(), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->method, "PUT");
  EXPECT_EQ(r->url,
            "https://mydps.azure-devices-provisioning.net/enrollments/gw-berlin-0042"
            "?api-version=2021-10-01");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_EQ(Header(*r, "Content-Type"), "application/json");
  EXPECT_FALSE(HasHeader(*r, "If-Match"));
  EXPECT_EQ(
      r->body,
      R"({"registrationId":"gw-berlin-0042","deviceId":"gw-berlin-0042",)"
      R"("attestation":{"type":"symmetricKey","symmetricKey":)"
      R"({"primaryKey":"cHJpbWFyeS1rZXktMTYtYnl0ZXM=","secondaryKey":"c2Vjb25kYXJ5LWtleS0xNmI="}},)"
      R"("capabilities":{"iotEdge":true},"provisioningStatus":"enabled",)"
      R"("initialTwin":{"tags":{"gpsDeviceId":")" +
          std::string(64, 'a') + R"("}}})");
}

TEST(DpsRequestTest, PutEnrollmentPinsTheHubWhenConfigured) {
  DpsSettings s = Settings();
  s.iot_hub_host = "myhub.azure-devices.net";
  Result<json::Document> doc = json::ParseObject(EnrollmentBody(s, Spec()), 1 << 16, "body");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Root().GetString("iotHubHostName").value(), "myhub.azure-devices.net");
  EXPECT_EQ(doc->Root().GetString("allocationPolicy").value(), "static");
  Result<std::vector<json::Value>> hubs = doc->Root().GetArray("iotHubs");
  ASSERT_TRUE(hubs.ok());
  ASSERT_EQ(hubs->size(), 1u);
  EXPECT_EQ((*hubs)[0].AsString().value(), "myhub.azure-devices.net");

  Result<json::Document> plain =
      json::ParseObject(EnrollmentBody(Settings(), Spec()), 1 << 16, "body");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->Root().Has("iotHubHostName"));
  EXPECT_FALSE(plain->Root().Has("iotHubs"));
}

TEST(DpsRequestTest, AttestationMechanismIsABodilessPost) {
  Result<http::Request> r = AttestationMechanismRequest(Settings(), "gw-berlin-0042", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->url,
            "https://mydps.azure-devices-provisioning.net/enrollments/gw-berlin-0042/"
            "attestationmechanism?api-version=2021-10-01");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_TRUE(r->body.empty());
  EXPECT_TRUE(HasHeader(*r, "Content-Type"));
  EXPECT_EQ(Header(*r, "Content-Type"), "");
}

TEST(DpsRequestTest, DeleteEnrollmentIsConditionalOnTheQuotedEtag) {
  Result<http::Request> r = DeleteEnrollmentRequest(Settings(), "gw-berlin-0042", "AAAA=", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "DELETE");
  EXPECT_EQ(r->url,
            "https://mydps.azure-devices-provisioning.net/enrollments/gw-berlin-0042"
            "?api-version=2021-10-01");
  EXPECT_EQ(Header(*r, "Authorization"), kExpectedSas);
  EXPECT_EQ(Header(*r, "If-Match"), R"("AAAA=")");
  EXPECT_TRUE(r->body.empty());

  Result<http::Request> unconditional = DeleteEnrollmentRequest(Settings(), "gw-1", "", kNow);
  ASSERT_TRUE(unconditional.ok());
  EXPECT_FALSE(HasHeader(*unconditional, "If-Match"));
}

TEST(DpsRequestTest, EtagsAreQuotedOnce) {
  EXPECT_EQ(QuotedEtag("AAAA="), R"("AAAA=")");
  EXPECT_EQ(QuotedEtag(R"("AAAA=")"), R"("AAAA=")");
  EXPECT_EQ(QuotedEtag(R"(W/"AAAA=")"), R"(W/"AAAA=")");
  EXPECT_EQ(QuotedEtag(R"(")"), R"(""")");
}

TEST(DpsKeysTest, GeneratedKeysAreTwoDistinct64ByteKeys) {
  Result<SymmetricKeys> keys = GenerateSymmetricKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(crypto::Base64Decode(keys->primary).value().size(), 64u);
  EXPECT_EQ(crypto::Base64Decode(keys->secondary).value().size(), 64u);
  EXPECT_NE(keys->primary, keys->secondary);
  EXPECT_TRUE(ValidateSymmetricKey(keys->primary).ok());
}

TEST(DpsKeysTest, ValidationFollowsTheDpsLimits) {
  EXPECT_FALSE(ValidateSymmetricKey(crypto::Base64Encode(std::string(15, 'x'))).ok());
  EXPECT_TRUE(ValidateSymmetricKey(crypto::Base64Encode(std::string(16, 'x'))).ok());
  EXPECT_TRUE(ValidateSymmetricKey(crypto::Base64Encode(std::string(64, 'x'))).ok());
  EXPECT_FALSE(ValidateSymmetricKey(crypto::Base64Encode(std::string(65, 'x'))).ok());
  EXPECT_FALSE(ValidateSymmetricKey("not base64").ok());
  EXPECT_FALSE(ValidateSymmetricKey("").ok());
}

TEST(DpsParseTest, EnrollmentOwnerTag) {
  Result<Enrollment> e = ParseEnrollment(
      R"({"registrationId":"gw-1","deviceId":"gw-1","etag":"\"AAAA\"",
          "attestation":{"type":"symmetricKey"},
          "initialTwin":{"tags":{"gpsDeviceId":"abc","site":"b"},"properties":{"desired":{}}}})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->registration_id, "gw-1");
  EXPECT_EQ(e->gps_device_id, "abc");
  EXPECT_EQ(e->etag, R"("AAAA")");

  EXPECT_EQ(ParseEnrollment(R"({"registrationId":"gw-1"})").value().gps_device_id, "");
  EXPECT_EQ(ParseEnrollment(R"({"registrationId":"gw-1"})").value().etag, "");
  EXPECT_FALSE(ParseEnrollment(R"({"registrationId":"gw-1","etag":7})").ok());
  EXPECT_FALSE(ParseEnrollment(R"({"registrationId":"gw-1","etag":"a\nb"})").ok());
  EXPECT_EQ(ParseEnrollment(R"({"registrationId":"gw-1","initialTwin":{"tags":{"gpsDeviceId":7}}})")
                .value()
                .gps_device_id,
            "");
  EXPECT_FALSE(ParseEnrollment(R"({"errorCode":404201})").ok());
  EXPECT_FALSE(ParseEnrollment("[]").ok());
}

TEST(DpsParseTest, AttestationMechanism) {
  const std::string k1 = crypto::Base64Encode(std::string(64, '\x01'));
  const std::string k2 = crypto::Base64Encode(std::string(64, '\x02'));
  Result<SymmetricKeys> keys =
      ParseAttestationMechanism(R"({"type":"symmetricKey","symmetricKey":{"primaryKey":")" + k1 +
                                R"(","secondaryKey":")" + k2 + R"("}})");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(keys->primary, k1);
  EXPECT_EQ(keys->secondary, k2);

  EXPECT_FALSE(ParseAttestationMechanism(R"({"type":"x509","x509":{}})").ok());
  EXPECT_FALSE(
      ParseAttestationMechanism(
          R"({"type":"symmetricKey","symmetricKey":{"primaryKey":"short","secondaryKey":")" + k2 +
          R"("}})")
          .ok());
  EXPECT_FALSE(ParseAttestationMechanism(R"({"type":"symmetricKey"})").ok());
}

}  // namespace
}  // namespace gps::worker::dps
