// The device side of the clouds, end to end through real processes: gps-cloudsim runs on free
// ports, an enrollment and a Mender preauthorisation are made through the service APIs as the
// workers make them, and gps-edge-agent-sim uses the resulting credentials as a gateway's IoT Edge
// and Mender client would; the device must then show up in /_sim/state.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "cloudsim/settings/settings.h"
#include "cloudsim/testing/sim_process.h"
#include "gps/azure/sas_token.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "gps/json/json.h"

#ifndef GPS_CLOUDSIM_BINARY
#error "GPS_CLOUDSIM_BINARY must name the gps-cloudsim executable"
#endif
#ifndef GPS_EDGE_AGENT_SIM_BINARY
#error "GPS_EDGE_AGENT_SIM_BINARY must name the gps-edge-agent-sim executable"
#endif

namespace gps::cloudsim {
namespace {

namespace fs = std::filesystem;
using testing::Child;
using testing::kJsonType;
using testing::MustSend;
using testing::ReadAll;
using testing::SimProcess;
using testing::UnixNow;

constexpr char kHubHost[] = "gps-e2e-hub.azure-devices.net";

struct AgentRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs gps-edge-agent-sim with args and an empty environment, waiting at most 60 s.
AgentRun RunAgent(const std::vector<std::string>& args, const fs::path& dir) {
  const fs::path out = dir / "agent.out";
  const fs::path err = dir / "agent.err";
  AgentRun run;
  {
    Child agent(GPS_EDGE_AGENT_SIM_BINARY, args, {}, out, err);
    if (agent.pid() <= 0) {
      run.err = "cannot spawn " + std::string(GPS_EDGE_AGENT_SIM_BINARY);
      return run;
    }
    run.exit_code = agent.WaitExit(std::chrono::seconds(60));
  }  // killed here if it did not finish
  if (run.exit_code < 0) {
    run.err = "gps-edge-agent-sim did not finish within 60 s";
    return run;
  }
  run.out = ReadAll(out);
  run.err = ReadAll(err);
  return run;
}

class DeviceApisBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sim_.Ready());
    dps_ = sim_.Base("dps");
    mender_ = sim_.Base("mender");
  }

  void TearDown() override {
    client_.reset();  // an open keep-alive connection would hold the shutdown up to 5 s
    if (sim_.child().Running()) {
      EXPECT_EQ(sim_.child().Terminate(std::chrono::seconds(20)), 0) << sim_.Log();
    }
  }

  http::Response Send(std::string method, std::string url, std::vector<http::Header> headers = {},
                      std::string body = "") {
    return MustSend(*client_, std::move(method), std::move(url), std::move(headers),
                    std::move(body));
  }

  // PUT /enrollments/{id} through the service API with the policy SAS, as gps-worker-dps does;
  // DPS generates the keys. Returns the primary key.
  std::string Enroll(const std::string& id, bool enabled = true) {
    std::int64_t expiry = UnixNow() + 3600;
    std::string sas = azure::BuildSasToken("mydps.azure-devices-provisioning.net",
                                           kDemoDpsPolicyKey, "provisioningserviceowner", expiry)
                          .value();
    http::Response r =
        Send("PUT", dps_ + "/enrollments/" + id + "?api-version=2021-10-01",
             {{"Authorization", sas}, kJsonType},
             "{\"registrationId\":\"" + id +
                 "\",\"attestation\":{\"type\":\"symmetricKey\"},\"capabilities\":{\"iotEdge\":"
                 "true},\"provisioningStatus\":\"" +
                 (enabled ? "enabled" : "disabled") + "\"}");
    EXPECT_EQ(r.status, 200) << r.body;
    json::Document doc = json::ParseObject(r.body, 1 << 20, "enrollment").value();
    return doc.Root()
        .GetObject("attestation")
        .value()
        .GetObject("symmetricKey")
        .value()
        .GetString("primaryKey", 1024)
        .value_or("");
  }

  // dps.env as gps-device-client writes it.
  fs::path WriteDpsEnv(const std::string& id, const std::string& key) {
    fs::path p = sim_.dir() / ("dps-" + id + ".env");
    std::ofstream(p) << "DPS_REGISTRATION_ID=" << id << "\nDPS_SYMMETRIC_KEY=" << key
                     << "\nDPS_ID_SCOPE=0ne00000000\n"
                     << "DPS_GLOBAL_ENDPOINT=global.azure-devices-provisioning.net\n"
                     << "MENDER_DEVICE_ID=abc\nDEVICE_NAME=" << id << "\n";
    return p;
  }

  AgentRun RegisterWithDps(const fs::path& env) {
    return RunAgent({"dps", "--env", env.string(), "--dps-url", dps_, "--timeout-s", "20",
                     "--poll-interval-ms", "50"},
                    sim_.dir());
  }

  json::Document State() {
    http::Response r = Send("GET", dps_ + "/_sim/state");
    EXPECT_EQ(r.status, 200);
    return json::ParseObject(r.body, 1 << 24, "state").value();
  }

  // The object in state[service][list] whose key equals value, or nullopt. The view lives as
  // long as state.
  static std::optional<json::Value> Find(const json::Document& state, std::string_view service,
                                         std::string_view list, std::string_view key,
                                         std::string_view value) {
    std::vector<json::Value> items =
        state.Root().GetObject(service).value().GetArray(list).value_or(std::vector<json::Value>{});
    for (const json::Value& item : items) {
      if (item.GetString(key, 1024).value_or("") == value) {
        return item;
      }
    }
    return std::nullopt;
  }

  SimProcess sim_{GPS_CLOUDSIM_BINARY,
                  {"GPS_LOG_LEVEL=info", std::string("GPS_CLOUDSIM_HUB_HOST=") + kHubHost}};
  std::string dps_;
  std::string mender_;
  std::unique_ptr<http::Client> client_ = std::make_unique<http::Client>();
};

