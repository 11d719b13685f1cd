#include "tests/support/stack.h"

#include <filesystem>
#include <stdexcept>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::testing {

namespace {
// The demo deployment manifest, the one scripts/run uses: the tests apply what operators start
// from.
constexpr char kManifestTemplate[] = GPS_SOURCE_DIR "/deploy/iot-edge/manifest.template.json";
}  // namespace

std::string Binaries::Engine() { return GPS_BIN_ENGINE; }
std::string Binaries::Ui() { return GPS_BIN_UI; }
std::string Binaries::Cloudsim() { return GPS_BIN_CLOUDSIM; }
std::string Binaries::DeviceClient() { return GPS_BIN_DEVICE_CLIENT; }
std::string Binaries::EdgeAgentSim() { return GPS_BIN_EDGE_AGENT_SIM; }
std::string Binaries::Worker(const std::string& step) {
  if (step == "mender") return GPS_BIN_WORKER_MENDER;
  if (step == "dps") return GPS_BIN_WORKER_DPS;
  if (step == "vault") return GPS_BIN_WORKER_VAULT;
  if (step == "hub-manifest") return GPS_BIN_WORKER_HUB_MANIFEST;
  throw std::invalid_argument("no worker for step " + step);
}

Stack::Stack(const TempDir& dir, StackOptions options)
    : dir_(dir),
      services_(std::make_unique<TestServices>(dir.path(), options.private_servers)),
      suffix_(UniqueSuffix()),
      worker_env_(options.worker_env),
      log_level_(options.log_level) {
  secrets_.mender_token = "mender-token-" + suffix_;
  secrets_.dps_host = "gps-test-" + suffix_ + ".azure-devices-provisioning.net";
  secrets_.dps_policy_name = "provisioningserviceowner";
  secrets_.dps_policy_key = crypto::Base64Encode(crypto::RandomBytes(32).value());
  secrets_.dps_id_scope = "0ne00" + suffix_.substr(0, 6);
  secrets_.vault_token = "hvs.test-" + suffix_;
  secrets_.hub_host = "gps-test-" + suffix_ + ".azure-devices.net";
  secrets_.hub_policy_name = "iothubowner";
  secrets_.hub_policy_key = crypto::Base64Encode(crypto::RandomBytes(32).value());
  ui_api_token_ = "gps_" + crypto::HexEncode(crypto::RandomBytes(32).value());

  StartCloudsim(options.cloudsim_env);

  for (int i = 1; i <= options.engines; ++i) {
    std::string name = "engine-" + std::to_string(i);
    auto engine = CommonEnv(name, kEngineAccount);
    // The tests' gateways register within seconds: look for them often.
    engine["GPS_ENGINE_HUB_WAIT"] = "backoff=500ms,multiplier=1.5,max_backoff=2s,jitter=0.2";
    for (const auto& [k, v] : options.engine_env) {
      engine[k] = v;
    }
    processes_.push_back(Start(name, Binaries::Engine(), engine));
  }
  for (const std::string& step : options.workers) {
    StartWorker(step);
  }

  ui_port_ = FreePort();
  auto ui = CommonEnv("ui", kUiAccount);
  ui["GPS_UI_PORT"] = std::to_string(ui_port_);
  ui["GPS_UI_INSTANCE"] = "ui-" + suffix_;
  ui.erase("GPS_MQTT_CLIENT_ID");  // gps-ui's client id is its instance name
  ui["GPS_LOG_LEVEL"] = "info";    // tests poll the API; a line per request would hide the rest
  ui["GPS_UI_API_TOKEN"] = ui_api_token_;
  for (const auto& [k, v] : options.ui_env) {
    ui[k] = v;
  }
  processes_.push_back(Start("ui", Binaries::Ui(), ui));

  if (!WaitUntil(
          [&] {
            Result<http::Response> r = Get(ui_url() + "/healthz");
            return r.ok() && r->status == 200;
          },
          std::chrono::seconds(30))) {
    throw std::runtime_error("gps-ui did not become healthy:\n" + Logs());
  }
}

