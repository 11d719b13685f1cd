#include "ui/store/redis_pool.h"

namespace gps::ui {

RedisPool::RedisPool(redis::Endpoint endpoint, std::size_t max_idle)
    : endpoint_(std::move(endpoint)), max_idle_(max_idle) {}

RedisPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) {
    pool_->Return(std::move(conn_));
  }
}

RedisPool::Lease RedisPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<redis::Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Connects lazily on its first command, outside the lock.
  return Lease(this, std::make_unique<redis::Connection>(endpoint_));
}

void RedisPool::Return(std::unique_ptr<redis::Connection> conn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < max_idle_) {
    idle_.push_back(std::move(conn));
  }
}

}  // namespace gps::ui
