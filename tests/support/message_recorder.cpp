#include "tests/support/message_recorder.h"

namespace gps::testing {

MessageRecorder::MessageRecorder(mqtt::ClientOptions options) : client_(std::move(options)) {}

MessageRecorder::~MessageRecorder() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status MessageRecorder::Start() {
  Status connected = client_.Connect();
  if (!connected.ok() && !connected.IsPermissionDenied()) {
    return connected;
  }
  thread_ = std::thread([this] {
    while (!stop_) {
      std::optional<mqtt::Event> e = client_.Next(100);
      if (e && e->kind == mqtt::EventKind::kMessage) {
        std::lock_guard<std::mutex> lock(mutex_);
        messages_.push_back(e->message);
      }
    }
  });
  return connected;
}

std::vector<mqtt::Message> MessageRecorder::Messages() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return messages_;
}

}  // namespace gps::testing
