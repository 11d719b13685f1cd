#include "gps/mqtt/client.h"

#include <MQTTAsync.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "gps/mqtt/paho_request.h"

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

namespace {

using paho::AddInteger;
using paho::AddText;
using paho::Completion;
using paho::OnFailure;
using paho::OnSubscribed;
using paho::OnSuccess;
using paho::OwnedProperties;
using paho::PropertyText;
using paho::Request;

Status RefusedPublish(const std::string& topic, int reason_code) {
  return Status::PermissionDenied("MQTT publish to " + topic +
                                  " refused by the broker (reason code " +
                                  std::to_string(reason_code) + ")");
}

}  // namespace

struct Client::Impl {
  MQTTAsync handle = nullptr;
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<Event> events;
  // Set by Disconnect(): from then on Paho's callbacks queue nothing.
  std::atomic<bool> closed{false};
  // Connections seen by the handler, and the one the current subscriptions were made for.
  std::atomic<int> connection_count{0};
  int subscribed_for = -1;
  bool disconnected = false;
  bool disconnect_finished = false;
  // The first connect's answer. Paho keeps a connect's callbacks for its automatic reconnects,
  // so their context is this object, which lives as long as the Paho client.
  Completion connect_done;

  void Push(Event e) {
    if (closed) {
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(std::move(e));
    }
    cv.notify_one();
  }

  static void Connected(void* context, char* /*cause*/) {
    auto* impl = static_cast<Impl*>(context);
    impl->connection_count.fetch_add(1);
    Event e;
    e.kind = EventKind::kConnected;
    impl->Push(std::move(e));
  }

  static void ConnectionLost(void* context, char* cause) {
    Event e;
    e.kind = EventKind::kConnectionLost;
    e.detail = (cause && *cause) ? cause : "connection lost";
    static_cast<Impl*>(context)->Push(std::move(e));
  }

  static int MessageArrived(void* context, char* topic, int topic_len, MQTTAsync_message* m) {
    Event e;
    e.kind = EventKind::kMessage;
    e.message.topic = topic_len > 0 ? std::string(topic, static_cast<std::size_t>(topic_len))
                                    : std::string(topic);
    e.message.payload.assign(static_cast<const char*>(m->payload),
                             static_cast<std::size_t>(m->payloadlen));
    e.message.qos = m->qos;
    e.message.retained = m->retained != 0;
    e.message.response_topic = PropertyText(&m->properties, MQTTPROPERTY_CODE_RESPONSE_TOPIC);
    e.message.correlation_data = PropertyText(&m->properties, MQTTPROPERTY_CODE_CORRELATION_DATA);
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    static_cast<Impl*>(context)->Push(std::move(e));
    return 1;  // taken: Paho must not deliver it again
  }

  static void ConnectSucceeded(void* context, MQTTAsync_successData5* /*response*/) {
    static_cast<Impl*>(context)->connect_done.Finish(true, MQTTASYNC_SUCCESS, 0, {}, nullptr);
  }

  static void ConnectFailed(void* context, MQTTAsync_failureData5* response) {
    static_cast<Impl*>(context)->connect_done.Finish(
        false, response ? response->code : MQTTASYNC_FAILURE,
        response ? static_cast<int>(response->reasonCode) : 0, {},
        response ? response->message : nullptr);
  }
};

Client::Client(ClientOptions options) : options_(std::move(options)) {}

Status Client::Connect() {
  std::string uri;
  GPS_RETURN_IF_ERROR(NormaliseUri(options_.uri, &uri));
  if (options_.client_id.empty()) {
    return Status::InvalidArgument("MQTT client id is empty");
  }
  const std::string context = "MQTT connect to " + options_.uri + " as " + options_.client_id;
  // A connect after a failed one starts from a fresh Paho client.
  ReleasePahoClient();
  impl_ = std::make_unique<Impl>();

  MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer5;
  // No client-side persistence: a process that restarts relies on the broker's session and on
  // the saga's own redelivery, not on files in its working directory.
  int rc = MQTTAsync_createWithOptions(&impl_->handle, uri.c_str(), options_.client_id.c_str(),
                                       MQTTCLIENT_PERSISTENCE_NONE, nullptr, &create);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::InvalidArgument(context + ": " + MQTTAsync_strerror(rc));
  }
  Impl* impl = impl_.get();
  MQTTAsync_setCallbacks(impl->handle, impl, Impl::ConnectionLost, Impl::MessageArrived, nullptr);
  MQTTAsync_setConnected(impl->handle, impl, Impl::Connected);

  OwnedProperties props;
  AddInteger(&props.props, MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL, options_.session_expiry_s);
  MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer5;
  o.cleanstart = options_.clean_start ? 1 : 0;
  o.connectProperties = &props.props;
  o.keepAliveInterval = options_.keepalive_s;
  o.connectTimeout = options_.connect_timeout_s;
  o.automaticReconnect = 1;
  o.minRetryInterval = options_.reconnect_min_s;
  o.maxRetryInterval = options_.reconnect_max_s;
  o.onSuccess5 = Impl::ConnectSucceeded;
  o.onFailure5 = Impl::ConnectFailed;
  o.context = impl;
  if (!options_.username.empty()) {
    o.username = options_.username.c_str();
    o.password = options_.password.c_str();
  }
  MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
  if (uri.rfind("ssl://", 0) == 0) {
    ssl.trustStore = options_.ca_file.empty() ? nullptr : options_.ca_file.c_str();
    ssl.enableServerCertAuth = 1;
    ssl.verify = 1;  // the host name too
    o.ssl = &ssl;
  }
  rc = MQTTAsync_connect(impl->handle, &o);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::Unavailable(context + ": " + MQTTAsync_strerror(rc));
  }
  if (!impl->connect_done.WaitFor(std::chrono::seconds(options_.connect_timeout_s + 1))) {
    return Status::Unavailable(context + " timed out");
  }
  if (!impl->connect_done.ok) {
    return Status::Unavailable(context + ": " + impl->connect_done.Describe());
  }
  return Subscribe();
}

