#pragma once
// Sends operator commands to the engine over MQTT 5 request/response and waits for the reply:
// publish OperatorCommand to gps/v1/commands/{approve|dismiss} with RESPONSE_TOPIC
// gps/v1/replies/{instance} and a fresh random CORRELATION_DATA, then wait (at most the timeout)
// for the reply carrying the same correlation data.
//
// Owns the MQTT connection (client id = instance, subscribed to its reply topic) and one consumer
// thread that runs mqtt::Client::Next() and completes waiting requests; Paho's own threads only
// queue events. Thread-safety: Send() may be called from many HTTP threads at once.
// Lifetime: Start() once; Stop() (or the destructor) joins the consumer thread.

#include <atomic>
#include <string>
#include <thread>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/command.h"
#include "ui/commands/pending_requests.h"

namespace gps::ui {

class Commander {
 public:
  // options.client_id must be the instance; options.subscriptions must hold ReplyTopic(instance).
  Commander(mqtt::ClientOptions options, std::string instance, Millis timeout_ms);
  ~Commander();
  Commander(const Commander&) = delete;
  Commander& operator=(const Commander&) = delete;

  // Connects and subscribes, then starts the consumer thread. Unavailable when the broker cannot
  // be reached.
  Status Start();
  void Stop();

  // The engine's reply; DeadlineExceeded when none came within the timeout; Unavailable when the
  // broker did not take the command; InvalidArgument when the reply could not be parsed.
  Result<protocol::CommandReply> Send(const protocol::OperatorCommand& command);

  bool IsConnected() const;
  Millis timeout_ms() const { return timeout_ms_; }
  const std::string& reply_topic() const { return reply_topic_; }

 private:
  void Consume();

  mqtt::Client client_;
  std::string instance_;
  std::string reply_topic_;
  Millis timeout_ms_;
  PendingRequests pending_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::thread consumer_;
};

}  // namespace gps::ui
