#include "ui/commands/commander.h"

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/topics.h"

namespace gps::ui {

namespace {

// How long the consumer waits for an event before it looks at the stop flag again.
constexpr Millis kPollMs = 200;

}  // namespace

Commander::Commander(mqtt::ClientOptions options, std::string instance, Millis timeout_ms)
    : client_(std::move(options)),
      instance_(std::move(instance)),
      reply_topic_(protocol::ReplyTopic(instance_)),
      timeout_ms_(timeout_ms) {}

Commander::~Commander() { Stop(); }

Status Commander::Start() {
  GPS_RETURN_IF_ERROR(client_.Connect());
  connected_ = true;
  consumer_ = std::thread([this] { Consume(); });
  return Status::Ok();
}

void Commander::Stop() {
  stop_ = true;
  if (consumer_.joinable()) {
    consumer_.join();
  }
  client_.Disconnect();
  connected_ = false;
}

bool Commander::IsConnected() const { return connected_ && client_.IsConnected(); }

void Commander::Consume() {
  while (!stop_) {
    std::optional<mqtt::Event> event = client_.Next(kPollMs);
    if (!event) {
      continue;
    }
    if (event->kind == mqtt::EventKind::kConnectionLost) {
      connected_ = false;
      metrics::Inc("ui.broker_connection_lost");
      log::Warn("broker connection lost; reconnecting", {{"err", event->detail}});
      continue;
    }
    if (event->kind == mqtt::EventKind::kConnected) {
      connected_ = true;
      log::Info("broker connection (re)established");
      continue;
    }
    const mqtt::Message& m = event->message;
    if (m.topic != reply_topic_) {
      metrics::Inc("ui.messages_unexpected");
      continue;
    }
    Result<protocol::CommandReply> reply = protocol::ParseReply(m.payload);
    if (!reply.ok()) {
      metrics::Inc("ui.replies_invalid");
      log::Warn("unreadable reply from the engine", {{"err", reply.status().ToString()}});
    }
    if (!pending_.Complete(m.correlation_data, std::move(reply))) {
      // A reply to a request that timed out, or to one a previous run of this instance sent
      // (the broker keeps the session): nobody is waiting for it any more.
      metrics::Inc("ui.replies_unmatched");
      log::Info("reply for no waiting request",
                {{"request_id", crypto::HexEncode(m.correlation_data.substr(0, 64))}});
    }
  }
}

Result<protocol::CommandReply> Commander::Send(const protocol::OperatorCommand& command) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
  Result<std::string> random = crypto::RandomBytes(16);
  if (!random.ok()) {
    return random.status().WithContext("request id");
  }
  const std::string request_id = crypto::HexEncode(*random);

  mqtt::Message m;
  m.topic = protocol::CommandTopic(protocol::CommandName(command.kind));
  m.payload = protocol::EncodeCommand(command);
  m.qos = 1;
  m.response_topic = reply_topic_;
  m.correlation_data = request_id;

  pending_.Register(request_id);
  metrics::Inc("ui.commands_sent");
  Status published = client_.Publish(m, timeout_ms_);
  if (!published.ok()) {
    pending_.Cancel(request_id);
    metrics::Inc("ui.commands_not_published");
    return Status::Unavailable("the message broker did not take the command (" +
                               published.message() + "); it may not have been sent");
  }
  std::optional<Result<protocol::CommandReply>> reply = pending_.Wait(request_id, deadline);
  if (!reply) {
    metrics::Inc("ui.command_timeouts");
    return Status::DeadlineExceeded("no reply to request " + request_id + " within " +
                                    std::to_string(timeout_ms_) + " ms");
  }
  return std::move(*reply);
}

}  // namespace gps::ui
