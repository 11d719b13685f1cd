// End to end: an operator revokes a provisioned gateway whose credentials are in use. Every cloud
// forgets or disables it (Mender decommission, DPS enrollment delete, Vault revoke, IoT Hub
// device disabled), the saga ends revoked, and the delivered credentials stop working.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "gps/crypto/x509.h"
#include "gps/json/json.h"
#include "tests/support/e2e_helpers.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RevokeEndToEnd, EveryCloudForgetsTheGatewayAndItsCredentialsStopWorking) {
  TempDir dir("gps-e2e-revoke");
  Stack stack(dir);
  const std::string mac = "02:42:ac:11:02:01";
  const std::string name = "gw-e2e-revoked";
  auto gateway = stack.StartGateway("revoked", mac);
  std::string id = WaitForPending(stack, mac).id;
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(Approve(stack, id, name).ok()) << stack.Logs();
  ASSERT_EQ(gateway->Wait(seconds(30)), std::optional<int>(0)) << stack.Logs();
  std::string out = stack.GatewayDir("revoked") + "/out/";
  Result<crypto::Certificate> cert =
      crypto::Certificate::FromPem(ReadFileOrEmpty(out + "device.crt"));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();

  // The gateway is in use: registered through DPS (so in IoT Hub), manifest applied.
  std::string dps_url = "http://127.0.0.1:" + std::to_string(stack.cloudsim_ports().dps);
  std::string mender_url = "http://127.0.0.1:" + std::to_string(stack.cloudsim_ports().mender);
  auto register_at_dps = [&](const std::string& log) {
    Subprocess edge(log,
                    {Binaries::EdgeAgentSim(), "dps", "--env", out + "dps.env", "--dps-url",
                     dps_url, "--timeout-s", "10"},
                    {}, dir.File(log + ".log"));
    return edge.Wait(seconds(20));
  };
  auto authenticate_at_mender = [&](const std::string& log) {
    Subprocess client(log,
                      {Binaries::EdgeAgentSim(), "mender", "--mender-url", mender_url, "--key",
                       stack.GatewayDir("revoked") + "/mender-agent.pem", "--mac", mac},
                      {}, dir.File(log + ".log"));
    return client.Wait(seconds(20));
  };
  ASSERT_EQ(register_at_dps("edge-before"), std::optional<int>(0));
  ASSERT_EQ(authenticate_at_mender("mender-before"), std::optional<int>(0));
  ASSERT_TRUE(WaitUntil([&] { return StepStatus(stack, id, "hubManifest") == "succeeded"; },
                        seconds(30), milliseconds(200)))
      << stack.Logs();

  Status revoked = SendDeviceCommand(stack, id, "revoke");
  ASSERT_TRUE(revoked.ok()) << revoked.ToString() << "\n" << stack.Logs();
  ASSERT_TRUE(WaitUntil([&] { return DeviceField(stack, id, "state") == "revoked"; }, seconds(30),
                        milliseconds(200)))
      << "state " << DeviceField(stack, id, "state") << ": " << DeviceField(stack, id, "error")
      << "\n"
      << stack.Logs();
  for (const char* step : {"menderRevoke", "dpsRevoke", "vaultRevoke", "hubRevoke"}) {
    EXPECT_EQ(StepStatus(stack, id, step), "succeeded") << step;
  }

  Result<json::Document> state = stack.CloudsimState();
  ASSERT_TRUE(state.ok());
  const json::Value& root = state->Root();
  std::vector<json::Value> mender_devices = ArrayAt(root, "mender", "devices");
  ASSERT_EQ(mender_devices.size(), 1u);
  EXPECT_TRUE(mender_devices[0].GetBool("decommissioned").value_or(false)) << "decommissioned";
  EXPECT_TRUE(ArrayAt(root, "dps", "enrollments").empty()) << "enrollment deleted";
  std::vector<json::Value> certificates = ArrayAt(root, "vault", "certificates");
  ASSERT_EQ(certificates.size(), 1u);
  EXPECT_EQ(certificates[0].GetString("serial").value_or(""), cert->SerialHex());
  EXPECT_TRUE(certificates[0].GetBool("revoked").value_or(false)) << "certificate revoked";
  std::vector<json::Value> hub_devices = ArrayAt(root, "hub", "devices");
  ASSERT_EQ(hub_devices.size(), 1u);
  EXPECT_EQ(hub_devices[0].GetString("deviceId").value_or(""), name);
  EXPECT_EQ(hub_devices[0].GetString("status").value_or(""), "disabled");

  // The credentials on the gateway no longer get it anywhere.
  EXPECT_NE(register_at_dps("edge-after"), std::optional<int>(0));
  EXPECT_NE(authenticate_at_mender("mender-after"), std::optional<int>(0));

  // A second revoke is refused; the name stays with the revoked gateway.
  Status again = SendDeviceCommand(stack, id, "revoke");
  EXPECT_NE(again.message().find("409"), std::string::npos) << again.ToString();
  auto other = stack.StartGateway("other", "02:42:ac:11:02:02");
  std::string other_id = WaitForPending(stack, "02:42:ac:11:02:02").id;
  Status taken = Approve(stack, other_id, name);
  EXPECT_NE(taken.message().find("409"), std::string::npos) << taken.ToString();
}

}  // namespace
}  // namespace gps::testing
