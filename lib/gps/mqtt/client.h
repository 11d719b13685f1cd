#pragma once
// MQTT 5 client for every gps process: the only place that includes Paho. It is built on the
// Paho C asynchronous API, which the gateway client links statically (see
// docs/device-client-footprint.md); Debian ships no static Paho C++ library.
//
// Paho's callbacks only push events onto our own queue; the owner consumes them with Next() on its
// own thread and never blocks a Paho thread. Sessions are persistent (clean_start false, session
// expiry set) so QoS 1 messages queued while a process restarts are not lost. Subscriptions are
// (re)made on every connection, which is harmless when the broker kept the session.
// Thread-safety: Publish() may be called from any thread; Next() from one consumer thread.
// Lifetime: the destructor disconnects (keeping the session) and joins nothing of ours.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/status.h"

namespace gps::mqtt {

struct Message {
  std::string topic;
  std::string payload;
  int qos = 1;
  bool retained = false;
  std::string response_topic;    // MQTT 5 request/response
  std::string correlation_data;  // MQTT 5 request/response
  int message_expiry_s = 0;      // 0: never expires
};

struct Subscription {
  std::string filter;
  int qos = 1;
};

struct ClientOptions {
  std::string uri = "tcp://127.0.0.1:1883";  // tcp://, ssl://, mqtt:// or mqtts://
  std::string client_id;
  std::string username;
  std::string password;
  std::string ca_file;  // trust anchors for ssl:// (empty: system store)
  bool clean_start = false;
  int session_expiry_s = 3600;
  int keepalive_s = 30;
  int connect_timeout_s = 10;
  int reconnect_min_s = 1;
  int reconnect_max_s = 30;
  std::vector<Subscription> subscriptions;
};

enum class EventKind { kMessage, kConnected, kConnectionLost };

struct Event {
  EventKind kind = EventKind::kMessage;
  Message message;     // kMessage
  std::string detail;  // kConnectionLost: the cause
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects (waiting up to the connect timeout) and subscribes. After this, Paho reconnects on
  // its own with backoff; Next() reports kConnectionLost and kConnected as that happens.
  Status Connect();
  // The next event, waiting up to timeout_ms; nullopt when none arrived. Re-subscribes on
  // kConnected before returning it.
  std::optional<Event> Next(Millis timeout_ms);
  // Publishes and, for QoS > 0, waits for the broker's acknowledgement up to timeout_ms.
  // Unavailable when disconnected or the broker does not acknowledge in time.
  Status Publish(const Message& message, Millis timeout_ms = 10000);
  bool IsConnected() const;
  // Disconnects cleanly, keeping the session on the broker; no event is queued after it. The Paho
  // client itself is freed by the destructor.
  void Disconnect();

  const ClientOptions& options() const { return options_; }

 private:
  struct Impl;
  Status Subscribe();
  // Disconnects and frees the Paho client, unless its disconnect did not finish (then both it and
  // Impl are left to the process's end: Paho's threads may still use them).
  void ReleasePahoClient();
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Normalises mqtt:// and mqtts:// to Paho's tcp:// and ssl://; refuses other schemes.
Status NormaliseUri(const std::string& uri, std::string* out);

}  // namespace gps::mqtt
