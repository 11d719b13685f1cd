#pragma once
// The real servers a test needs: Mosquitto and Redis with the project's own configuration
// (deploy/), on free loopback ports.
//
// TestServices uses the pair scripts/test started (GPS_TEST_MQTT_PORT, GPS_TEST_REDIS_PORT) when
// present, else starts a private pair; a test that must restart a server asks for a private one.
// Tests sharing the pair stay apart through their own Redis key prefix and client ids.
// Not thread-safe.

#include <memory>
#include <string>

#include "tests/support/subprocess.h"

namespace gps::testing {

// The source tree (for deploy/ files), set by CMake.
std::string SourceDir();

class MosquittoServer {
 public:
  // Starts mosquitto with deploy/mosquitto/mosquitto.conf on a free port, data in dir.
  MosquittoServer(const std::string& dir, int port = 0);
  int port() const { return port_; }
  std::string uri() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }
  void Restart();  // stop and start again on the same port, keeping its persistence

 private:
  void Start();
  std::string dir_;
  int port_;
  std::unique_ptr<Subprocess> process_;
};

class RedisServer {
 public:
  // Starts redis-server with deploy/redis/redis.conf (AOF on) on a free port, data in dir.
  RedisServer(const std::string& dir, int port = 0);
  int port() const { return port_; }
  void Restart();

 private:
  void Start();
  std::string dir_;
  int port_;
  std::unique_ptr<Subprocess> process_;
};

class TestServices {
 public:
  // private_servers: always start a pair of our own.
  explicit TestServices(const std::string& dir, bool private_servers = false);
  std::string mqtt_uri() const { return "mqtt://127.0.0.1:" + std::to_string(mqtt_port_); }
  int mqtt_port() const { return mqtt_port_; }
  int redis_port() const { return redis_port_; }
  MosquittoServer* own_broker() { return broker_.get(); }
  RedisServer* own_redis() { return redis_.get(); }

 private:
  std::unique_ptr<MosquittoServer> broker_;
  std::unique_ptr<RedisServer> redis_;
  int mqtt_port_ = 0;
  int redis_port_ = 0;
};

// A short random hex string, for key prefixes and client ids that must not collide.
std::string UniqueSuffix();

}  // namespace gps::testing
