#include "gps/mqtt/client.h"

#include <mqtt/async_client.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace gps::mqtt {

Status NormaliseUri(const std::string& uri, std::string* out) {
  auto starts = [&](std::string_view p) { return uri.rfind(p, 0) == 0; };
  if (starts("tcp://") || starts("ssl://")) {
    *out = uri;
  } else if (starts("mqtt://")) {
    *out = "tcp://" + uri.substr(7);
  } else if (starts("mqtts://")) {
    *out = "ssl://" + uri.substr(8);
  } else {
    return Status::InvalidArgument("broker URI '" + uri +
                                   "' must start with mqtt://, mqtts://, tcp:// or ssl://");
  }
  return Status::Ok();
}

struct Client::Impl {
  std::unique_ptr<::mqtt::async_client> client;
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<Event> events;
  std::atomic<bool> connected{false};
  // Connections seen by the handler, and the one the current subscriptions were made for.
  std::atomic<int> connection_count{0};
  int subscribed_for = -1;
  bool disconnected = false;
  bool disconnect_finished = false;

  void Push(Event e) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(std::move(e));
    }
    cv.notify_one();
  }
};

namespace {

Message FromPaho(const ::mqtt::const_message_ptr& m) {
  Message out;
  out.topic = m->get_topic();
  out.payload = m->get_payload_str();
  out.qos = m->get_qos();
  out.retained = m->is_retained();
  const ::mqtt::properties& props = m->get_properties();
  if (props.contains(::mqtt::property::RESPONSE_TOPIC)) {
    out.response_topic = ::mqtt::get<std::string>(props, ::mqtt::property::RESPONSE_TOPIC);
  }
  if (props.contains(::mqtt::property::CORRELATION_DATA)) {
    out.correlation_data = ::mqtt::get<std::string>(props, ::mqtt::property::CORRELATION_DATA);
  }
  return out;
}

Status FromException(std::string_view what, const ::mqtt::exception& e) {
  return Status::Unavailable(std::string(what) + ": " + e.what());
}

Status RefusedPublish(const std::string& topic, int reason_code) {
  return Status::PermissionDenied("MQTT publish to " + topic +
                                  " refused by the broker (reason code " +
                                  std::to_string(reason_code) + ")");
}

}  // namespace

Client::Client(ClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

Status Client::Connect() {
  std::string uri;
  GPS_RETURN_IF_ERROR(NormaliseUri(options_.uri, &uri));
  if (options_.client_id.empty()) {
    return Status::InvalidArgument("MQTT client id is empty");
  }
  try {
    ::mqtt::create_options create(MQTTVERSION_5);
    // No client-side persistence: a process that restarts relies on the broker's session and on
    // the saga's own redelivery, not on files in its working directory.
    impl_->client =
        std::make_unique<::mqtt::async_client>(uri, options_.client_id, create, nullptr);
    impl_->disconnected = false;
    impl_->disconnect_finished = false;
    Impl* impl = impl_.get();
    impl_->client->set_connected_handler([impl](const std::string&) {
      impl->connected = true;
      impl->connection_count.fetch_add(1);
      Event e;
      e.kind = EventKind::kConnected;
      impl->Push(std::move(e));
    });
    impl_->client->set_connection_lost_handler([impl](const std::string& cause) {
      impl->connected = false;
      Event e;
      e.kind = EventKind::kConnectionLost;
      e.detail = cause.empty() ? "connection lost" : cause;
      impl->Push(std::move(e));
    });
    impl_->client->set_message_callback([impl](::mqtt::const_message_ptr m) {
      Event e;
      e.kind = EventKind::kMessage;
      e.message = FromPaho(m);
      impl->Push(std::move(e));
    });

    ::mqtt::properties props;
    props.add(::mqtt::property(::mqtt::property::SESSION_EXPIRY_INTERVAL,
                               static_cast<int32_t>(options_.session_expiry_s)));
    auto builder = ::mqtt::connect_options_builder()
                       .mqtt_version(MQTTVERSION_5)
                       .clean_start(options_.clean_start)
                       .properties(props)
                       .keep_alive_interval(std::chrono::seconds(options_.keepalive_s))
                       .connect_timeout(std::chrono::seconds(options_.connect_timeout_s))
                       .automatic_reconnect(std::chrono::seconds(options_.reconnect_min_s),
                                            std::chrono::seconds(options_.reconnect_max_s));
    if (!options_.username.empty()) {
      builder.user_name(options_.username);
      builder.password(options_.password);
    }
    if (uri.rfind("ssl://", 0) == 0) {
      ::mqtt::ssl_options ssl;
      if (!options_.ca_file.empty()) {
        ssl.set_trust_store(options_.ca_file);
      }
      ssl.set_enable_server_cert_auth(true);
      ssl.set_verify(true);
      builder.ssl(ssl);
    }
    auto token = impl_->client->connect(builder.finalize());
    if (!token->wait_for(std::chrono::seconds(options_.connect_timeout_s + 1))) {
      return Status::Unavailable("MQTT connect to " + options_.uri + " timed out");
    }
  } catch (const ::mqtt::exception& e) {
    return FromException("MQTT connect to " + options_.uri + " as " + options_.client_id, e);
  }
  impl_->connected = true;
  return Subscribe();
}

Status Client::Subscribe() {
  int connection = impl_->connection_count.load();
  if (options_.subscriptions.empty()) {
    impl_->subscribed_for = connection;
    return Status::Ok();
  }
  try {
    auto filters = std::make_shared<::mqtt::string_collection>();
    std::vector<int> qos;
    for (const Subscription& s : options_.subscriptions) {
      filters->push_back(s.filter);
      qos.push_back(s.qos);
    }
    // No per-filter subscribe_options: Paho C++ 1.2 reads past them for more than one filter.
    auto token = impl_->client->subscribe(filters, qos);
    if (!token->wait_for(std::chrono::seconds(options_.connect_timeout_s))) {
      return Status::Unavailable("MQTT subscribe timed out");
    }
    ::mqtt::subscribe_response response = token->get_subscribe_response();
    for (auto rc : response.get_reason_codes()) {
      if (rc >= 0x80) {
        return Status::PermissionDenied("MQTT subscribe refused by the broker (reason code " +
                                        std::to_string(static_cast<int>(rc)) + ")");
      }
    }
  } catch (const ::mqtt::exception& e) {
    return FromException("MQTT subscribe", e);
  }
  impl_->subscribed_for = connection;
  return Status::Ok();
}

std::optional<Event> Client::Next(Millis timeout_ms) {
  Event e;
  {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    if (!impl_->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return !impl_->events.empty(); })) {
      return std::nullopt;
    }
    e = std::move(impl_->events.front());
    impl_->events.pop_front();
  }
  if (e.kind == EventKind::kConnected && impl_->subscribed_for < impl_->connection_count.load()) {
    Status st = Subscribe();
    if (!st.ok()) {
      e.kind = EventKind::kConnectionLost;
      e.detail = st.ToString();
    }
  }
  return e;
}