TEST_F(DeviceApisBinaryTest, TheEdgeAgentRegistersWithTheDeliveredKeyAndTheHubDeviceAppears) {
  std::string key = Enroll("gw-berlin-0042");
  ASSERT_FALSE(key.empty());
  AgentRun run = RegisterWithDps(WriteDpsEnv("gw-berlin-0042", key));
  ASSERT_EQ(run.exit_code, 0) << run.err << "\n" << sim_.Log();
  json::Document line = json::ParseObject(run.out, 4096, "agent output").value();
  EXPECT_EQ(line.Root().GetString("mode").value_or(""), "dps");
  EXPECT_EQ(line.Root().GetString("status").value_or(""), "assigned");
  EXPECT_EQ(line.Root().GetString("assignedHub").value_or(""), kHubHost);
  EXPECT_EQ(line.Root().GetString("deviceId").value_or(""), "gw-berlin-0042");
  EXPECT_EQ(run.out.back(), '\n');
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1) << "one line: " << run.out;

  json::Document state = State();
  std::optional<json::Value> device = Find(state, "hub", "devices", "deviceId", "gw-berlin-0042");
  ASSERT_TRUE(device.has_value()) << "no hub device in the state dump";
  EXPECT_EQ(device->GetString("status").value_or(""), "enabled");
  EXPECT_TRUE(device->GetObject("capabilities").value().GetBool("iotEdge").value_or(false));
  EXPECT_EQ(device->GetObject("authentication")
                .value()
                .GetObject("symmetricKey")
                .value()
                .GetString("primaryKey", 1024)
                .value_or(""),
            key);
  std::optional<json::Value> registration =
      Find(state, "dps", "registrations", "registrationId", "gw-berlin-0042");
  ASSERT_TRUE(registration.has_value());
  EXPECT_EQ(registration->GetString("status").value_or(""), "assigned");
  EXPECT_EQ(registration->GetString("assignedHub").value_or(""), kHubHost);

  // Registering again (a restarted edge runtime) keeps the one device.
  ASSERT_EQ(RegisterWithDps(WriteDpsEnv("gw-berlin-0042", key)).exit_code, 0);
  EXPECT_EQ(State().Root().GetObject("hub").value().GetArray("devices").value().size(), 1u);
}

