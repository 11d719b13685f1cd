#pragma once
// Records every message one MQTT client receives while it lives: the tests' eyes on the broker
// (an observer that may read everything, or a rogue client that should see nothing).
// Thread-safety: Messages() may be called from any thread; the recorder consumes on its own.
// Lifetime: the destructor stops the consuming thread and disconnects.

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gps/core/status.h"
#include "gps/mqtt/client.h"

namespace gps::testing {

class MessageRecorder {
 public:
  explicit MessageRecorder(mqtt::ClientOptions options);
  ~MessageRecorder();
  MessageRecorder(const MessageRecorder&) = delete;
  MessageRecorder& operator=(const MessageRecorder&) = delete;

  // Connects and subscribes; records from then on. The broker's refusal of a subscription is
  // PermissionDenied (the connection stays up).
  Status Start();
  std::vector<mqtt::Message> Messages() const;

 private:
  mqtt::Client client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<mqtt::Message> messages_;
};

}  // namespace gps::testing