Status Client::Publish(const Message& message, Millis timeout_ms) {
  if (!impl_->client) {
    return Status::FailedPrecondition("MQTT publish before connect");
  }
  try {
    ::mqtt::properties props;
    if (!message.response_topic.empty()) {
      props.add(::mqtt::property(::mqtt::property::RESPONSE_TOPIC, message.response_topic));
    }
    if (!message.correlation_data.empty()) {
      props.add(::mqtt::property(::mqtt::property::CORRELATION_DATA, message.correlation_data));
    }
    if (message.message_expiry_s > 0) {
      props.add(::mqtt::property(::mqtt::property::MESSAGE_EXPIRY_INTERVAL,
                                 static_cast<int32_t>(message.message_expiry_s)));
    }
    auto msg = ::mqtt::message::create(message.topic, message.payload, message.qos,
                                       message.retained, props);
    auto token = impl_->client->publish(msg);
    if (message.qos > 0 && !token->wait_for(std::chrono::milliseconds(timeout_ms))) {
      return Status::Unavailable("MQTT publish to " + message.topic + " not acknowledged within " +
                                 std::to_string(timeout_ms) + " ms");
    }
    if (int rc = token->get_reason_code(); rc >= 0x80) {
      return RefusedPublish(message.topic, rc);
    }
  } catch (const ::mqtt::exception& e) {
    // Paho reports a PUBACK with a failure reason code (0x87: the ACL refused it) by throwing;
    // that is the broker's answer, not a lost connection, and retrying it cannot succeed.
    if (e.get_reason_code() >= 0x80) {
      return RefusedPublish(message.topic, e.get_reason_code());
    }
    return FromException("MQTT publish to " + message.topic, e);
  }
  return Status::Ok();
}

bool Client::IsConnected() const { return impl_->client && impl_->client->is_connected(); }

void Client::Disconnect() {
  if (!impl_ || !impl_->client || impl_->disconnected) {
    return;
  }
  impl_->disconnected = true;
  bool finished = true;
  try {
    // No handler may run into this object once it is being let go.
    impl_->client->disable_callbacks();
    if (impl_->client->is_connected()) {
      finished = impl_->client->disconnect()->wait_for(std::chrono::seconds(2));
    }
  } catch (const ::mqtt::exception&) {
    // Already gone: the broker keeps the session until it expires either way.
  }
  impl_->disconnect_finished = finished;
}

Client::~Client() {
  Disconnect();
  if (!impl_ || !impl_->client) {
    return;
  }
  if (impl_->disconnect_finished) {
    impl_->client.reset();
  } else {
    // Paho C frees a client's structures under its own threads; destroying a client whose
    // disconnect is still under way races them. Left to the process's end.
    static_cast<void>(impl_->client.release());
  }
}

}  // namespace gps::mqtt
