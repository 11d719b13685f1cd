// Starts the real gps-cloudsim binary on free ports, talks HTTP to all four services with the
// project's HTTP client (the one the workers use), then stops it with SIGTERM.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "cloudsim/settings/settings.h"
#include "cloudsim/testing/sim_process.h"
#include "gps/azure/sas_token.h"
#include "gps/crypto/x509.h"
#include "gps/http/client.h"
#include "gps/json/json.h"

#ifndef GPS_CLOUDSIM_BINARY
#error "GPS_CLOUDSIM_BINARY must name the gps-cloudsim executable"
#endif

namespace gps::cloudsim {
namespace {

using testing::kJsonType;
using testing::MustSend;
using testing::SimProcess;
using testing::UnixNow;

TEST(CloudsimBinary, ServesAllFourApisOnFreePortsAndStopsOnSigterm) {
  SimProcess sim(GPS_CLOUDSIM_BINARY, {"GPS_LOG_LEVEL=info", "GPS_CLOUDSIM_MAX_BODY_KIB=64"});
  ASSERT_TRUE(sim.Ready());
  for (std::string_view name : {"mender", "dps", "vault", "hub"}) {
    EXPECT_GT(sim.Port(name), 0) << name;
  }
  EXPECT_NE(sim.Log().find("\"msg\":\"cloudsim ready\""), std::string::npos);
  auto base = [&](std::string_view name) { return sim.Base(name); };
  http::Client client;

  // /_sim/state answers on every port.
  for (std::string_view name : {"mender", "dps", "vault", "hub"}) {
    http::Response state = MustSend(client, "GET", base(name) + "/_sim/state");
    EXPECT_EQ(state.status, 200) << name;
    EXPECT_NE(state.body.find("\"intermediate_pem\""), std::string::npos) << name;
  }

  // Mender: a preauthorisation with the demo token.
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  json::Writer preauth;
  preauth.BeginObject()
      .Key("identity_data")
      .Raw(R"({"mac":"aa:bb:cc:dd:ee:ff"})")
      .Field("pubkey", key.Public().value().SpkiPem())
      .EndObject();
  std::string mender_auth = std::string("Bearer ") + kDemoMenderToken;
  http::Response created =
      MustSend(client, "POST", base("mender") + "/api/management/v2/devauth/devices",
               {{"Authorization", mender_auth}, kJsonType}, preauth.Take());
  EXPECT_EQ(created.status, 201) << created.body;
  std::string location = created.HeaderValue("Location").value_or("");
  ASSERT_EQ(location.rfind("devices/", 0), 0u);
  http::Response device =
      MustSend(client, "GET", base("mender") + "/api/management/v2/devauth/" + location,
               {{"Authorization", mender_auth}});
  EXPECT_EQ(device.status, 200) << device.body;
  EXPECT_EQ(MustSend(client, "GET", base("mender") + "/api/management/v2/devauth/devices").status,
            401);
  // Bodies above GPS_CLOUDSIM_MAX_BODY_KIB are refused by the server.
  EXPECT_EQ(MustSend(client, "POST", base("mender") + "/api/management/v2/devauth/devices",
                     {{"Authorization", mender_auth}, kJsonType}, std::string(70 * 1024, ' '))
                .status,
            413);

  // DPS: a SAS signed for the production host name, sent to the loopback port.
  std::int64_t expiry = UnixNow() + 3600;
  std::string dps_sas = azure::BuildSasToken("mydps.azure-devices-provisioning.net",
                                             kDemoDpsPolicyKey, "provisioningserviceowner", expiry)
                            .value();
  http::Response enrolled =
      MustSend(client, "PUT", base("dps") + "/enrollments/gw-berlin-0042?api-version=2021-10-01",
               {{"Authorization", dps_sas}, kJsonType},
               R"({"registrationId":"gw-berlin-0042","attestation":{"type":"symmetricKey"},
          "capabilities":{"iotEdge":true}})");
  EXPECT_EQ(enrolled.status, 200) << enrolled.body;

