#pragma once
// The operator commands waiting for the engine's reply, keyed by their correlation data.
//
// An HTTP thread Register()s a request id before publishing (the reply may come back before the
// publish call returns), then Wait()s; the MQTT consumer thread Complete()s it when the reply
// arrives. Waiting never happens on a Paho thread. Every id is removed by the Wait() that
// registered it, so a late reply finds nothing and is reported as unmatched.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "gps/core/result.h"
#include "gps/protocol/command.h"

namespace gps::ui {

class PendingRequests {
 public:
  using Reply = Result<protocol::CommandReply>;
  using Deadline = std::chrono::steady_clock::time_point;

  // REQUIRES: id is not already registered (ids are random 128-bit values).
  void Register(const std::string& id);
  // Hands the reply to the waiter. False when nobody waits for id (late, foreign or repeated).
  bool Complete(const std::string& id, Reply reply);
  // The reply, or nullopt when the deadline passes first. Removes id either way.
  std::optional<Reply> Wait(const std::string& id, Deadline deadline);
  // Forgets id without waiting (the command was never sent).
  void Cancel(const std::string& id);

  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::optional<Reply>> entries_;
};

}  // namespace gps::ui
