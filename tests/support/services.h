#pragma once
// The real servers a test needs: Mosquitto and Redis with the project's own configuration
// (deploy/), on free loopback ports.
//
// The broker is the shipped one: a TLS listener where every client logs in with its role's account
// and deploy/mosquitto/acl decides its topics. One test-only addition, never in deploy/: the
// observer account (reads every topic, to watch what crosses the broker). Every test client, the
// component tests' stand-ins for the engine included, logs in with a role's account over TLS.
//
// TestServices uses the Redis scripts/test started (GPS_TEST_REDIS_PORT) when present, else starts
// a private one; a test that must restart a server asks for a private pair. Each TestServices has a
// broker of its own, since a client needs the broker's CA and account passwords. Tests sharing
// Redis stay apart through their own key prefix. Not thread-safe.

#include <map>
#include <memory>
#include <string>

#include "gps/mqtt/client.h"
#include "gps/redis/connection.h"
#include "tests/support/subprocess.h"

namespace gps::testing {

// The source tree (for deploy/ files), set by CMake.
std::string SourceDir();

// The role accounts of deploy/mosquitto/acl (their names are the processes' own).
inline constexpr char kBootstrapAccount[] = "gps-bootstrap";
inline constexpr char kEngineAccount[] = "gps-engine";
inline constexpr char kUiAccount[] = "gps-ui";
// gps-worker-<step>.
std::string WorkerAccount(const std::string& step);
// Test only: may read every topic and write none. Never part of deploy/.
inline constexpr char kObserverAccount[] = "gps-test-observer";

// How a client logs in to the broker's TLS listener as one account.
struct BrokerLogin {
  std::string uri;      // mqtts://127.0.0.1:<port>
  std::string ca_file;  // the local CA that signed the broker's certificate
  std::string username;
  std::string password_file;  // mode 0600, the password alone
  // GPS_MQTT_URI, GPS_MQTT_USERNAME, GPS_MQTT_PASSWORD_FILE and GPS_MQTT_CA_FILE.
  std::map<std::string, std::string> Env() const;
  mqtt::ClientOptions ClientOptions(const std::string& client_id) const;
};

class MosquittoServer {
 public:
  // Starts mosquitto with deploy/mosquitto/mosquitto.conf and deploy/mosquitto/acl on free ports,
  // data in dir, and with the process-wide broker kit (CA, certificate, accounts).
  MosquittoServer(const std::string& dir, int port = 0);
  int port() const { return port_; }  // the TLS listener
  BrokerLogin Login(const std::string& account) const;
  void Restart();  // stop and start again on the same ports, keeping its persistence

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
  int mqtt_port() const { return broker_->port(); }
  BrokerLogin Login(const std::string& account) const { return broker_->Login(account); }
  int redis_port() const { return redis_port_; }
  // How a client of the library reaches that Redis.
  redis::Endpoint redis_endpoint() const {
    redis::Endpoint endpoint;
    endpoint.port = redis_port_;
    return endpoint;
  }
  MosquittoServer* own_broker() { return broker_.get(); }
  RedisServer* own_redis() { return redis_.get(); }

 private:
  std::unique_ptr<MosquittoServer> broker_;
  std::unique_ptr<RedisServer> redis_;
  int redis_port_ = 0;
};

// A short random hex string, for key prefixes and client ids that must not collide.
std::string UniqueSuffix();

}  // namespace gps::testing
