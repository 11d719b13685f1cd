#include "tests/support/services.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
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

void WaitForPort(int port, Subprocess& p) {
  if (!WaitUntil([&] { return PortOpen(port) || !p.Running(); }, std::chrono::seconds(20)) ||
      !p.Running()) {
    throw std::runtime_error(p.name() + " did not start on port " + std::to_string(port) + ":\n" +
                             p.Log());
  }
}

}  // namespace

MosquittoServer::MosquittoServer(const std::string& dir, int port)
    : dir_(dir), port_(port == 0 ? FreePort() : port) {
  Start();
}

void MosquittoServer::Start() {
  std::string conf = ReadFileOrEmpty(SourceDir() + "/deploy/mosquitto/mosquitto.conf");
  if (conf.empty()) {
    throw std::runtime_error("deploy/mosquitto/mosquitto.conf not found");
  }
  conf = std::regex_replace(conf, std::regex("@PORT@"), std::to_string(port_));
  conf = std::regex_replace(conf, std::regex("@DATA_DIR@"), dir_);
  conf = std::regex_replace(conf, std::regex("@USER@"), CurrentUserName());
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

TestServices::TestServices(const std::string& dir, bool private_servers) {
  mqtt_port_ = private_servers ? 0 : EnvPort("GPS_TEST_MQTT_PORT");
  redis_port_ = private_servers ? 0 : EnvPort("GPS_TEST_REDIS_PORT");
  if (mqtt_port_ == 0) {
    broker_ = std::make_unique<MosquittoServer>(dir);
    mqtt_port_ = broker_->port();
  }
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
