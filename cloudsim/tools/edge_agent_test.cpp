#include "cloudsim/tools/edge_agent.h"

#include <gtest/gtest.h>

#include "gps/crypto/encoding.h"
#include "gps/crypto/sign.h"
#include "gps/json/json.h"

namespace gps::cloudsim::edge {
namespace {

constexpr char kDeviceKey[] =
    "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw==";

DpsDevice Berlin() {
  return {"gw-berlin-0042", kDeviceKey, "0ne00000000", "global.azure-devices-provisioning.net"};
}

TEST(EdgeAgentArgs, DpsAndMenderModes) {
  Result<Options> dps = ParseArgs({"dps", "--env", "/x/dps.env", "--dps-url=http://127.0.0.1:9/",
                                   "--timeout-s", "5", "--poll-interval-ms=20"});
  ASSERT_TRUE(dps.ok()) << dps.status().ToString();
  EXPECT_EQ(dps->mode, Options::Mode::kDps);
  EXPECT_EQ(dps->env_file, "/x/dps.env");
  EXPECT_EQ(dps->dps_url, "http://127.0.0.1:9");
  EXPECT_EQ(dps->timeout_s, 5);
  EXPECT_EQ(dps->poll_interval_ms, 20);
  EXPECT_EQ(dps->api_version, "2021-06-01");

  Result<Options> mender = ParseArgs(
      {"mender", "--mender-url", "http://m", "--key", "k.pem", "--mac", "aa:bb:cc:dd:ee:ff"});
  ASSERT_TRUE(mender.ok()) << mender.status().ToString();
  EXPECT_EQ(mender->mode, Options::Mode::kMender);
  EXPECT_EQ(mender->mac, "aa:bb:cc:dd:ee:ff");

  EXPECT_TRUE(ParseArgs({"--help"})->help);
  EXPECT_TRUE(ParseArgs({"dps", "--help"})->help);
  EXPECT_FALSE(Usage().empty());
}

TEST(EdgeAgentArgs, MistakesAreNamed) {
  EXPECT_FALSE(ParseArgs({}).ok());
  EXPECT_FALSE(ParseArgs({"hub"}).ok());
  EXPECT_FALSE(ParseArgs({"dps"}).ok());  // --env is required
  EXPECT_FALSE(ParseArgs({"dps", "--env"}).ok());
  EXPECT_FALSE(ParseArgs({"dps", "--env", "f", "--mac", "x"}).ok());  // a mender flag
  EXPECT_FALSE(ParseArgs({"dps", "--env", "f", "--timeout-s", "0"}).ok());
  EXPECT_FALSE(ParseArgs({"dps", "--env", "f", "--timeout-s", "1x"}).ok());
  EXPECT_FALSE(ParseArgs({"mender", "--mender-url", "u", "--key", "k"}).ok());  // no --mac
  Result<Options> unknown = ParseArgs({"dps", "--env", "f", "--bogus", "1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--bogus"), std::string::npos);
}

TEST(EdgeAgentDps, ReadsTheDpsEnvFileTheDeviceClientWrites) {
  Result<std::map<std::string, std::string>> env = ParseEnvFile(
      "# written by gps-device-client\n"
      "DPS_REGISTRATION_ID=gw-berlin-0042\n"
      "DPS_SYMMETRIC_KEY=" +
      std::string(kDeviceKey) +
      "\r\n"
      "\n"
      "DPS_ID_SCOPE=\"0ne00000000\"\n"
      "DPS_GLOBAL_ENDPOINT=global.azure-devices-provisioning.net\n"
      "MENDER_DEVICE_ID=abc\n"
      "DEVICE_NAME=gw-berlin-0042");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  Result<DpsDevice> d = DpsDeviceFromEnv(*env);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->registration_id, "gw-berlin-0042");
  EXPECT_EQ(d->symmetric_key, kDeviceKey);  // '=' inside the value is kept
  EXPECT_EQ(d->id_scope, "0ne00000000");
  EXPECT_EQ(d->global_endpoint, "global.azure-devices-provisioning.net");

