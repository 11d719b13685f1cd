#pragma once
// The whole service for an end-to-end test, as real processes: gps-cloudsim, gps-engine, the
// Mender, DPS and Vault workers and gps-ui, wired to a real Mosquitto and Redis with matching
// secrets. Device clients are started on demand. Everything stops with the Stack.
// HTTP calls, Logs(), ServiceNames() and KillAndRestart() may be used from several threads; the
// rest belongs to the thread that made the Stack.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gps/core/result.h"
#include "gps/http/client.h"
#include "gps/json/json.h"
#include "tests/support/services.h"
#include "tests/support/subprocess.h"

namespace gps::testing {

struct CloudsimPorts {
  int mender = 0;
  int dps = 0;
  int vault = 0;
  int hub = 0;
};

// Paths of the binaries under test, set by CMake.
struct Binaries {
  static std::string Engine();
  static std::string Ui();
  static std::string Cloudsim();
  static std::string DeviceClient();
  static std::string Worker(const std::string& step);
  static std::string EdgeAgentSim();
};

// One device as GET /api/devices shows it.
struct DeviceSummary {
  std::string id;
  std::string mac;
  std::string fingerprint;
  std::string last_seen;
  std::string state;
  std::string name;
  std::string error;
};

struct StackOptions {
  // Own Mosquitto and Redis. Always, in practice: engines and workers of two stacks on one broker
  // would share their subscription groups and take each other's messages.
  bool private_servers = true;
  // The workers started with the stack; others can be started later with StartWorker().
  std::vector<std::string> workers = {"mender", "dps", "vault", "hub-manifest"};
  int engines = 1;  // gps-engine replicas
  // Added to gps-engine's, gps-ui's and gps-cloudsim's environment, e.g. a short retry policy.
  std::map<std::string, std::string> engine_env;
  std::map<std::string, std::string> ui_env;
  std::map<std::string, std::string> cloudsim_env;
  // Added to the environment of every copy of a worker, by step: {"vault": {{"GPS_VAULT_MODE",
  // "sign"}}}. A variable set to "" is set empty, which the settings tables read as unset.
  std::map<std::string, std::map<std::string, std::string>> worker_env;
  std::string log_level = "debug";
};

class Stack {
 public:
  Stack(const TempDir& dir, StackOptions options = {});
  ~Stack();

  // The secrets shared by cloudsim and the workers (what each side must agree on).
  struct Secrets {
    std::string mender_token;
    std::string dps_host;
    std::string dps_policy_name;
    std::string dps_policy_key;
    std::string dps_id_scope;
    std::string vault_token;
    std::string hub_host;
    std::string hub_policy_name;
    std::string hub_policy_key;
  };
  const Secrets& secrets() const { return secrets_; }

  std::string ui_url() const { return "http://127.0.0.1:" + std::to_string(ui_port_); }
  // gps-ui's GPS_UI_API_TOKEN (an admin token): Get, PostJson and Send add it as
  // "Authorization: Bearer" to every request for ui_url().
  const std::string& ui_api_token() const { return ui_api_token_; }
  const CloudsimPorts& cloudsim_ports() const { return ports_; }
  TestServices& services() { return *services_; }

  // Environment of every gps process: broker (TLS, logged in as account), Redis, logging.
  std::map<std::string, std::string> CommonEnv(const std::string& client_id,
                                               const std::string& account) const;

  // Starts one more copy of a worker ("mender", "dps" or "vault").
  void StartWorker(const std::string& step);

  // The gps processes that may be killed: engine-N, worker-<step>-N, ui.
  std::vector<std::string> ServiceNames() const;
  // True while the named process (a ServiceNames() entry or "cloudsim") has not ended.
  bool Running(const std::string& name);
  // The Redis key prefix every process of the stack uses (GPS_REDIS_KEY_PREFIX).
  std::string redis_key_prefix() const { return "gps-test-" + suffix_; }
  // SIGKILL, then the same process again with the same settings (its log continues).
  void KillAndRestart(const std::string& name);

  // Starts a simulated gateway: a device client with a generated key, writing into dir/<name>/,
  // logged in with the bootstrap account like every gateway image.
  std::unique_ptr<Subprocess> StartGateway(const std::string& name, const std::string& mac,
                                           std::map<std::string, std::string> extra_env = {});
  std::string GatewayDir(const std::string& name) const { return dir_.File("gw-" + name); }

  // HTTP against the UI and cloudsim.
  Result<http::Response> Get(const std::string& url);
  Result<http::Response> PostJson(const std::string& url, const std::string& body);
  Result<http::Response> Send(const std::string& method, const std::string& url,
                              const std::string& body = "");
  // Replaces one cloud's faults in cloudsim (PUT /_sim/faults/{service}); "" clears them.
  Status SetCloudFaults(const std::string& service, const std::string& faults_json);
  // GET /api/devices<query> (e.g. "?state=pending"); empty while the UI does not answer.
  std::vector<DeviceSummary> ListDevices(const std::string& query = "");
  // GET /_sim/state of cloudsim, parsed.
  Result<json::Document> CloudsimState();

  // The log of every process, for a failure message.
  std::string Logs() const;

 private:
  std::unique_ptr<Subprocess> Start(const std::string& name, const std::string& binary,
                                    std::map<std::string, std::string> env);
  std::map<std::string, std::string> WorkerEnv(const std::string& step, int copy) const;
  void StartCloudsim(const std::map<std::string, std::string>& extra_env);

  const TempDir& dir_;
  std::unique_ptr<TestServices> services_;
  std::string suffix_;
  Secrets secrets_;
  CloudsimPorts ports_;
  int ui_port_ = 0;
  std::vector<std::unique_ptr<Subprocess>> processes_;
  std::map<std::string, int> worker_copies_;
  std::map<std::string, std::map<std::string, std::string>> worker_env_;
  struct Spec {
    std::string binary;
    std::map<std::string, std::string> env;
  };
  std::map<std::string, Spec> specs_;
  std::string log_level_;
  std::vector<std::string> logs_;
  // Sends request; one for gps-ui carries the API token.
  Result<http::Response> HttpSend(http::Request request) const;
  std::string ui_api_token_;
  // Guards the process and log lists: a chaos thread restarts processes while others read logs.
  mutable std::mutex mutex_;
};

}  // namespace gps::testing
