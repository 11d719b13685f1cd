// Chaos: two engines and two copies of each worker provision many gateways while the clouds fail
// a fifth of their requests, a random gps process is SIGKILLed every few seconds (and started
// again), and Redis and Mosquitto are each restarted once. Afterwards every gateway must hold
// working credentials, and each cloud exactly one resource per gateway.
//
// GPS_CHAOS_DEVICES sets the number of gateways (default 100).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gps/crypto/keys.h"
#include "gps/crypto/x509.h"
#include "gps/json/json.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

int DeviceCount() {
  const char* v = std::getenv("GPS_CHAOS_DEVICES");
  int n = v != nullptr ? std::atoi(v) : 0;
  return n > 0 ? n : 100;
}

std::string Mac(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "02:c4:00:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
  return buf;
}

std::string NameOf(int i) { return "gw-chaos-" + std::to_string(i); }

std::string EnvValue(const std::string& text, const std::string& key) {
  std::size_t at = text.find(key + "=");
  if (at == std::string::npos) {
    return "";
  }
  std::size_t end = text.find('\n', at);
  return text.substr(at + key.size() + 1,
                     end == std::string::npos ? end : end - at - key.size() - 1);
}

// The lines of the stack's logs that mention text, for a failure's trail.
std::string LinesMentioning(const std::string& dir, const std::string& text) {
  std::string out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") {
      continue;
    }
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.find(text) != std::string::npos) {
        out += "\n  " + entry.path().filename().string() + ": " + line.substr(0, 600);
      }
    }
  }
  return out;
}

// The device id the UI shows for each MAC.
std::map<std::string, std::string> IdsByMac(Stack& stack) {
  std::map<std::string, std::string> ids;
  for (const DeviceSummary& d : stack.ListDevices()) {
    ids[d.mac] = d.id;
  }
  return ids;
}

std::map<std::string, std::string> StatesById(Stack& stack) {
  std::map<std::string, std::string> states;
  for (const DeviceSummary& d : stack.ListDevices()) {
    states[d.id] = d.state;
  }
  return states;
}

// Approves until the engine has taken the approval: lost replies (a killed UI or engine, a
// restarted broker) are answered by asking again; a 409 for a device already under way is the
// earlier approval having landed.
bool ApproveUntilTaken(Stack& stack, const std::string& id, const std::string& name,
                       Clock::time_point give_up) {
  while (Clock::now() < give_up) {
    Result<http::Response> r = stack.PostJson(stack.ui_url() + "/api/devices/" + id + "/approve",
                                              R"({"name":")" + name + "\"}");
    if (r.ok() && r->status == 202) {
      return true;
    }
    std::map<std::string, std::string> states = StatesById(stack);
    auto it = states.find(id);
    if (it != states.end() && (it->second == "provisioning" || it->second == "provisioned")) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(500));
  }
  return false;
}

// How long the gateways may take, a guard against a run that never ends rather than a measure:
// about 70 s on two idle cores, three times that with the cores busy. How long it took is printed.
constexpr seconds kRunBound{360};

