// End to end: real Mosquitto and Redis, gps-cloudsim, gps-engine, the three workers and gps-ui as
// processes; a real gps-device-client announces, is approved through the REST API and must come
// out with credentials that work: a certificate for its name that chains to the delivered CA,
// the private key of that certificate, and the DPS key cloudsim enrolled.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gps/crypto/keys.h"
#include "gps/crypto/x509.h"
#include "gps/json/json.h"
#include "tests/support/e2e_helpers.h"
#include "tests/support/stack.h"
#include "workers/hub-manifest/manifest_template.h"

namespace gps::testing {
namespace {

using std::chrono::seconds;

int FileMode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return -1;
  }
  return static_cast<int>(st.st_mode & 0777);
}

class ProvisionGatewayTest : public ::testing::Test {
 protected:
  TempDir dir_{"gps-e2e"};
  Stack stack_{dir_};
};

TEST_F(ProvisionGatewayTest, ApprovedGatewayReceivesWorkingCredentials) {
  const std::string mac = "02:42:ac:11:00:07";
  const std::string name = "gw-e2e-first";
  auto gateway = stack_.StartGateway("first", mac);

  DeviceSummary pending = WaitForPending(stack_, mac);
  ASSERT_FALSE(pending.id.empty());
  EXPECT_EQ(pending.id.size(), 64u);
  EXPECT_EQ(pending.fingerprint.rfind("SHA256:", 0), 0u) << pending.fingerprint;
  EXPECT_FALSE(pending.last_seen.empty());
  EXPECT_EQ(pending.state, "pending");

  auto approved_at = std::chrono::steady_clock::now();
  Result<http::Response> approve = stack_.PostJson(
      stack_.ui_url() + "/api/devices/" + pending.id + "/approve", R"({"name":")" + name + "\"}");
  ASSERT_TRUE(approve.ok()) << approve.status().ToString();
  ASSERT_EQ(approve->status, 202) << approve->body;

  std::optional<int> exit_code = gateway->Wait(seconds(20));
  double took_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - approved_at).count();
  ASSERT_TRUE(exit_code.has_value()) << "client still running 20 s after approval\n"
                                     << stack_.Logs();
  ASSERT_EQ(*exit_code, 0) << stack_.Logs();
  std::printf("gateway provisioned %.2f s after approval\n", took_s);

  // The files, with their modes.
  const std::string out = stack_.GatewayDir("first") + "/out/";
  EXPECT_EQ(FileMode(out + "device-name"), 0644);
  EXPECT_EQ(FileMode(out + "device.crt"), 0644);
  EXPECT_EQ(FileMode(out + "device.key"), 0600);
  EXPECT_EQ(FileMode(out + "ca-chain.crt"), 0644);
  EXPECT_EQ(FileMode(out + "dps.env"), 0600);
  EXPECT_EQ(FileMode(out + "provisioned"), 0644);
  EXPECT_EQ(ReadFileOrEmpty(out + "device-name"), name + "\n");

  // The certificate carries the name, chains to the delivered CA and belongs to the delivered key.
  Result<crypto::Certificate> cert =
      crypto::Certificate::FromPem(ReadFileOrEmpty(out + "device.crt"));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->SubjectCommonName(), name);
  Status chains = VerifyAgainstDeliveredChain(ReadFileOrEmpty(out + "device.crt"),
                                              ReadFileOrEmpty(out + "ca-chain.crt"));
  EXPECT_TRUE(chains.ok()) << chains.ToString();
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(ReadFileOrEmpty(out + "device.key"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *key).ok());

  // The delivered CA is cloudsim's, not one the bundle brought along.
  Result<json::Document> state = stack_.CloudsimState();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  json::Value root = state->Root();
  Status cloudsims = EndsInCloudsimRoot(stack_, ReadFileOrEmpty(out + "ca-chain.crt"));
  EXPECT_TRUE(cloudsims.ok()) << cloudsims.ToString();

  // Exactly one Mender preauthorisation: our MAC and the gateway's own public key.
  Result<crypto::PrivateKey> mender_key = crypto::PrivateKey::FromPem(
      ReadFileOrEmpty(stack_.GatewayDir("first") + "/mender-agent.pem"));
  ASSERT_TRUE(mender_key.ok()) << mender_key.status().ToString();
  std::string mender_pubkey = mender_key->Public().value().SpkiPem();
  std::vector<json::Value> mender_devices = ArrayAt(root, "mender", "devices");
  ASSERT_EQ(mender_devices.size(), 1u);
  Result<json::Value> identity = mender_devices[0].GetObject("identity_data");
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->GetString("mac").value_or(""), mac);
  EXPECT_EQ(mender_devices[0].GetString("status").value_or(""), "preauthorized");
  Result<std::vector<json::Value>> auth_sets = mender_devices[0].GetArray("auth_sets");
  ASSERT_TRUE(auth_sets.ok());
  ASSERT_EQ(auth_sets->size(), 1u);
  Result<crypto::PublicKey> preauth_key =
      crypto::PublicKey::FromPem((*auth_sets)[0].GetString("pubkey", 1 << 16).value_or(""));
  ASSERT_TRUE(preauth_key.ok()) << preauth_key.status().ToString();
  EXPECT_EQ(preauth_key->spki_der(), mender_key->Public().value().spki_der());
  EXPECT_EQ(ReadKeyValue(ReadFileOrEmpty(out + "dps.env"), "MENDER_DEVICE_ID"),
            mender_devices[0].GetString("id").value_or("?"));

  // Exactly one DPS enrollment, for the name, whose primary key is the one delivered.
  std::string dps_env = ReadFileOrEmpty(out + "dps.env");
  std::vector<json::Value> enrollments = ArrayAt(root, "dps", "enrollments");
  ASSERT_EQ(enrollments.size(), 1u);
  EXPECT_EQ(enrollments[0].GetString("registrationId").value_or(""), name);
  EXPECT_EQ(ReadKeyValue(dps_env, "DPS_REGISTRATION_ID"), name);
  Result<json::Value> attestation = enrollments[0].GetObject("attestation");
  ASSERT_TRUE(attestation.ok());
  Result<json::Value> symmetric = attestation->GetObject("symmetricKey");
  ASSERT_TRUE(symmetric.ok()) << symmetric.status().ToString();
  std::string primary = symmetric->GetString("primaryKey").value_or("");
  EXPECT_FALSE(primary.empty());
  EXPECT_EQ(ReadKeyValue(dps_env, "DPS_SYMMETRIC_KEY"), primary);
  EXPECT_EQ(ReadKeyValue(dps_env, "DPS_ID_SCOPE"), stack_.secrets().dps_id_scope);

  // One certificate issued, the one delivered.
  std::vector<json::Value> certificates = ArrayAt(root, "vault", "certificates");
  ASSERT_EQ(certificates.size(), 1u);
  EXPECT_EQ(certificates[0].GetString("serial").value_or(""), cert->SerialHex());

  // The credentials work: the gateway's edge agent registers at DPS with the delivered key and
  // appears in IoT Hub; its Mender client authenticates with its key and is accepted.
  std::string dps_url = "http://127.0.0.1:" + std::to_string(stack_.cloudsim_ports().dps);
  Subprocess edge("edge-agent",
                  {Binaries::EdgeAgentSim(), "dps", "--env", out + "dps.env", "--dps-url", dps_url,
                   "--timeout-s", "20"},
                  {}, dir_.File("edge-agent.log"));
  ASSERT_EQ(edge.Wait(seconds(30)), std::optional<int>(0)) << edge.Log();
  std::string mender_url = "http://127.0.0.1:" + std::to_string(stack_.cloudsim_ports().mender);
  Subprocess mender_client("mender-client",
                           {Binaries::EdgeAgentSim(), "mender", "--mender-url", mender_url, "--key",
                            stack_.GatewayDir("first") + "/mender-agent.pem", "--mac", mac},
                           {}, dir_.File("mender-client.log"));
  ASSERT_EQ(mender_client.Wait(seconds(30)), std::optional<int>(0)) << mender_client.Log();
  Result<json::Document> after = stack_.CloudsimState();
  ASSERT_TRUE(after.ok());
  std::vector<json::Value> hub_devices = ArrayAt(after->Root(), "hub", "devices");
  ASSERT_EQ(hub_devices.size(), 1u);
  EXPECT_EQ(hub_devices[0].GetString("deviceId").value_or(""), name);
  EXPECT_EQ(ArrayAt(after->Root(), "mender", "devices")[0].GetString("status").value_or(""),
            "accepted");

  // Now that the gateway is in IoT Hub, the manifest step finds it and applies the deployment
  // manifest: the simulator holds it, rendered for this device, and it validates against the
  // IoT Edge deployment schemas.
  ASSERT_TRUE(
      WaitUntil([&] { return StepStatus(stack_, pending.id, "hubManifest") == "succeeded"; },
                seconds(30), std::chrono::milliseconds(200)))
      << "hubManifest: " << StepStatus(stack_, pending.id, "hubManifest") << "\n"
      << stack_.Logs();
  Result<json::Document> applied = stack_.CloudsimState();
  ASSERT_TRUE(applied.ok());
  std::vector<json::Value> configured = ArrayAt(applied->Root(), "hub", "devices");
  ASSERT_EQ(configured.size(), 1u);
  std::optional<json::Value> content = configured[0].Find("configurationContent");
  ASSERT_TRUE(content.has_value());
  std::string manifest = content->Serialize();
  Result<worker::hub::ManifestTemplate> valid = worker::hub::ManifestTemplate::Parse(manifest);
  EXPECT_TRUE(valid.ok()) << valid.status().ToString();
  EXPECT_NE(manifest.find("\"" + name + "\""), std::string::npos) << "rendered for the device";
  EXPECT_EQ(manifest.find("${"), std::string::npos) << "no placeholder left";

  // The restart commands ran, in order.
  EXPECT_EQ(ReadFileOrEmpty(stack_.GatewayDir("first") + "/restarts.log"), "mender\niotedge\n");

  // The engine recorded the ack.
  std::optional<DeviceSummary> done;
  WaitUntil([&] { return (done = FindByMac(stack_, "?state=provisioned", mac)).has_value(); },
            seconds(10), std::chrono::milliseconds(200));
  ASSERT_TRUE(done.has_value()) << stack_.Logs();
  EXPECT_EQ(done->name, name);
  EXPECT_EQ(done->id, pending.id);
}