Status Client::Subscribe() {
  int connection = impl_->connection_count.load();
  if (options_.subscriptions.empty()) {
    impl_->subscribed_for = connection;
    return Status::Ok();
  }
  std::vector<char*> filters;
  std::vector<int> qos;
  for (const Subscription& s : options_.subscriptions) {
    filters.push_back(const_cast<char*>(s.filter.c_str()));  // Paho copies them
    qos.push_back(s.qos);
  }
  Request request;
  request.completion->filters = static_cast<int>(filters.size());
  MQTTAsync_responseOptions o = request.Options();
  o.onSuccess5 = OnSubscribed;
  int rc = MQTTAsync_subscribeMany(impl_->handle, static_cast<int>(filters.size()), filters.data(),
                                   qos.data(), &o);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::Unavailable(std::string("MQTT subscribe: ") + MQTTAsync_strerror(rc));
  }
  request.Release();
  Completion& done = *request.completion;
  if (!done.WaitFor(std::chrono::seconds(options_.connect_timeout_s))) {
    return Status::Unavailable("MQTT subscribe timed out");
  }
  std::vector<int> reasons = done.reason_codes;
  if (reasons.empty()) {
    reasons.push_back(done.reason_code);
  }
  for (int reason : reasons) {
    if (reason >= 0x80) {
      return Status::PermissionDenied("MQTT subscribe refused by the broker (reason code " +
                                      std::to_string(reason) + ")");
    }
  }
  if (!done.ok) {
    return Status::Unavailable("MQTT subscribe: " + done.Describe());
  }
  impl_->subscribed_for = connection;
  return Status::Ok();
}

std::optional<Event> Client::Next(Millis timeout_ms) {
  if (!impl_) {
    return std::nullopt;
  }
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
  if (!impl_ || !impl_->handle) {
    return Status::FailedPrecondition("MQTT publish before connect");
  }
  OwnedProperties props;
  if (!message.response_topic.empty()) {
    AddText(&props.props, MQTTPROPERTY_CODE_RESPONSE_TOPIC, message.response_topic);
  }
  if (!message.correlation_data.empty()) {
    AddText(&props.props, MQTTPROPERTY_CODE_CORRELATION_DATA, message.correlation_data);
  }
  if (message.message_expiry_s > 0) {
    AddInteger(&props.props, MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL, message.message_expiry_s);
  }
  MQTTAsync_message m = MQTTAsync_message_initializer;
  m.payload = const_cast<char*>(message.payload.data());  // Paho copies it
  m.payloadlen = static_cast<int>(message.payload.size());
  m.qos = message.qos;
  m.retained = message.retained ? 1 : 0;
  m.properties = props.props;

  Request request;
  MQTTAsync_responseOptions o = request.Options();
  int rc = MQTTAsync_sendMessage(impl_->handle, message.topic.c_str(), &m, &o);
  if (rc != MQTTASYNC_SUCCESS) {
    return Status::Unavailable("MQTT publish to " + message.topic + ": " + MQTTAsync_strerror(rc));
  }
  request.Release();
  if (message.qos == 0) {
    return Status::Ok();
  }
  Completion& done = *request.completion;
  if (!done.WaitFor(std::chrono::milliseconds(timeout_ms))) {
    return Status::Unavailable("MQTT publish to " + message.topic + " not acknowledged within " +
                               std::to_string(timeout_ms) + " ms");
  }
  // A PUBACK with a failure reason code (0x87: the ACL refused it) is the broker's answer, not a
  // lost connection, and retrying it cannot succeed.
  if (done.reason_code >= 0x80) {
    return RefusedPublish(message.topic, done.reason_code);
  }
  if (!done.ok) {
    return Status::Unavailable("MQTT publish to " + message.topic + ": " + done.Describe());
  }
  return Status::Ok();
}

bool Client::IsConnected() const {
  return impl_ && impl_->handle && MQTTAsync_isConnected(impl_->handle);
}

void Client::Disconnect() {
  if (!impl_ || !impl_->handle || impl_->disconnected) {
    return;
  }
  impl_->disconnected = true;
  impl_->closed = true;  // no handler may queue into this object once it is being let go
  bool finished = true;
  if (MQTTAsync_isConnected(impl_->handle)) {
    Request request;
    MQTTAsync_disconnectOptions o = MQTTAsync_disconnectOptions_initializer5;
    o.timeout = 2000;
    o.onSuccess5 = OnSuccess;
    o.onFailure5 = OnFailure;
    o.context = request.context.get();
    if (MQTTAsync_disconnect(impl_->handle, &o) == MQTTASYNC_SUCCESS) {
      request.Release();
      finished = request.completion->WaitFor(std::chrono::seconds(3));
    }
    // Otherwise already gone: the broker keeps the session until it expires either way.
  }
  impl_->disconnect_finished = finished;
}

void Client::ReleasePahoClient() {
  if (!impl_ || !impl_->handle) {
    impl_.reset();
    return;
  }
  Disconnect();
  if (impl_->disconnect_finished) {
    MQTTAsync_destroy(&impl_->handle);
    impl_.reset();
  } else {
    // Paho C frees a client's structures under its own threads; destroying a client whose
    // disconnect is still under way races them. Both are left to the process's end.
    static_cast<void>(impl_.release());
  }
}

Client::~Client() { ReleasePahoClient(); }

}  // namespace gps::mqtt
