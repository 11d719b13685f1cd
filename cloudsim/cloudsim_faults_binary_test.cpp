// Fault injection end to end: starts the real gps-cloudsim binary, sets faults over /_sim/faults
// and at start from GPS_CLOUDSIM_FAULTS, and checks what a real libcurl client (the workers' HTTP
// client) sees: 5xx, 429 with Retry-After, a connection closed without an answer, a hang beyond
// the client's timeout, a permanent 400 until cleared, and that "after" faults changed state.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <iostream>
#include <thread>

#include "cloudsim/settings/settings.h"
#include "cloudsim/testing/sim_process.h"
#include "gps/azure/sas_token.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "gps/json/json.h"

#ifndef GPS_CLOUDSIM_BINARY
#error "GPS_CLOUDSIM_BINARY must name the gps-cloudsim executable"
#endif

namespace gps::cloudsim {
namespace {

using Clock = std::chrono::steady_clock;
using testing::kJsonType;
using testing::Send;
using testing::SimProcess;
using testing::UnixNow;

// Answers with an HTTP status (any): the status; a transport failure fails the test.
int StatusOf(const Result<http::Response>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->status : 0;
}

// GET /_sim/faults, parsed.
json::Document Faults(http::Client& client, const SimProcess& sim, std::string_view port = "hub") {
  Result<http::Response> r = Send(client, "GET", sim.Base(port) + "/_sim/faults");
  EXPECT_EQ(StatusOf(r), 200);
  return json::ParseObject(r.ok() ? r->body : "{}", 1 << 20, "faults").value();
}

std::int64_t Injected(const json::Document& faults, std::string_view service,
                      std::string_view kind) {
  return faults.Root()
      .GetObject("injected")
      .value()
      .GetObject(service)
      .value()
      .GetInt(kind)
      .value_or(-1);
}

void PutFaults(http::Client& client, const SimProcess& sim, std::string_view path,
               std::string body) {
  Result<http::Response> r =
      Send(client, "PUT", sim.Base("mender") + "/_sim/faults" + std::string(path), {kJsonType},
           std::move(body));
  ASSERT_EQ(StatusOf(r), 200) << (r.ok() ? r->body : "");
}

std::size_t StateCount(http::Client& client, const SimProcess& sim, std::string_view service,
                       std::string_view list) {
  Result<http::Response> r = Send(client, "GET", sim.Base("dps") + "/_sim/state");
  EXPECT_EQ(StatusOf(r), 200);
  json::Document d = json::ParseObject(r.ok() ? r->body : "{}", 1 << 22, "state").value();
  Result<json::Value> s = d.Root().GetObject(service);
  return s.ok() ? s->GetArray(list).value().size() : 0;
}

TEST(CloudsimFaultsBinary, BadFaultSettingsExitTwoNamingTheVariable) {
  SimProcess sim(GPS_CLOUDSIM_BINARY, {"GPS_CLOUDSIM_FAULTS={\"dps\":{\"error_rate\":2}}"});
  ASSERT_GT(sim.child().pid(), 0);
  EXPECT_EQ(sim.child().WaitExit(std::chrono::seconds(20)), 2);
  std::string log = sim.Log();
  EXPECT_NE(log.find("GPS_CLOUDSIM_FAULTS"), std::string::npos) << log;
  EXPECT_NE(log.find("dps.error_rate"), std::string::npos) << log;
}

TEST(CloudsimFaultsBinary, RealClientsSeeTheInjectedFaults) {
  SimProcess sim(
      GPS_CLOUDSIM_BINARY,
      {"GPS_LOG_LEVEL=info", "GPS_CLOUDSIM_FAULT_SEED=4242",
       R"(GPS_CLOUDSIM_FAULTS={"vault":{"error_rate":1,"error_status":503,"when":"before"}})"});
  ASSERT_TRUE(sim.Ready());
  EXPECT_NE(sim.Log().find("\"fault_seed\":4242"), std::string::npos) << sim.Log();
  http::Client client;
  const std::vector<http::Header> vault_auth = {{"X-Vault-Token", kDemoVaultToken}, kJsonType};
  const std::vector<http::Header> mender_auth = {
      {"Authorization", std::string("Bearer ") + kDemoMenderToken}, kJsonType};
  std::string dps_sas =
      azure::BuildSasToken("mydps.azure-devices-provisioning.net", kDemoDpsPolicyKey,
                           "provisioningserviceowner", UnixNow() + 3600)
          .value();
  std::string hub_sas = azure::BuildSasToken("myhub.azure-devices.net", kDemoHubPolicyKey,
                                             "iothubowner", UnixNow() + 3600)
                            .value();
  const std::string issue = sim.Base("vault") + "/v1/pki/issue/gps-device";
  const std::string issue_body = R"({"common_name":"gw-faults","ttl":"1h"})";

  {
    SCOPED_TRACE("faults from GPS_CLOUDSIM_FAULTS, shown on every port");
    json::Document f = Faults(client, sim, "dps");
    EXPECT_EQ(f.Root().GetInt("seed").value_or(0), 4242);
    json::Value vault = f.Root().GetObject("faults").value().GetObject("vault").value();
    EXPECT_EQ(vault.Serialize().find(R"("error_status":[503])") != std::string::npos, true);
    Result<http::Response> r = Send(client, "POST", issue, vault_auth, issue_body);
    ASSERT_EQ(StatusOf(r), 503);
    EXPECT_EQ(r->body, R"({"errors":["Vault is sealed"]})");
    EXPECT_EQ(StateCount(client, sim, "vault", "certificates"), 0u);  // before: nothing changed
  }
  {
    SCOPED_TRACE("a 5xx after processing: the certificate exists, the client saw an error");
    PutFaults(client, sim, "/vault", R"({"error_rate":1,"when":"after"})");
    Result<http::Response> r = Send(client, "POST", issue, vault_auth, issue_body);
    int status = StatusOf(r);
    EXPECT_TRUE(status == 500 || status == 502 || status == 503) << status;
    EXPECT_EQ(StateCount(client, sim, "vault", "certificates"), 1u);
    PutFaults(client, sim, "/vault", "{}");
  }
  {
    SCOPED_TRACE("429 with Retry-After above the quota");
    PutFaults(client, sim, "/mender", R"({"rate_limit":1,"rate_window_s":60})");
    std::string list = sim.Base("mender") + "/api/management/v2/devauth/devices";
    EXPECT_EQ(StatusOf(Send(client, "GET", list, mender_auth)), 200);
    Result<http::Response> r = Send(client, "GET", list, mender_auth);
    ASSERT_EQ(StatusOf(r), 429);
    int retry_after = std::stoi(r->HeaderValue("Retry-After").value_or("0"));
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 60);
    EXPECT_NE(r->body.find(R"("error":"too many requests")"), std::string::npos) << r->body;
    PutFaults(client, sim, "/mender", "{}");
  }
  {
    SCOPED_TRACE("a dropped connection is a transport error, not an HTTP status");
    PutFaults(client, sim, "/dps", R"({"drop_rate":1,"when":"before"})");
    http::Client fresh;
    Result<http::Response> r =
        Send(fresh, "PUT", sim.Base("dps") + "/enrollments/gw-drop?api-version=2021-10-01",
             {{"Authorization", dps_sas}, kJsonType},
             R"({"registrationId":"gw-drop","attestation":{"type":"symmetricKey"}})");
    ASSERT_FALSE(r.ok()) << "HTTP " << r->status;
    EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
    EXPECT_EQ(StateCount(client, sim, "dps", "enrollments"), 0u);
  }
  {
    SCOPED_TRACE("a drop after processing: the device exists, the client saw no answer");
    PutFaults(client, sim, "/mender", R"({"drop_rate":1,"when":"after"})");
    crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
    json::Writer preauth;
    preauth.BeginObject()
        .Key("identity_data")
        .Raw(R"({"mac":"aa:bb:cc:00:00:01"})")
        .Field("pubkey", key.Public().value().SpkiPem())
        .EndObject();
    http::Client fresh;
    Result<http::Response> r =
        Send(fresh, "POST", sim.Base("mender") + "/api/management/v2/devauth/devices", mender_auth,
             preauth.Take());
    ASSERT_FALSE(r.ok()) << "HTTP " << r->status;
    EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
    PutFaults(client, sim, "/mender", "{}");
    EXPECT_EQ(StateCount(client, sim, "mender", "devices"), 1u);
  }
  {
    SCOPED_TRACE("hangs outlast a 1 s client timeout and do not block other requests");
    PutFaults(client, sim, "/hub", R"({"hang_rate":1,"hang_ms":60000})");
    std::string device = sim.Base("hub") + "/devices/gw-1?api-version=2021-04-12";
    auto start = Clock::now();
    Result<http::Response> r = Send(client, "GET", device, {{"Authorization", hub_sas}}, "", 1000);
    ASSERT_FALSE(r.ok()) << "HTTP " << r->status;
    EXPECT_TRUE(r.status().IsDeadlineExceeded()) << r.status().ToString();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    // More hanging requests at once than cpp-httplib's default pool (8 threads) has.
    std::vector<std::future<Status>> hanging;
    for (int i = 0; i < 12; ++i) {
      hanging.push_back(std::async(std::launch::async, [&] {
        http::Client c;
        return Send(c, "GET", device, {{"Authorization", hub_sas}}, "", 3000).status();
      }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto during = Clock::now();
    http::Client other;
    EXPECT_EQ(StatusOf(Send(other, "GET", sim.Base("hub") + "/_sim/state", {}, "", 2000)), 200);
    EXPECT_EQ(StatusOf(Send(other, "GET", sim.Base("vault") + "/v1/sys/health", {}, "", 2000)),
              200);
    EXPECT_LT(Clock::now() - during, std::chrono::seconds(2));
    for (auto& h : hanging) {
      EXPECT_TRUE(h.get().IsDeadlineExceeded());
    }
  }
  {
    SCOPED_TRACE("a permanent 400 with a given message until the faults are cleared");
    PutFaults(client, sim, "",
              R"({"dps":{"fail":{"status":400,"message":"registration gw-perm is reserved",
                                 "method":"PUT","path":"/enrollments/*"}}})");
    std::string url = sim.Base("dps") + "/enrollments/gw-perm?api-version=2021-10-01";
    std::vector<http::Header> auth = {{"Authorization", dps_sas}, kJsonType};
    std::string body =
        R"({"registrationId":"gw-perm","attestation":{"type":"symmetricKey"},"capabilities":{"iotEdge":true}})";
    for (int attempt = 0; attempt < 3; ++attempt) {
      Result<http::Response> r = Send(client, "PUT", url, auth, body);
      ASSERT_EQ(StatusOf(r), 400);
      EXPECT_EQ(r->HeaderValue("x-ms-error-code"), "400004");
      json::Document err = json::ParseObject(r->body, 4096, "error").value();
      EXPECT_EQ(err.Root().GetString("message").value_or(""), "registration gw-perm is reserved");
    }
    EXPECT_EQ(StatusOf(Send(client, "GET", url, auth)), 404);  // GET does not match: served
    EXPECT_EQ(StateCount(client, sim, "dps", "enrollments"), 0u);
    // Counts before clearing (the settings go, the counts stay).
    EXPECT_EQ(Injected(Faults(client, sim), "dps", "fail"), 3);
    ASSERT_EQ(StatusOf(Send(client, "DELETE", sim.Base("vault") + "/_sim/faults")), 200);
    EXPECT_EQ(StatusOf(Send(client, "PUT", url, auth, body)), 200);
    EXPECT_EQ(StateCount(client, sim, "dps", "enrollments"), 1u);
  }
  {
    SCOPED_TRACE("bad settings are refused with the field named");
    Result<http::Response> r = Send(client, "PUT", sim.Base("hub") + "/_sim/faults", {kJsonType},
                                    R"({"dps":{"drop_rate":7}})");
    ASSERT_EQ(StatusOf(r), 400);
    EXPECT_NE(r->body.find("dps.drop_rate: must be a number from 0 to 1"), std::string::npos)
        << r->body;
  }
  {
    SCOPED_TRACE("what was injected, per service and kind");
    json::Document f = Faults(client, sim);
    EXPECT_GE(Injected(f, "vault", "5xx"), 2);
    EXPECT_GE(Injected(f, "vault", "after"), 1);
    EXPECT_EQ(Injected(f, "mender", "429"), 1);
    EXPECT_GE(Injected(f, "mender", "drop"), 1);
    EXPECT_GE(Injected(f, "dps", "drop"), 1);
    EXPECT_EQ(Injected(f, "hub", "hang"), 13);
    std::cout << "injected: " << f.Root().GetObject("injected").value().Serialize() << "\n";
  }
  {
    SCOPED_TRACE("SIGTERM stops the process at once even with requests hanging");
    PutFaults(client, sim, "/hub", R"({"hang_rate":1,"hang_ms":600000})");
    std::future<Status> hanging = std::async(std::launch::async, [&] {
      http::Client c;
      return Send(c, "GET", sim.Base("hub") + "/devices/x?api-version=2021-04-12",
                  {{"Authorization", hub_sas}}, "", 60000)
          .status();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto start = Clock::now();
    ASSERT_EQ(kill(sim.child().pid(), SIGTERM), 0);
    // The hang ends at once; idle keep-alive connections take up to 5 s more to drain.
    ASSERT_EQ(hanging.wait_for(std::chrono::seconds(3)), std::future_status::ready);
    Status s = hanging.get();
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(s.IsDeadlineExceeded()) << "the hang was not cut short: " << s.ToString();
    EXPECT_EQ(sim.child().WaitExit(std::chrono::seconds(20)), 0) << sim.Log();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
    std::cout << "stopped "
              << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()
              << " ms after SIGTERM\n";
  }
}

}  // namespace
}  // namespace gps::cloudsim
