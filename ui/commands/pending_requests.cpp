#include "ui/commands/pending_requests.h"

namespace gps::ui {

void PendingRequests::Register(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[id] = std::nullopt;
}

bool PendingRequests::Complete(const std::string& id, Reply reply) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.has_value()) {
      return false;
    }
    it->second = std::move(reply);
  }
  cv_.notify_all();
  return true;
}

std::optional<PendingRequests::Reply> PendingRequests::Wait(const std::string& id,
                                                            Deadline deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto ready = [&] {
    auto it = entries_.find(id);
    return it == entries_.end() || it->second.has_value();
  };
  cv_.wait_until(lock, deadline, ready);
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  std::optional<Reply> out = std::move(it->second);
  entries_.erase(it);
  return out;
}

void PendingRequests::Cancel(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(id);
}

std::size_t PendingRequests::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace gps::ui