  // Vault: issue a certificate and check it against the CA in the state dump.
  http::Response issued = MustSend(client, "POST", base("vault") + "/v1/pki/issue/gps-device",
                                   {{"X-Vault-Token", kDemoVaultToken}, kJsonType},
                                   R"({"common_name":"gw-berlin-0042","ttl":"1h","format":"pem"})");
  ASSERT_EQ(issued.status, 200) << issued.body;
  json::Document cert_doc = json::ParseObject(issued.body, 1 << 20, "issue").value();
  json::Value data = cert_doc.Root().GetObject("data").value();
  crypto::Certificate leaf =
      crypto::Certificate::FromPem(data.GetString("certificate", 1 << 16).value()).value();
  crypto::Certificate inter =
      crypto::Certificate::FromPem(data.GetString("issuing_ca", 1 << 16).value()).value();

  // cpp-httplib percent-decodes header values; a signature with '+', '/' or '=' (sent as %2B,
  // %2F, %3D) must still verify. Find expiries whose signatures contain each of them.
  for (std::string_view escape : {"%2B", "%2F"}) {
    std::string token;
    for (std::int64_t se = expiry; token.find(escape) == std::string::npos; ++se) {
      token = azure::BuildSasToken("mydps.azure-devices-provisioning.net", kDemoDpsPolicyKey,
                                   "provisioningserviceowner", se)
                  .value();
    }
    http::Response got =
        MustSend(client, "GET", base("dps") + "/enrollments/gw-berlin-0042?api-version=2021-10-01",
                 {{"Authorization", token}});
    EXPECT_EQ(got.status, 200) << escape << ": " << got.body;
  }

  // IoT Hub: create an edge device.
  std::string hub_sas =
      azure::BuildSasToken("myhub.azure-devices.net", kDemoHubPolicyKey, "iothubowner", expiry)
          .value();
  http::Response hub_put =
      MustSend(client, "PUT", base("hub") + "/devices/gw-berlin-0042?api-version=2021-04-12",
               {{"Authorization", hub_sas}, kJsonType},
               R"({"deviceId":"gw-berlin-0042","capabilities":{"iotEdge":true}})");
  EXPECT_EQ(hub_put.status, 200) << hub_put.body;

  // Everything is visible in one dump, on any port.
  http::Response state = MustSend(client, "GET", base("hub") + "/_sim/state");
  json::Document dump = json::ParseObject(state.body, 1 << 22, "state").value();
  json::Value root = dump.Root();
  EXPECT_EQ(root.GetObject("mender").value().GetArray("devices").value().size(), 1u);
  std::vector<json::Value> enrollments =
      root.GetObject("dps").value().GetArray("enrollments").value();
  ASSERT_EQ(enrollments.size(), 1u);
  EXPECT_EQ(enrollments[0].GetString("registrationId").value_or(""), "gw-berlin-0042");
  std::vector<json::Value> certs = root.GetObject("vault").value().GetArray("certificates").value();
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0].GetString("serial").value_or(""), leaf.SerialHex());
  EXPECT_FALSE(certs[0].GetBool("revoked").value_or(true));
  EXPECT_EQ(root.GetObject("hub").value().GetArray("devices").value().size(), 1u);
  crypto::Certificate root_ca =
      crypto::Certificate::FromPem(
          root.GetObject("ca").value().GetString("root_pem", 1 << 16).value())
          .value();
  std::vector<crypto::Certificate> intermediates;
  intermediates.push_back(std::move(inter));
  std::vector<crypto::Certificate> roots;
  roots.push_back(std::move(root_ca));
  EXPECT_TRUE(crypto::VerifyChain(leaf, intermediates, roots).ok());

  ASSERT_EQ(sim.child().Terminate(std::chrono::seconds(20)), 0) << sim.Log();
  std::string text = sim.Log();
  EXPECT_NE(text.find("\"msg\":\"cloudsim stopped\""), std::string::npos);
  // Secrets never reach the log.
  for (const char* secret :
       {kDemoMenderToken, kDemoDpsPolicyKey, kDemoHubPolicyKey, kDemoVaultToken}) {
    EXPECT_EQ(text.find(secret), std::string::npos);
  }
}

}  // namespace
}  // namespace gps::cloudsim