std::map<std::string, std::string> Stack::WorkerEnv(const std::string& step, int copy) const {
  auto env = CommonEnv("worker-" + step + "-" + std::to_string(copy), WorkerAccount(step));
  std::string base = "http://127.0.0.1:";
  if (step == "mender") {
    env["GPS_MENDER_URL"] = base + std::to_string(ports_.mender);
    env["GPS_MENDER_TOKEN"] = secrets_.mender_token;
  } else if (step == "dps") {
    env["GPS_DPS_URL"] = base + std::to_string(ports_.dps);
    env["GPS_DPS_HOST"] = secrets_.dps_host;
    env["GPS_DPS_POLICY_NAME"] = secrets_.dps_policy_name;
    env["GPS_DPS_POLICY_KEY"] = secrets_.dps_policy_key;
    env["GPS_DPS_ID_SCOPE"] = secrets_.dps_id_scope;
  } else if (step == "vault") {
    env["GPS_VAULT_ADDR"] = base + std::to_string(ports_.vault);
    env["GPS_VAULT_TOKEN"] = secrets_.vault_token;
  } else if (step == "hub-manifest") {
    env["GPS_HUB_URL"] = base + std::to_string(ports_.hub);
    env["GPS_HUB_HOST"] = secrets_.hub_host;
    env["GPS_HUB_POLICY_NAME"] = secrets_.hub_policy_name;
    env["GPS_HUB_POLICY_KEY"] = secrets_.hub_policy_key;
    env["GPS_HUB_MANIFEST_TEMPLATE"] = kManifestTemplate;
    env["GPS_HUB_WAIT_RETRY_S"] = "1";  // the tests' gateways register within seconds
  } else {
    throw std::invalid_argument("no worker for step " + step);
  }
  if (auto it = worker_env_.find(step); it != worker_env_.end()) {
    for (const auto& [k, v] : it->second) {
      env[k] = v;
    }
  }
  return env;
}

void Stack::StartWorker(const std::string& step) {
  int copy = ++worker_copies_[step];
  std::string name = "worker-" + step + "-" + std::to_string(copy);
  processes_.push_back(Start(name, Binaries::Worker(step), WorkerEnv(step, copy)));
}

Stack::~Stack() {
  // Stop in reverse order of start, so no process outlives what it talks to.
  while (!processes_.empty()) {
    processes_.back()->Stop();
    processes_.pop_back();
  }
}

std::map<std::string, std::string> Stack::CommonEnv(const std::string& client_id,
                                                    const std::string& account) const {
  std::map<std::string, std::string> env = services_->Login(account).Env();
  env.merge(std::map<std::string, std::string>{
      {"GPS_MQTT_CLIENT_ID", client_id + "-" + suffix_},
      // The test's broker may be shared: a session must not outlive the test and keep taking its
      // share of a group's messages.
      {"GPS_MQTT_SESSION_EXPIRY_S", "0"},
      {"GPS_REDIS_HOST", "127.0.0.1"},
      {"GPS_REDIS_PORT", std::to_string(services_->redis_port())},
      {"GPS_REDIS_KEY_PREFIX", redis_key_prefix()},
      {"GPS_LOG_LEVEL", log_level_},
      {"GPS_STATS_INTERVAL_S", "0"},
  });
  return env;
}

std::unique_ptr<Subprocess> Stack::Start(const std::string& name, const std::string& binary,
                                         std::map<std::string, std::string> env) {
  std::string log = dir_.File(name + ".log");
  std::lock_guard<std::mutex> lock(mutex_);
  logs_.push_back(log);
  specs_[name] = Spec{binary, env};
  return std::make_unique<Subprocess>(name, std::vector<std::string>{binary}, std::move(env), log);
}

std::vector<std::string> Stack::ServiceNames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& p : processes_) {
    if (p->name() != "cloudsim") {
      names.push_back(p->name());
    }
  }
  return names;
}

bool Stack::Running(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& p : processes_) {
    if (p->name() == name) {
      return p->Running();
    }
  }
  throw std::invalid_argument("no process named " + name);
}

