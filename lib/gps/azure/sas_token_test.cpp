#include "gps/azure/sas_token.h"

#include <gtest/gtest.h>

#include <string>

#include "gps/crypto/encoding.h"

namespace gps::azure {
namespace {

// The worked examples of /work/shared/reference/cloud-apis.md section 2.1, computed there with two
// independent HMAC implementations.
constexpr char kServiceKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // 0x00..0x1f
constexpr char kServiceResource[] = "mydps.azure-devices-provisioning.net";
constexpr char kServiceHeader[] =
    "SharedAccessSignature sr=mydps.azure-devices-provisioning.net"
    "&sig=%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D&se=1700000000"
    "&skn=provisioningserviceowner";

constexpr char kDeviceKey[] =
    "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw==";
constexpr char kDeviceResource[] = "0ne00000000/registrations/gw-berlin-0042";
constexpr char kDeviceHeader[] =
    "SharedAccessSignature sr=0ne00000000%2Fregistrations%2Fgw-berlin-0042"
    "&sig=8WV91MASp4kPPSFg2UGFXehGyYL5DxbqBGbRMOFy%2B2o%3D&se=1700000000&skn=registration";

constexpr std::int64_t kExpiry = 1700000000;
constexpr std::int64_t kBefore = kExpiry - 60;

// Any other base64 key of the same length.
constexpr char kOtherKey[] = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";

SasToken MustParse(std::string_view header) {
  Result<SasToken> token = ParseSasToken(header);
  EXPECT_TRUE(token.ok()) << header << ": " << token.status().ToString();
  return token.ok() ? *token : SasToken{};
}

TEST(SasToken, BuildsTheServiceApiWorkedExample) {
  Result<std::string> header =
      BuildSasToken(kServiceResource, kServiceKey, "provisioningserviceowner", kExpiry);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(*header, kServiceHeader);
}

TEST(SasToken, BuildsTheDeviceRegistrationWorkedExample) {
  Result<std::string> header = BuildSasToken(kDeviceResource, kDeviceKey, "registration", kExpiry);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(*header, kDeviceHeader);
}

TEST(SasToken, LowerCasesTheResourceBeforeSigning) {
  Result<std::string> upper = BuildSasToken("MyDPS.Azure-Devices-Provisioning.NET", kServiceKey,
                                            "provisioningserviceowner", kExpiry);
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, kServiceHeader);
}

TEST(SasToken, OmitsSknWhenTheKeyNameIsEmpty) {
  Result<std::string> header = BuildSasToken(kDeviceResource, kDeviceKey, "", kExpiry);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->find("skn="), std::string::npos);
  SasToken token = MustParse(*header);
  EXPECT_EQ(token.key_name, "");
  EXPECT_TRUE(VerifySasToken(token, kDeviceResource, kDeviceKey, kBefore).ok());
}

TEST(SasToken, RefusesAKeyThatIsNotBase64) {
  Result<std::string> header = BuildSasToken(kServiceResource, "not base64!", "p", kExpiry);
  EXPECT_FALSE(header.ok());
  EXPECT_TRUE(header.status().IsInvalidArgument());
}

TEST(SasToken, ParsesTheWorkedExamples) {
  SasToken service = MustParse(kServiceHeader);
  EXPECT_EQ(service.encoded_resource, kServiceResource);
  EXPECT_EQ(service.resource, kServiceResource);
  EXPECT_EQ(service.expiry, kExpiry);
  EXPECT_EQ(service.key_name, "provisioningserviceowner");
  EXPECT_EQ(crypto::Base64Encode(service.signature),
            "+5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70=");

  SasToken device = MustParse(kDeviceHeader);
  EXPECT_EQ(device.encoded_resource, "0ne00000000%2Fregistrations%2Fgw-berlin-0042");
  EXPECT_EQ(device.resource, kDeviceResource);
  EXPECT_EQ(device.key_name, "registration");
  EXPECT_EQ(crypto::Base64Encode(device.signature), "8WV91MASp4kPPSFg2UGFXehGyYL5DxbqBGbRMOFy+2o=");
}

TEST(SasToken, VerifiesTheWorkedExamplesWithTheirKeys) {
  EXPECT_TRUE(
      VerifySasToken(MustParse(kServiceHeader), kServiceResource, kServiceKey, kBefore).ok());
  EXPECT_TRUE(VerifySasToken(MustParse(kDeviceHeader), kDeviceResource, kDeviceKey, kBefore).ok());
}

TEST(SasToken, BuildParseVerifyRoundTrip) {
  Result<std::string> header =
      BuildSasToken("myhub.azure-devices.net", kOtherKey, "iothubowner", 1800000000);
  ASSERT_TRUE(header.ok());
  SasToken token = MustParse(*header);
  EXPECT_EQ(token.resource, "myhub.azure-devices.net");
  EXPECT_EQ(token.key_name, "iothubowner");
  EXPECT_EQ(token.expiry, 1800000000);
  EXPECT_TRUE(VerifySasToken(token, "myhub.azure-devices.net", kOtherKey, 1799999999).ok());
}

TEST(SasToken, TheSignatureIsOverTheResourceAsSent) {
  // Azure's docs spell the escape in lower case (%2f); such a token signs that exact spelling.
  const std::string sr = "0ne00000000%2fregistrations%2fgw-berlin-0042";
  SasToken upper = MustParse(kDeviceHeader);
  SasToken lower = upper;
  lower.encoded_resource = sr;
  // Same decoded resource, different string signed: the old signature no longer fits.
  Status st = VerifySasToken(lower, kDeviceResource, kDeviceKey, kBefore);
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
}