  EXPECT_FALSE(ParseEnvFile("JUST TEXT\n").ok());
  EXPECT_FALSE(DpsDeviceFromEnv({{"DPS_REGISTRATION_ID", "x"}}).ok());
  std::map<std::string, std::string> bad_key = *env;
  bad_key["DPS_SYMMETRIC_KEY"] = "not*base64";
  EXPECT_FALSE(DpsDeviceFromEnv(bad_key).ok());
}

TEST(EdgeAgentDps, RequestsAreTheOnesTheIdentityServiceSends) {
  DpsDevice d = Berlin();
  EXPECT_EQ(RegisterUrl("http://127.0.0.1:5", d, "2021-06-01"),
            "http://127.0.0.1:5/0ne00000000/registrations/gw-berlin-0042/register"
            "?api-version=2021-06-01");
  EXPECT_EQ(
      OperationUrl("https://global.azure-devices-provisioning.net", d, "4.ab.cd", "2021-06-01"),
      "https://global.azure-devices-provisioning.net/0ne00000000/registrations/"
      "gw-berlin-0042/operations/4.ab.cd?api-version=2021-06-01");
  EXPECT_EQ(RegisterBody(d), R"({"registrationId":"gw-berlin-0042"})");
  // The worked example of cloud-apis.md section 2.1.
  EXPECT_EQ(DeviceSas(d, 1'700'000'000).value(),
            "SharedAccessSignature sr=0ne00000000%2Fregistrations%2Fgw-berlin-0042&sig="
            "8WV91MASp4kPPSFg2UGFXehGyYL5DxbqBGbRMOFy%2B2o%3D&se=1700000000&skn=registration");
}

TEST(EdgeAgentDps, ParsesOperationStatusAnswers) {
  Result<OperationStatus> assigning =
      ParseOperationStatus(R"({"operationId":"4.a.b","status":"assigning"})");
  ASSERT_TRUE(assigning.ok());
  EXPECT_EQ(assigning->status, "assigning");
  EXPECT_TRUE(assigning->assigned_hub.empty());

  Result<OperationStatus> assigned = ParseOperationStatus(
      R"({"operationId":"4.a.b","status":"assigned","registrationState":{
          "registrationId":"gw-1","createdDateTimeUtc":"2026-01-01T00:00:00Z",
          "assignedHub":"myhub.azure-devices.net","deviceId":"gw-1","status":"assigned",
          "substatus":"initialAssignment","lastUpdatedDateTimeUtc":"2026-01-01T00:00:00Z",
          "etag":"x"}})");
  ASSERT_TRUE(assigned.ok()) << assigned.status().ToString();
  EXPECT_EQ(assigned->assigned_hub, "myhub.azure-devices.net");
  EXPECT_EQ(assigned->device_id, "gw-1");
  EXPECT_EQ(assigned->substatus, "initialAssignment");
  EXPECT_EQ(DpsResultLine(*assigned),
            R"({"mode":"dps","status":"assigned","registrationId":"gw-1",)"
            R"("assignedHub":"myhub.azure-devices.net","deviceId":"gw-1","operationId":"4.a.b"})");

  EXPECT_FALSE(ParseOperationStatus(R"({"status":"assigned"})").ok());
  EXPECT_FALSE(ParseOperationStatus("<html>").ok());
  EXPECT_FALSE(
      ParseOperationStatus(R"({"operationId":"x","status":"assigned","registrationState":1})")
          .ok());
}

TEST(EdgeAgentMender, TheAuthRequestIsSignedWithTheDeviceKey) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEd25519().value();
  std::string pem = key.Public().value().SpkiPem();
  std::string identity = MenderIdentity("aa:bb:cc:dd:ee:ff");
  EXPECT_EQ(identity, R"({"mac":"aa:bb:cc:dd:ee:ff"})");
  std::string body = MenderAuthBody(identity, pem, "");
  json::Document doc = json::ParseObject(body, 1 << 16, "body").value();
  EXPECT_EQ(doc.Root().GetString("id_data").value(), identity);
  EXPECT_EQ(doc.Root().GetString("pubkey").value(), pem);
  EXPECT_EQ(doc.Root().GetString("tenant_token").value(), "");
  std::string signature = MenderSignature(key, body).value();
  EXPECT_TRUE(
      crypto::Verify(key.Public().value(), body, crypto::Base64Decode(signature).value()).ok());
}

TEST(EdgeAgentMender, ResultLines) {
  EXPECT_EQ(MenderResultLine(200, "a.b.c"),
            R"({"mode":"mender","authorized":true,"http_status":200,"token":"a.b.c"})");
  EXPECT_EQ(MenderResultLine(401, R"({"error":"dev auth: unauthorized","request_id":"r"})"),
            R"({"mode":"mender","authorized":false,"http_status":401,)"
            R"("error":"dev auth: unauthorized"})");
  EXPECT_EQ(MenderResultLine(502, "bad gateway"),
            R"({"mode":"mender","authorized":false,"http_status":502,"error":"bad gateway"})");
}

}  // namespace
}  // namespace gps::cloudsim::edge