void Stack::KillAndRestart(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& p : processes_) {
    if (p->name() == name) {
      p->Kill();
      p->Wait(std::chrono::seconds(10));
      const Spec& spec = specs_.at(name);
      p = std::make_unique<Subprocess>(name, std::vector<std::string>{spec.binary}, spec.env,
                                       dir_.File(name + ".log"));
      return;
    }
  }
  throw std::invalid_argument("no process named " + name);
}

void Stack::StartCloudsim(const std::map<std::string, std::string>& extra_env) {
  std::string ready = dir_.File("cloudsim-ready.json");
  std::map<std::string, std::string> env = {
      {"GPS_CLOUDSIM_MENDER_PORT", "0"},
      {"GPS_CLOUDSIM_DPS_PORT", "0"},
      {"GPS_CLOUDSIM_VAULT_PORT", "0"},
      {"GPS_CLOUDSIM_HUB_PORT", "0"},
      {"GPS_CLOUDSIM_READY_FILE", ready},
      {"GPS_CLOUDSIM_MENDER_TOKEN", secrets_.mender_token},
      {"GPS_CLOUDSIM_DPS_HOST", secrets_.dps_host},
      {"GPS_CLOUDSIM_DPS_POLICY_NAME", secrets_.dps_policy_name},
      {"GPS_CLOUDSIM_DPS_POLICY_KEY", secrets_.dps_policy_key},
      {"GPS_CLOUDSIM_DPS_ID_SCOPE", secrets_.dps_id_scope},
      {"GPS_CLOUDSIM_VAULT_TOKEN", secrets_.vault_token},
      {"GPS_CLOUDSIM_HUB_HOST", secrets_.hub_host},
      {"GPS_CLOUDSIM_HUB_POLICY_NAME", secrets_.hub_policy_name},
      {"GPS_CLOUDSIM_HUB_POLICY_KEY", secrets_.hub_policy_key},
      {"GPS_LOG_LEVEL", log_level_},
  };
  for (const auto& [k, v] : extra_env) {
    env[k] = v;
  }
  processes_.push_back(Start("cloudsim", Binaries::Cloudsim(), env));
  Subprocess& sim = *processes_.back();
  if (!WaitUntil([&] { return !ReadFileOrEmpty(ready).empty() || !sim.Running(); },
                 std::chrono::seconds(30)) ||
      !sim.Running()) {
    throw std::runtime_error("gps-cloudsim did not start:\n" + sim.Log());
  }
  Result<json::Document> doc = json::ParseObject(ReadFileOrEmpty(ready), 4096, "ready file");
  if (!doc.ok()) {
    throw std::runtime_error(doc.status().ToString());
  }
  json::Value root = doc->Root();
  ports_.mender = static_cast<int>(root.GetInt("mender").value_or(0));
  ports_.dps = static_cast<int>(root.GetInt("dps").value_or(0));
  ports_.vault = static_cast<int>(root.GetInt("vault").value_or(0));
  ports_.hub = static_cast<int>(root.GetInt("hub").value_or(0));
  if (ports_.mender == 0 || ports_.dps == 0 || ports_.vault == 0) {
    throw std::runtime_error("cloudsim ready file lacks ports: " + ReadFileOrEmpty(ready));
  }
}

std::unique_ptr<Subprocess> Stack::StartGateway(const std::string& name, const std::string& mac,
                                                std::map<std::string, std::string> extra_env) {
  std::string dir = GatewayDir(name);
  std::map<std::string, std::string> env = services_->Login(kBootstrapAccount).Env();
  env.merge(std::map<std::string, std::string>{
      // The shortest a gateway accepts: its session holds its credentials while it is away.
      {"GPS_MQTT_SESSION_EXPIRY_S", "60"},
      {"GPS_CLIENT_KEY_PATH", dir + "/mender-agent.pem"},
      {"GPS_CLIENT_GENERATE_KEY", "true"},
      {"GPS_CLIENT_MAC", mac},
      {"GPS_CLIENT_OUTPUT_DIR", dir + "/out"},
      {"GPS_CLIENT_STATE_DIR", dir + "/state"},
      {"GPS_CLIENT_ANNOUNCE_INTERVAL_S", "1"},
      {"GPS_CLIENT_TIMEOUT_S", "120"},
      {"GPS_LOG_LEVEL", log_level_},
      {"GPS_CLIENT_RESTART_COMMAND",
       "echo mender >> " + dir + "/restarts.log\necho iotedge >> " + dir + "/restarts.log"},
  });
  for (auto& [k, v] : extra_env) {
    env[k] = v;
  }
  std::string log = dir_.File("gateway-" + name + ".log");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    logs_.push_back(log);
  }
  std::filesystem::create_directories(dir);
  return std::make_unique<Subprocess>("gateway-" + name,
                                      std::vector<std::string>{Binaries::DeviceClient()}, env, log);
}