TEST(SasToken, RefusesTheWrongKey) {
  Status st = VerifySasToken(MustParse(kServiceHeader), kServiceResource, kOtherKey, kBefore);
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
  st = VerifySasToken(MustParse(kDeviceHeader), kDeviceResource, kServiceKey, kBefore);
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
}

TEST(SasToken, RefusesAnotherResource) {
  Status st = VerifySasToken(MustParse(kServiceHeader), "otherdps.azure-devices-provisioning.net",
                             kServiceKey, kBefore);
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
  st = VerifySasToken(MustParse(kDeviceHeader), "0ne00000000/registrations/gw-berlin-0043",
                      kDeviceKey, kBefore);
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
}

TEST(SasToken, RefusesAnExpiredToken) {
  SasToken token = MustParse(kServiceHeader);
  EXPECT_TRUE(VerifySasToken(token, kServiceResource, kServiceKey, kExpiry - 1).ok());
  EXPECT_TRUE(VerifySasToken(token, kServiceResource, kServiceKey, kExpiry).IsPermissionDenied());
  EXPECT_TRUE(
      VerifySasToken(token, kServiceResource, kServiceKey, kExpiry + 3600).IsPermissionDenied());
}

TEST(SasToken, RefusesAnExpiryMovedLaterWithoutResigning) {
  SasToken token = MustParse(kServiceHeader);
  token.expiry = kExpiry + 86400;
  EXPECT_TRUE(VerifySasToken(token, kServiceResource, kServiceKey, kBefore).IsPermissionDenied());
}

TEST(SasToken, RefusesAWidenedResourceWithoutResigning) {
  SasToken token = MustParse(kDeviceHeader);
  token.resource = "0ne00000000";
  token.encoded_resource = "0ne00000000";
  EXPECT_TRUE(VerifySasToken(token, kDeviceResource, kDeviceKey, kBefore).IsPermissionDenied());
}

TEST(SasToken, CoversSubresourcesByPathSegment) {
  Result<std::string> header = BuildSasToken("a/b", kOtherKey, "p", kExpiry);
  ASSERT_TRUE(header.ok());
  SasToken token = MustParse(*header);
  EXPECT_TRUE(VerifySasToken(token, "a/b", kOtherKey, kBefore).ok());
  EXPECT_TRUE(VerifySasToken(token, "a/b/c", kOtherKey, kBefore).ok());
  EXPECT_TRUE(VerifySasToken(token, "a/b/c/d", kOtherKey, kBefore).ok());
  EXPECT_TRUE(VerifySasToken(token, "A/B/C", kOtherKey, kBefore).ok());  // case-insensitive
  EXPECT_TRUE(VerifySasToken(token, "a/bc", kOtherKey, kBefore).IsPermissionDenied());
  EXPECT_TRUE(VerifySasToken(token, "a/b-c", kOtherKey, kBefore).IsPermissionDenied());
  EXPECT_TRUE(VerifySasToken(token, "a", kOtherKey, kBefore).IsPermissionDenied());
  EXPECT_TRUE(VerifySasToken(token, "x/a/b", kOtherKey, kBefore).IsPermissionDenied());
}

TEST(SasToken, AHubWideTokenCoversItsDevices) {
  Result<std::string> header = BuildSasToken("myhub.azure-devices.net", kOtherKey, "", kExpiry);
  ASSERT_TRUE(header.ok());
  EXPECT_TRUE(
      VerifySasToken(MustParse(*header), "myhub.azure-devices.net/devices/gw-1", kOtherKey, kBefore)
          .ok());
}

TEST(SasToken, RefusesMalformedHeaders) {
  const std::string sig = "sig=%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D";
  const std::string cases[] = {
      "",
      "Bearer abc",
      "SharedAccessSignature",
      "sharedaccesssignature sr=a&" + sig + "&se=1",
      "SharedAccessSignature sr=a&" + sig,                        // no se
      "SharedAccessSignature sr=a&se=1",                          // no sig
      "SharedAccessSignature " + sig + "&se=1",                   // no sr
      "SharedAccessSignature sr=a&" + sig + "&se",                // field without '='
      "SharedAccessSignature sr=a&" + sig + "&se=",               // empty se
      "SharedAccessSignature sr=a&" + sig + "&se=-5",             // not digits
      "SharedAccessSignature sr=a&" + sig + "&se=17e8",           // not digits
      "SharedAccessSignature sr=a&" + sig + "&se=1234567890123",  // too many digits
      "SharedAccessSignature sr=a&sig=%%%&se=1",                  // bad escape
      "SharedAccessSignature sr=a%zz&" + sig + "&se=1",           // bad escape in sr
      "SharedAccessSignature sr=a&sig=not-base64&se=1",           // sig not base64
      "SharedAccessSignature sr=a&sig=+5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70=&se=1",
      "SharedAccessSignature sr=a&" + sig + "&se=1&skn=%G0",  // bad escape in skn
      "SharedAccessSignature sr=a&" + sig + "&se=1&" + std::string(5000, 'x') + "=1",  // too long
  };
  for (const std::string& header : cases) {
    Result<SasToken> token = ParseSasToken(header);
    EXPECT_FALSE(token.ok()) << header;
    EXPECT_TRUE(token.status().IsInvalidArgument()) << header;
  }
}

TEST(SasToken, IgnoresUnknownFieldsAndOrder) {
  SasToken token = MustParse(
      "SharedAccessSignature skn=provisioningserviceowner&se=1700000000&extra=1"
      "&sig=%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D&sr=mydps.azure-devices-provisioning."
      "net");
  EXPECT_TRUE(VerifySasToken(token, kServiceResource, kServiceKey, kBefore).ok());
}

}  // namespace
}  // namespace gps::azure
