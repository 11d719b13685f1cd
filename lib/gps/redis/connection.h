#pragma once
// One synchronous connection to Redis (hiredis), with reconnection on the next call after an I/O
// error. Commands are sent as argument vectors, never formatted strings.
// Not thread-safe: use one Connection per thread.

#include <memory>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/redis/reply.h"

struct redisContext;

namespace gps::redis {

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  // AUTH when not empty
  int db = 0;
  Millis timeout_ms = 2000;  // connect and per-command
};

class Connection {
 public:
  explicit Connection(Endpoint endpoint);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects now; later calls reconnect by themselves when needed.
  Status Connect();
  // An error reply is returned as a Reply (IsError), not as a Status; Status is for I/O faults.
  Result<Reply> Command(const std::vector<std::string>& args);
  // Sends all commands, then reads all replies (one round trip).
  Result<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct ContextFree {
    void operator()(redisContext* c) const;
  };
  Status EnsureConnected();
  Status IoError(const std::string& what);

  Endpoint endpoint_;
  std::unique_ptr<redisContext, ContextFree> ctx_;
};

}  // namespace gps::redis