TEST_F(ProvisionGatewayTest, TakenNameIsRefusedAndCreatesNothing) {
  const std::string name = "gw-e2e-shared";
  auto first = stack_.StartGateway("first", "02:42:ac:11:00:11");
  auto second = stack_.StartGateway("second", "02:42:ac:11:00:12");
  DeviceSummary a = WaitForPending(stack_, "02:42:ac:11:00:11");
  DeviceSummary b = WaitForPending(stack_, "02:42:ac:11:00:12");
  ASSERT_FALSE(a.id.empty());
  ASSERT_FALSE(b.id.empty());

  Result<http::Response> approve_a = stack_.PostJson(
      stack_.ui_url() + "/api/devices/" + a.id + "/approve", R"({"name":")" + name + "\"}");
  ASSERT_TRUE(approve_a.ok());
  ASSERT_EQ(approve_a->status, 202) << approve_a->body;
  ASSERT_EQ(first->Wait(seconds(20)), std::optional<int>(0)) << stack_.Logs();

  Result<http::Response> approve_b = stack_.PostJson(
      stack_.ui_url() + "/api/devices/" + b.id + "/approve", R"({"name":")" + name + "\"}");
  ASSERT_TRUE(approve_b.ok());
  EXPECT_EQ(approve_b->status, 409) << approve_b->body;
  Result<json::Document> error = json::ParseObject(approve_b->body, 65536, "409 body");
  ASSERT_TRUE(error.ok()) << approve_b->body;
  std::string message = error->Root().GetString("error").value_or("");
  EXPECT_NE(message.find(name), std::string::npos) << message;

  // The second gateway is still pending, nothing more was created in any cloud.
  std::optional<DeviceSummary> still = FindByMac(stack_, "?state=pending", "02:42:ac:11:00:12");
  ASSERT_TRUE(still.has_value());
  EXPECT_TRUE(still->name.empty());
  std::this_thread::sleep_for(seconds(2));  // room for a wrongly dispatched step to land
  Result<json::Document> state = stack_.CloudsimState();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(ArrayAt(state->Root(), "mender", "devices").size(), 1u);
  EXPECT_EQ(ArrayAt(state->Root(), "dps", "enrollments").size(), 1u);
  EXPECT_EQ(ArrayAt(state->Root(), "vault", "certificates").size(), 1u);
  EXPECT_TRUE(second->Running());
}

TEST_F(ProvisionGatewayTest, DismissedGatewayExitsWithRejection) {
  const std::string mac = "02:42:ac:11:00:21";
  auto gateway = stack_.StartGateway("dismissed", mac);
  DeviceSummary pending = WaitForPending(stack_, mac);
  ASSERT_FALSE(pending.id.empty());

  Result<http::Response> dismiss =
      stack_.PostJson(stack_.ui_url() + "/api/devices/" + pending.id + "/dismiss", "{}");
  ASSERT_TRUE(dismiss.ok());
  ASSERT_EQ(dismiss->status, 202) << dismiss->body;
  EXPECT_EQ(gateway->Wait(seconds(20)), std::optional<int>(4)) << stack_.Logs();
  std::optional<DeviceSummary> d = FindByMac(stack_, "?state=dismissed", mac);
  ASSERT_TRUE(d.has_value());
  Result<json::Document> state = stack_.CloudsimState();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(ArrayAt(state->Root(), "mender", "devices").empty());
}

}  // namespace
}  // namespace gps::testing