TEST_F(DeviceApisBinaryTest, AWrongKeyOrADisabledEnrollmentIsRefused) {
  Enroll("gw-wrong-key");
  AgentRun wrong =
      RegisterWithDps(WriteDpsEnv("gw-wrong-key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out << wrong.err;
  EXPECT_NE(wrong.err.find("HTTP 401"), std::string::npos) << wrong.err;
  EXPECT_TRUE(wrong.out.empty());

  std::string key = Enroll("gw-disabled", false);
  AgentRun disabled = RegisterWithDps(WriteDpsEnv("gw-disabled", key));
  EXPECT_EQ(disabled.exit_code, 1) << disabled.out << disabled.err;
  EXPECT_NE(disabled.err.find("status disabled"), std::string::npos) << disabled.err;
  EXPECT_TRUE(State().Root().GetObject("hub").value().GetArray("devices").value().empty());

  AgentRun missing = RunAgent({"dps", "--env", (sim_.dir() / "nope.env").string()}, sim_.dir());
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_F(DeviceApisBinaryTest, TheMenderClientIsAcceptedWithItsPreauthorizedKey) {
  // RSA: its base64 signature has '+' and '/', which must survive the HTTP layer.
  crypto::PrivateKey key = crypto::PrivateKey::GenerateRsa(2048).value();
  fs::path key_file = sim_.dir() / "mender-agent.pem";
  std::ofstream(key_file) << key.ToPkcs8Pem().value();
  json::Writer preauth;
  preauth.BeginObject()
      .Key("identity_data")
      .Raw(R"({"mac":"aa:bb:cc:dd:ee:01"})")
      .Field("pubkey", key.Public().value().SpkiPem())
      .EndObject();
  http::Response created = Send(
      "POST", mender_ + "/api/management/v2/devauth/devices",
      {{"Authorization", std::string("Bearer ") + kDemoMenderToken}, kJsonType}, preauth.Take());
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.HeaderValue("Location").value_or("devices/").substr(8);

  AgentRun run = RunAgent(
      {"mender", "--mender-url", mender_, "--key", key_file.string(), "--mac", "aa:bb:cc:dd:ee:01"},
      sim_.dir());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err << "\n" << sim_.Log();
  json::Document line = json::ParseObject(run.out, 8192, "agent output").value();
  EXPECT_TRUE(line.Root().GetBool("authorized").value_or(false));
  EXPECT_EQ(line.Root().GetInt("http_status").value_or(0), 200);
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '.'), 2) << run.out;  // a JWT
  json::Document state = State();
  std::optional<json::Value> device = Find(state, "mender", "devices", "id", id);
  ASSERT_TRUE(device.has_value());
  EXPECT_EQ(device->GetString("status").value_or(""), "accepted");

  // Another MAC is another (unknown) device: 401, recorded as pending.
  AgentRun other = RunAgent(
      {"mender", "--mender-url", mender_, "--key", key_file.string(), "--mac", "aa:bb:cc:dd:ee:02"},
      sim_.dir());
  EXPECT_EQ(other.exit_code, 1) << other.out << other.err;
  json::Document refused = json::ParseObject(other.out, 8192, "agent output").value();
  EXPECT_FALSE(refused.Root().GetBool("authorized").value_or(true));
  EXPECT_EQ(refused.Root().GetInt("http_status").value_or(0), 401);
  EXPECT_EQ(refused.Root().GetString("error").value_or(""), "dev auth: unauthorized");
}

}  // namespace
}  // namespace gps::cloudsim