// http::Client is one connection for one thread; test threads each get their own.
Result<http::Response> Stack::HttpSend(http::Request request) const {
  if (request.url.rfind(ui_url() + "/", 0) == 0) {
    request.headers.push_back({"Authorization", "Bearer " + ui_api_token_});
  }
  thread_local http::Client client;
  return client.Send(request);
}

Result<http::Response> Stack::Get(const std::string& url) {
  http::Request r;
  r.url = url;
  r.timeout_ms = 20000;
  return HttpSend(r);
}

Result<http::Response> Stack::PostJson(const std::string& url, const std::string& body) {
  http::Request r;
  r.method = "POST";
  r.url = url;
  r.body = body;
  r.headers.push_back({"Content-Type", "application/json"});
  r.timeout_ms = 30000;
  return HttpSend(r);
}

Result<http::Response> Stack::Send(const std::string& method, const std::string& url,
                                   const std::string& body) {
  http::Request r;
  r.method = method;
  r.url = url;
  r.body = body;
  if (!body.empty()) {
    r.headers.push_back({"Content-Type", "application/json"});
  }
  r.timeout_ms = 30000;
  return HttpSend(r);
}

Status Stack::SetCloudFaults(const std::string& service, const std::string& faults_json) {
  std::string url = "http://127.0.0.1:" + std::to_string(ports_.mender) + "/_sim/faults/" + service;
  GPS_ASSIGN_OR_RETURN(http::Response r,
                       faults_json.empty() ? Send("DELETE", url) : Send("PUT", url, faults_json));
  if (r.status != 200 && r.status != 204) {
    return Status::InvalidArgument("cloudsim faults for " + service + ": HTTP " +
                                   std::to_string(r.status) + " " + r.body);
  }
  return Status::Ok();
}

std::vector<DeviceSummary> Stack::ListDevices(const std::string& query) {
  std::vector<DeviceSummary> out;
  Result<http::Response> r = Get(ui_url() + "/api/devices" + query);
  if (!r.ok() || r->status != 200) {
    return out;
  }
  Result<json::Document> doc = json::Parse(r->body, 64 << 20, "device list");
  if (!doc.ok()) {
    return out;
  }
  for (const json::Value& v : doc->Root().AsArray().value_or(std::vector<json::Value>{})) {
    DeviceSummary d;
    d.id = v.GetStringOr("id", "").value_or("");
    d.mac = v.GetStringOr("mac", "").value_or("");
    d.fingerprint = v.GetStringOr("fingerprint", "").value_or("");
    d.last_seen = v.GetStringOr("lastSeen", "").value_or("");
    d.state = v.GetStringOr("state", "").value_or("");
    d.name = v.GetStringOr("name", "").value_or("");
    d.error = v.GetStringOr("error", "", 8192).value_or("");
    out.push_back(std::move(d));
  }
  return out;
}

Result<json::Document> Stack::CloudsimState() {
  GPS_ASSIGN_OR_RETURN(http::Response r,
                       Get("http://127.0.0.1:" + std::to_string(ports_.mender) + "/_sim/state"));
  if (r.status != 200) {
    return Status::Unavailable("cloudsim state: HTTP " + std::to_string(r.status));
  }
  return json::ParseObject(r.body, 64 << 20, "cloudsim state");
}

std::string Stack::Logs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const std::string& path : logs_) {
    std::string text = ReadFileOrEmpty(path);
    if (text.size() > 8000) {
      text = "…" + text.substr(text.size() - 8000);
    }
    out += "==== " + path + "\n" + text + "\n";
  }
  return out;
}

}  // namespace gps::testing
