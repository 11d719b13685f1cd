#include "tests/support/services.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>

namespace gps::testing {

std::string SourceDir() { return GPS_SOURCE_DIR; }

namespace {

// Mosquitto started as root switches to its `user`; it must stay the owner of its data directory.
std::string CurrentUserName() {
  const passwd* pw = getpwuid(geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

int EnvPort(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? 0 : std::atoi(v);
}

// One kit (CA, broker certificate, accounts) for every broker of the test process: making one
// takes about a second, and nothing a test checks depends on whose kit it is.
const std::string& KitDir() {
  static TempDir dir("gps-broker-kit");
  static const bool made = [] {
    Subprocess script("make-broker-kit",
                      {"/bin/bash", SourceDir() + "/deploy/mosquitto/make-broker-kit.sh",
                       dir.path(), kObserverAccount},
                      {}, dir.File("make-broker-kit.log"));
    std::optional<int> code = script.Wait(std::chrono::seconds(60));
    if (code != 0) {
      throw std::runtime_error("deploy/mosquitto/make-broker-kit.sh failed:\n" + script.Log());
    }
    return true;
  }();
  (void)made;
  return dir.path();
}

// The shipped ACL plus the test-only observer.
constexpr char kObserverAcl[] = R"(
# Test only: the observer reads every topic, to check what crosses the broker.
user gps-test-observer
topic read #
)";

std::string Render(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    text = std::regex_replace(text, std::regex(key), value);
  }
  return text;
}

void WaitForPort(int port, Subprocess& p) {
  if (!WaitUntil([&] { return PortOpen(port) || !p.Running(); }, std::chrono::seconds(20)) ||
      !p.Running()) {
    throw std::runtime_error(p.name() + " did not start on port " + std::to_string(port) + ":\n" +
                             p.Log());
  }
}

}  // namespace

std::string WorkerAccount(const std::string& step) { return "gps-worker-" + step; }

std::map<std::string, std::string> BrokerLogin::Env() const {
  return {{"GPS_MQTT_URI", uri},
          {"GPS_MQTT_USERNAME", username},
          {"GPS_MQTT_PASSWORD_FILE", password_file},
          {"GPS_MQTT_CA_FILE", ca_file}};
}

mqtt::ClientOptions BrokerLogin::ClientOptions(const std::string& client_id) const {
  mqtt::ClientOptions o;
  o.uri = uri;
  o.client_id = client_id;
  o.username = username;
  o.password = ReadFileOrEmpty(password_file);
  while (!o.password.empty() && o.password.back() == '\n') {
    o.password.pop_back();
  }
  o.ca_file = ca_file;
  o.clean_start = true;
  o.session_expiry_s = 0;
  return o;
}

MosquittoServer::MosquittoServer(const std::string& dir, int port)
    : dir_(dir), port_(port == 0 ? FreePort() : port) {
  Start();
}

BrokerLogin MosquittoServer::Login(const std::string& account) const {
  return BrokerLogin{"mqtts://127.0.0.1:" + std::to_string(port_), KitDir() + "/ca.crt", account,
                     KitDir() + "/secrets/" + account + ".password"};
}

void MosquittoServer::Start() {
  std::string conf = ReadFileOrEmpty(SourceDir() + "/deploy/mosquitto/mosquitto.conf");
  std::string acl = ReadFileOrEmpty(SourceDir() + "/deploy/mosquitto/acl");
  if (conf.empty() || acl.empty()) {
    throw std::runtime_error("deploy/mosquitto/mosquitto.conf or deploy/mosquitto/acl not found");
  }
  std::filesystem::create_directories(dir_);
  std::string acl_path = dir_ + "/acl";
  std::ofstream(acl_path) << acl << kObserverAcl;
  conf = Render(conf, {{"@PORT@", std::to_string(port_)},
                       {"@BIND@", "127.0.0.1"},
                       {"@KIT_DIR@", KitDir()},
                       {"@ACL_FILE@", acl_path},
                       {"@DATA_DIR@", dir_},
                       {"@USER@", CurrentUserName()}});
  std::string conf_path = dir_ + "/mosquitto.conf";
  std::ofstream(conf_path) << conf;
  process_ = std::make_unique<Subprocess>(
      "mosquitto", std::vector<std::string>{"/usr/sbin/mosquitto", "-c", conf_path},
      std::map<std::string, std::string>{}, dir_ + "/mosquitto.log");
  WaitForPort(port_, *process_);
}

void MosquittoServer::Restart() {
  process_->Stop();
  process_.reset();
  Start();
}

RedisServer::RedisServer(const std::string& dir, int port)
    : dir_(dir), port_(port == 0 ? FreePort() : port) {
  Start();
}

void RedisServer::Start() {
  process_ = std::make_unique<Subprocess>(
      "redis-server",
      std::vector<std::string>{"/usr/bin/redis-server", SourceDir() + "/deploy/redis/redis.conf",
                               "--port", std::to_string(port_), "--dir", dir_},
      std::map<std::string, std::string>{}, dir_ + "/redis.log");
  WaitForPort(port_, *process_);
}

void RedisServer::Restart() {
  process_->Stop();
  process_.reset();
  Start();
}

TestServices::TestServices(const std::string& dir, bool private_servers)
    : broker_(std::make_unique<MosquittoServer>(dir)) {
  redis_port_ = private_servers ? 0 : EnvPort("GPS_TEST_REDIS_PORT");
  if (redis_port_ == 0) {
    redis_ = std::make_unique<RedisServer>(dir);
    redis_port_ = redis_->port();
  }
}

std::string UniqueSuffix() {
  static std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  std::uint64_t v = rng();
  for (int i = 0; i < 10; ++i) {
    out += kHex[v & 15];
    v >>= 4;
  }
  return out;
}

}  // namespace gps::testing
