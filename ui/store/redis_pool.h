#pragma once
// A small pool of Redis connections for the HTTP threads: redis::Connection is not thread-safe,
// so each request borrows one for its duration and gives it back. Connections are made on demand
// (and reconnect by themselves after an I/O error); at most max_idle are kept between requests.
// Thread-safe. Lifetime: every Lease must be returned (destroyed) before the pool.

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "gps/redis/connection.h"

namespace gps::ui {

class RedisPool {
 public:
  RedisPool(redis::Endpoint endpoint, std::size_t max_idle);
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  class Lease {
   public:
    Lease(RedisPool* pool, std::unique_ptr<redis::Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    redis::Connection& operator*() { return *conn_; }
    redis::Connection* operator->() { return conn_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<redis::Connection> conn_;
  };

  Lease Acquire();

 private:
  void Return(std::unique_ptr<redis::Connection> conn);

  redis::Endpoint endpoint_;
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<redis::Connection>> idle_;
};

}  // namespace gps::ui
