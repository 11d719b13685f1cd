#include "gps/azure/service_settings.h"

#include <gtest/gtest.h>

namespace gps::azure {
namespace {

struct Fields {
  std::string host = "mydps.azure-devices-provisioning.net";
  std::string url;
  std::string policy_name = "provisioningserviceowner";
  std::string policy_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  std::string api_version = "2021-10-01";

  Status Validate() {
    return ValidateServiceSettings({&host, &url, &policy_name, &policy_key, &api_version},
                                   "GPS_DPS", "mydps.azure-devices-provisioning.net", "2021-10-01");
  }
};

TEST(ServiceSettings, TheUrlDefaultsToTheHostAndLosesItsTrailingSlash) {
  Fields f;
  ASSERT_TRUE(f.Validate().ok());
  EXPECT_EQ(f.url, "https://mydps.azure-devices-provisioning.net");
  f.url = "http://127.0.0.1:8443/";
  ASSERT_TRUE(f.Validate().ok());
  EXPECT_EQ(f.url, "http://127.0.0.1:8443");
}

TEST(ServiceSettings, ErrorsNameTheVariable) {
  struct Case {
    void (*spoil)(Fields&);
    const char* variable;
  };
  for (const Case& c :
       {Case{[](Fields& f) { f.host = ""; }, "GPS_DPS_HOST"},
        Case{[](Fields& f) { f.host = "a b"; }, "GPS_DPS_HOST"},
        Case{[](Fields& f) { f.url = "ftp://x"; }, "GPS_DPS_URL"},
        Case{[](Fields& f) { f.policy_name = "a/b"; }, "GPS_DPS_POLICY_NAME"},
        Case{[](Fields& f) { f.policy_key = ""; }, "GPS_DPS_POLICY_KEY"},
        Case{[](Fields& f) { f.policy_key = "%%%"; }, "GPS_DPS_POLICY_KEY"},
        Case{[](Fields& f) { f.api_version = "2021/10"; }, "GPS_DPS_API_VERSION"}}) {
    Fields f;
    c.spoil(f);
    Status st = f.Validate();
    ASSERT_FALSE(st.ok()) << c.variable;
    EXPECT_EQ(st.message().rfind(c.variable, 0), 0u) << st.message();
  }
}

TEST(IsToken, LettersDigitsAndTheExtrasOnly) {
  EXPECT_TRUE(IsToken("my-hub.azure-devices.net", ".-"));
  EXPECT_FALSE(IsToken("", ".-"));
  EXPECT_FALSE(IsToken("hub/x", ".-"));
  EXPECT_TRUE(IsToken("0ne00000000", ""));
}

}  // namespace
}  // namespace gps::azure