TEST(Chaos, EveryGatewayIsProvisionedExactlyOnceDespiteKillsFaultsAndRestarts) {
  const int n = DeviceCount();
  TempDir dir("gps-chaos");
  StackOptions options;
  options.private_servers = true;
  options.engines = 2;
  options.workers = {"mender", "dps", "vault", "mender", "dps", "vault"};
  options.log_level = "info";
  options.engine_env["GPS_ENGINE_RETRY"] =
      "attempts=60,backoff=200ms,multiplier=2,max_backoff=2s,jitter=0.3,timeout=5s";
  options.engine_env["GPS_ENGINE_RETRY_NAME_CHECK"] =
      "attempts=6,backoff=100ms,multiplier=2,max_backoff=1s,timeout=3s";
  options.engine_env["GPS_ENGINE_SWEEP_INTERVAL_S"] = "10";
  // Exactly-once provisioning is what this test measures; the gateways never register at DPS
  // here, so a manifest step would only poll until the test ends.
  options.engine_env["GPS_ENGINE_HUB_MANIFEST"] = "false";
  options.ui_env["GPS_UI_COMMAND_TIMEOUT_MS"] = "30000";
  // About a fifth of all cloud requests fail: 5xx, dropped connections, hangs past the lease,
  // each before or after the cloud acted; plus a quota that answers 429 with Retry-After.
  const std::string faults =
      R"({"error_rate":0.12,"drop_rate":0.05,"hang_rate":0.03,"hang_ms":6000,)"
      R"("latency_ms":[0,20],"rate_limit":30,"rate_window_s":1})";
  options.cloudsim_env["GPS_CLOUDSIM_FAULTS"] =
      R"({"mender":)" + faults + R"(,"dps":)" + faults + R"(,"vault":)" + faults + "}";
  Stack stack(dir, options);
  auto started = Clock::now();

  // Gateways with Ed25519 Mender keys made here (key generation is not what is tested).
  std::vector<std::unique_ptr<Subprocess>> gateways;
  for (int i = 0; i < n; ++i) {
    std::string gw = stack.GatewayDir("c" + std::to_string(i));
    std::filesystem::create_directories(gw);
    std::string pem = crypto::PrivateKey::GenerateEd25519().value().ToPkcs8Pem().value();
    std::ofstream(gw + "/mender-agent.pem") << pem;
    chmod((gw + "/mender-agent.pem").c_str(), 0600);
    gateways.push_back(stack.StartGateway(
        "c" + std::to_string(i), Mac(i),
        {{"GPS_CLIENT_ANNOUNCE_INTERVAL_S", "3"}, {"GPS_CLIENT_TIMEOUT_S", "600"}}));
  }

  // The chaos: a random gps process killed every 2-4 s; Redis and then Mosquitto restarted.
  std::atomic<bool> stop{false};
  std::atomic<int> kills{0};
  std::atomic<int> redis_restarts{0};
  std::atomic<int> broker_restarts{0};
  std::mutex stack_mutex;
  std::thread chaos([&] {
    std::mt19937 rng(12345);
    int round = 0;
    while (!stop) {
      std::this_thread::sleep_for(milliseconds(2000 + rng() % 2000));
      if (stop) {
        break;
      }
      std::lock_guard<std::mutex> lock(stack_mutex);
      ++round;
      if (round == 2) {
        std::printf("chaos: restarting redis\n");
        stack.services().own_redis()->Restart();
        ++redis_restarts;
      } else if (round == 4) {
        std::printf("chaos: restarting mosquitto\n");
        stack.services().own_broker()->Restart();
        ++broker_restarts;
      }
      std::vector<std::string> names = stack.ServiceNames();
      std::string victim = names[rng() % names.size()];
      stack.KillAndRestart(victim);
      ++kills;
      std::printf("chaos: SIGKILL %s\n", victim.c_str());
      std::fflush(stdout);
    }
  });

  // Approve every gateway as it shows up, from a few operator threads.
  std::map<std::string, std::string> id_of_mac;
  ASSERT_TRUE(WaitUntil(
      [&] {
        id_of_mac = IdsByMac(stack);
        return static_cast<int>(id_of_mac.size()) >= n;
      },
      seconds(180), milliseconds(500)))
      << "only " << id_of_mac.size() << " of " << n << " gateways announced\n"
      << stack.Logs();
  std::atomic<int> next{0};
  std::atomic<int> approved{0};
  auto give_up = started + kRunBound;
  std::vector<std::thread> operators;
  for (int t = 0; t < 6; ++t) {
    operators.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        if (ApproveUntilTaken(stack, id_of_mac.at(Mac(i)), NameOf(i), give_up)) {
          ++approved;
        }
      }
    });
  }
  for (std::thread& t : operators) {
    t.join();
  }
  ASSERT_EQ(approved.load(), n) << stack.Logs();

  // Every gateway ends provisioned: exit 0.
  int exited_ok = 0;
  for (int i = 0; i < n; ++i) {
    std::optional<int> code = gateways[i]->Wait(std::chrono::duration_cast<milliseconds>(std::max(
        seconds(1), kRunBound - std::chrono::duration_cast<seconds>(Clock::now() - started))));
    EXPECT_EQ(code, std::optional<int>(0)) << "gateway " << i << "\n" << gateways[i]->Log();
    exited_ok += code == std::optional<int>(0) ? 1 : 0;
  }
  stop = true;
  chaos.join();
  double took = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_EQ(exited_ok, n) << stack.Logs();
  EXPECT_EQ(redis_restarts.load(), 1) << "the run ended before Redis was restarted";
  EXPECT_EQ(broker_restarts.load(), 1) << "the run ended before Mosquitto was restarted";

  // No saga is left anywhere but provisioned.
  std::map<std::string, std::string> states;
  EXPECT_TRUE(WaitUntil(
      [&] {
        states = StatesById(stack);
        int done = 0;
        for (const auto& [id, state] : states) {
          done += state == "provisioned" ? 1 : 0;
        }
        return done == n && static_cast<int>(states.size()) == n;
      },
      seconds(30), milliseconds(500)));

  // Each cloud holds exactly one resource per gateway. A certificate made by a superseded or
  // duplicate Vault attempt is revoked by a job of its own, which may still be in flight (retried
  // through the faults, or re-sent by an engine's sweep after a SIGKILL): wait for them to land.
  std::vector<json::Value> mender;
  std::vector<json::Value> enrollments;
  std::vector<json::Value> certs;
  std::map<std::string, std::string> primary_by_name;
  std::map<std::string, std::vector<std::string>> live_serials_by_cn;
  int revoked = 0;
  std::optional<json::Document> cloud;
  auto read_clouds = [&] {
    Result<json::Document> state = stack.CloudsimState();
    if (!state.ok()) {
      return false;
    }
    cloud = std::move(state).value();
    json::Value root = cloud->Root();
    mender = root.GetObject("mender")->GetArray("devices").value();
    enrollments = root.GetObject("dps")->GetArray("enrollments").value();
    certs = root.GetObject("vault")->GetArray("certificates").value();
    primary_by_name.clear();
    for (const json::Value& e : enrollments) {
      primary_by_name[e.GetString("registrationId").value_or("")] = e.GetObject("attestation")
                                                                        ->GetObject("symmetricKey")
                                                                        ->GetString("primaryKey")
                                                                        .value_or("");
    }
    live_serials_by_cn.clear();
    revoked = 0;
    for (const json::Value& c : certs) {
      if (c.GetBoolOr("revoked", false).value_or(false)) {
        ++revoked;
      } else {
        live_serials_by_cn[c.GetString("common_name").value_or("")].push_back(
            c.GetString("serial").value_or(""));
      }
    }
    bool one_each = static_cast<int>(live_serials_by_cn.size()) == n;
    for (const auto& [cn, serials] : live_serials_by_cn) {
      one_each = one_each && serials.size() == 1;
    }
    return one_each;
  };
  bool settled = WaitUntil(read_clouds, seconds(60), milliseconds(1000));
  ASSERT_TRUE(cloud.has_value()) << "cloudsim state unreadable";
  if (!settled) {
    for (const auto& [cn, serials] : live_serials_by_cn) {
      if (serials.size() != 1) {
        std::string trail;
        for (const std::string& serial : serials) {
          trail += "\n" + serial + ":" + LinesMentioning(dir.path(), serial);
        }
        ADD_FAILURE() << cn << " has " << serials.size() << " live certificates a minute after "
                      << "every gateway was provisioned; what the logs say of them:" << trail;
      }
    }
  }
  std::map<std::string, int> mender_by_mac;
  for (const json::Value& d : mender) {
    ++mender_by_mac[d.GetObject("identity_data")->GetStringOr("mac", "").value_or("")];
  }
  EXPECT_EQ(static_cast<int>(mender.size()), n);
  EXPECT_EQ(static_cast<int>(enrollments.size()), n);

  // And each gateway's credentials work: its certificate is the one live certificate of its name,
  // chains to the delivered CA and belongs to the delivered key; its DPS key is the enrollment's.
  int verified = 0;
  for (int i = 0; i < n; ++i) {
    SCOPED_TRACE(NameOf(i));
    std::string out = stack.GatewayDir("c" + std::to_string(i)) + "/out/";
    EXPECT_EQ(mender_by_mac[Mac(i)], 1);
    Result<crypto::Certificate> cert =
        crypto::Certificate::FromPem(ReadFileOrEmpty(out + "device.crt"));
    Result<crypto::PrivateKey> key =
        crypto::PrivateKey::FromPem(ReadFileOrEmpty(out + "device.key"));
    Result<std::vector<crypto::Certificate>> chain =
        crypto::Certificate::ChainFromPem(ReadFileOrEmpty(out + "ca-chain.crt"));
    if (!cert.ok() || !key.ok() || !chain.ok() || chain->size() < 2) {
      ADD_FAILURE() << "unreadable credentials in " << out;
      continue;
    }
    std::vector<crypto::Certificate> roots;
    roots.push_back(std::move(chain->back()));
    chain->pop_back();
    bool ok = cert->SubjectCommonName() == NameOf(i) &&
              crypto::VerifyChain(*cert, *chain, roots).ok() &&
              crypto::CertificateMatchesKey(*cert, *key).ok() &&
              live_serials_by_cn[NameOf(i)] == std::vector<std::string>{cert->SerialHex()} &&
              EnvValue(ReadFileOrEmpty(out + "dps.env"), "DPS_SYMMETRIC_KEY") ==
                  primary_by_name[NameOf(i)] &&
              !primary_by_name[NameOf(i)].empty();
    EXPECT_TRUE(ok) << "live certificates of " << NameOf(i) << ": "
                    << live_serials_by_cn[NameOf(i)].size();
    verified += ok ? 1 : 0;
  }
  EXPECT_EQ(verified, n);

  Result<http::Response> injected = stack.Get(
      "http://127.0.0.1:" + std::to_string(stack.cloudsim_ports().mender) + "/_sim/faults");
  std::printf(
      "chaos: %d gateways provisioned and verified in %.1f s; %d SIGKILLs, %d redis and %d "
      "mosquitto restarts; cloudsim holds %zu mender devices, %zu DPS enrollments, %zu "
      "certificates (%d revoked as superseded)\n",
      verified, took, kills.load(), redis_restarts.load(), broker_restarts.load(), mender.size(),
      enrollments.size(), certs.size(), revoked);
  if (injected.ok()) {
    Result<json::Document> f = json::ParseObject(injected->body, 1 << 20, "faults");
    if (f.ok()) {
      std::printf("chaos: faults injected: %s\n",
                  f->Root().GetObject("injected").value().Serialize().c_str());
    }
  }
}

}  // namespace
}  // namespace gps::testing
