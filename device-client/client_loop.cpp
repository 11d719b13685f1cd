#include "device-client/client_loop.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <memory>
#include <random>

#include <unistd.h>

#include "device-client/bundle_files.h"
#include "device-client/certificate_key_store.h"
#include "device-client/file_access.h"
#include "device-client/file_writer.h"
#include "device-client/restart_commands.h"
#include "device-client/transport_key_store.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/mqtt/client.h"
#include "gps/process/shutdown.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/topics.h"
#include "gps/retry/backoff.h"

namespace gps::device_client {

namespace {

// The longest the loop waits before it looks at the shutdown flag again.
constexpr Millis kPollSliceMs = 250;
constexpr Millis kPublishTimeoutMs = 5000;
constexpr mode_t kOutputDirMode = 0755;

// Wide jitter: after a broker restart every gateway of a fleet loses its connection at the same
// moment, and they must not all come back at the same moment too.
const retry::Policy kConnectPolicy{
    .max_attempts = 1 << 30,
    .initial_backoff_ms = 1000,
    .multiplier = 2.0,
    .max_backoff_ms = 30000,
    .jitter = 0.5,
    .attempt_timeout_ms = 0,
};

}  // namespace

std::vector<mqtt::Subscription> DeviceSubscriptions(const std::string& device_id) {
  // Exactly the two topics the engine writes to this device: no wildcard, so the subscription
  // asks for nothing the bootstrap account's ACL does not grant.
  return {{protocol::DeviceTopic(device_id, protocol::DeviceTopicKind::kCredentials), 1},
          {protocol::DeviceTopic(device_id, protocol::DeviceTopicKind::kStatus), 1}};
}

Result<std::string> SignedAnnounce(const ClientIdentity& identity, std::int64_t ts_ms) {
  protocol::Announce announce;
  announce.mac = identity.mac;
  announce.transport_key = identity.transport.public_raw();
  announce.csr_pem = identity.csr_pem;
  announce.ts_ms = ts_ms;
  GPS_RETURN_IF_ERROR(protocol::SignAnnounce(identity.device.key, &announce));
  return protocol::EncodeAnnounce(announce);
}

struct ClientLoop::Impl {
  Impl(const ClientConfig& config, ClientIdentity identity, const Clock& wall, const Clock& clock)
      : config(config),
        identity(std::move(identity)),
        wall(wall),
        clock(clock),
        device_id(this->identity.device.device_id),
        provisioner(
            ProvisionerOptions{
                .device_id = device_id,
                .announce_interval_ms = Millis{config.announce_interval_s} * 1000,
                .timeout_ms = config.timeout_s * 1000,
            },
            clock.Now()) {}

  const ClientConfig& config;
  ClientIdentity identity;
  const Clock& wall;
  const Clock& clock;  // monotonic: every timer of the Provisioner
  std::string device_id;
  Provisioner provisioner;
  MessageTimestamps timestamps;
  std::unique_ptr<mqtt::Client> client;
  std::optional<ExitCode> exit_code;
  bool announced_on_this_connection = false;
  std::mt19937_64 rng{std::random_device{}()};
  FileAccess file_access = EffectiveFileAccess(config.file_access, ::geteuid() == 0);

  mqtt::ClientOptions BrokerOptions() const {
    mqtt::ClientOptions o;
    o.uri = config.mqtt_uri;
    o.client_id = device_id;  // the broker's ACL pattern keys on the client id
    o.username = config.mqtt_username;
    o.password = config.mqtt_password;
    o.ca_file = config.mqtt_ca_file;
    // A persistent session: credentials published while the gateway reboots wait for it.
    o.clean_start = false;
    o.session_expiry_s = config.mqtt_session_expiry_s;
    o.subscriptions = DeviceSubscriptions(device_id);
    return o;
  }

  // Runs actions and the actions they lead to, in order.
  void Dispatch(std::vector<Action> actions) {
    std::deque<Action> queue(std::make_move_iterator(actions.begin()),
                             std::make_move_iterator(actions.end()));
    while (!queue.empty() && !exit_code) {
      Action a = std::move(queue.front());
      queue.pop_front();
      std::vector<Action> more = std::visit([this](auto& x) { return Do(x); }, a);
      queue.insert(queue.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
    }
  }

  std::vector<Action> Do(const SendAnnounce&) {
    std::int64_t ts = timestamps.Next(wall.Now());
    Result<std::string> announce = SignedAnnounce(identity, ts);
    Status st = announce.status();
    if (st.ok()) {
      st = Publish(protocol::DeviceTopicKind::kAnnounce, std::move(announce).value());
    }
    if (!st.ok()) {
      metrics::Inc("device_client.announce_failed");
      log::Warn("announce not sent", {{"device_id", device_id}, {"err", st.ToString()}});
      return {};
    }
    metrics::Inc("device_client.announce_sent");
    // The first announce of a connection at info, so the log shows the device is waiting.
    log::Write(announced_on_this_connection ? log::Level::kDebug : log::Level::kInfo,
               "announce sent", {{"device_id", device_id}, {"ts", ts}});
    announced_on_this_connection = true;
    return {};
  }

  std::vector<Action> Do(const SendAck& a) {
    protocol::Ack ack;
    ack.device_id = device_id;
    ack.bundle_id = a.bundle_id;
    ack.ts_ms = timestamps.Next(wall.Now());
    Status st = protocol::SignAck(identity.device.key, &ack);
    if (st.ok()) {
      st = Publish(protocol::DeviceTopicKind::kAck, protocol::EncodeAck(ack));
    }
    if (!st.ok()) {
      metrics::Inc("device_client.ack_failed");
      log::Warn("ack not sent",
                {{"device_id", device_id}, {"bundle_id", a.bundle_id}, {"err", st.ToString()}});
      return {};
    }
    metrics::Inc("device_client.ack_sent");
    log::Info("ack sent", {{"device_id", device_id}, {"bundle_id", a.bundle_id}});
    return {};
  }

  std::vector<Action> Do(const InstallBundle& a) {
    const std::string& bundle_id = a.credentials.bundle_id;
    Result<InstallPlan> plan =
        PlanInstall(a.credentials, device_id, identity.transport.private_raw(), wall.Now(),
                    identity.certificate_key);
    if (!plan.ok()) {
      metrics::Inc("device_client.bundle_rejected");
      log::Warn(
          "credential bundle rejected",
          {{"device_id", device_id}, {"bundle_id", bundle_id}, {"err", plan.status().ToString()}});
      return provisioner.OnInstallFailed(clock.Now());
    }
    ApplyFileAccess(file_access, &plan->files);
    Status written = EnsureDirectory(config.output_dir, kOutputDirMode);
    if (written.ok()) {
      RemoveStaleTemporaries(config.output_dir);
      written = WriteFilesInOrder(config.output_dir, plan->files);
    }
    if (!written.ok()) {
      // Without the marker the gateway is not provisioned; the engine re-sends on the next
      // announce and the files are written again.
      metrics::Inc("device_client.write_failed");
      log::Error("writing the credentials failed",
                 {{"device_id", device_id}, {"bundle_id", bundle_id}, {"err", written.ToString()}});
      return provisioner.OnInstallFailed(clock.Now());
    }
    metrics::Inc("device_client.bundle_installed");
    log::Info("credentials installed", {{"device_id", device_id},
                                        {"bundle_id", bundle_id},
                                        {"name", plan->name},
                                        {"serial", plan->certificate_serial},
                                        {"issuer", plan->certificate_issuer},
                                        {"dir", config.output_dir}});
    Status removed = RemoveTransportKey(config.state_dir);
    if (!removed.ok()) {
      log::Warn("transport key not removed",
                {{"device_id", device_id}, {"err", removed.ToString()}});
    }
    if (identity.certificate_key != nullptr) {
      // Now the device key file of the output directory; the state directory's copy has no use.
      Status removed_key = RemoveCertificateKey(config.state_dir);
      if (!removed_key.ok()) {
        log::Warn("certificate key not removed from the state directory",
                  {{"device_id", device_id}, {"err", removed_key.ToString()}});
      }
    }
    RunRestartCommands();
    return provisioner.OnInstalled(clock.Now());
  }

  std::vector<Action> Do(const Finish& f) {
    exit_code = f.code;
    log::Write(
        f.code == ExitCode::kProvisioned ? log::Level::kInfo : log::Level::kWarn, "finished",
        {{"device_id", device_id}, {"exit_code", static_cast<int>(f.code)}, {"reason", f.reason}});
    return {};
  }

  std::vector<Action> Do(const Ignore& i) {
    metrics::Inc("device_client.ignored");
    log::Info("message ignored", {{"device_id", device_id}, {"reason", i.reason}});
    return {};
  }

  void RunRestartCommands() {
    for (const std::string& command : config.restart_commands) {
      CommandResult r = RunCommand(command, Millis{config.restart_timeout_s} * 1000);
      if (r.ok()) {
        metrics::Inc("device_client.restart_ok");
        log::Info("restart command done", {{"command", r.command},
                                           {"exit_code", r.exit_code},
                                           {"duration_ms", r.duration_ms},
                                           {"output", r.output}});
        continue;
      }
      metrics::Inc("device_client.restart_failed");
      std::string why = !r.started ? "not started: " + r.error
                        : r.timed_out
                            ? "timed out after " + std::to_string(config.restart_timeout_s) + " s"
                        : r.signal != 0 ? "killed by signal " + std::to_string(r.signal)
                                        : "exit code " + std::to_string(r.exit_code);
      // The credentials stay installed: a service that did not restart picks them up at boot.
      log::Warn("restart command failed", {{"command", r.command},
                                           {"exit_code", r.exit_code},
                                           {"err", why},
                                           {"duration_ms", r.duration_ms},
                                           {"output", r.output}});
    }
  }

  Status Publish(protocol::DeviceTopicKind kind, std::string payload) {
    if (!client) {
      return Status::Unavailable("not connected");
    }
    mqtt::Message m;
    m.topic = protocol::DeviceTopic(device_id, kind);
    m.payload = std::move(payload);
    m.qos = 1;
    return client->Publish(m, kPublishTimeoutMs);
  }

  void OnMessage(const mqtt::Message& m) {
    std::optional<protocol::ParsedDeviceTopic> topic = protocol::ParseDeviceTopic(m.topic);
    if (!topic || topic->device_id != device_id) {
      metrics::Inc("device_client.unexpected_topic");
      log::Warn("message on an unexpected topic", {{"device_id", device_id}, {"topic", m.topic}});
      return;
    }
    Instant now = clock.Now();
    switch (topic->kind) {
      case protocol::DeviceTopicKind::kCredentials: {
        Result<protocol::CredentialsMessage> c = protocol::ParseCredentials(m.payload);
        if (!c.ok()) {
          metrics::Inc("device_client.credentials_invalid");
          log::Warn("credentials message refused",
                    {{"device_id", device_id}, {"err", c.status().ToString()}});
          return;
        }
        log::Info("credentials received", {{"device_id", device_id}, {"bundle_id", c->bundle_id}});
        Dispatch(provisioner.OnCredentials(std::move(c).value(), now));
        return;
      }
      case protocol::DeviceTopicKind::kStatus: {
        Result<protocol::StatusMessage> s = protocol::ParseStatus(m.payload);
        if (!s.ok()) {
          metrics::Inc("device_client.status_invalid");
          log::Warn("status message refused",
                    {{"device_id", device_id}, {"err", s.status().ToString()}});
          return;
        }
        log::Info("status", {{"device_id", device_id},
                             {"state", s->state},
                             {"message", s->message},
                             {"retained", m.retained ? "true" : "false"}});
        Dispatch(provisioner.OnStatus(*s, now));
        return;
      }
      case protocol::DeviceTopicKind::kAnnounce:
      case protocol::DeviceTopicKind::kAck:
        // Not subscribed to (DeviceSubscriptions); a broker that sends one anyway is ignored.
        metrics::Inc("device_client.own_message");
        return;
    }
  }

  // Waits until deadline, waking for shutdown; false when shutdown was requested.
  bool SleepUntil(Instant deadline) {
    while (clock.Now() < deadline) {
      if (process::ShutdownRequested()) {
        return false;
      }
      // Bounded slices; nothing to consume while there is no client.
      Millis left = std::min<Millis>(deadline - clock.Now(), kPollSliceMs);
      if (left > 0) {
        struct timespec ts {
          static_cast<time_t>(left / 1000), static_cast<long>((left % 1000) * 1000000)
        };
        nanosleep(&ts, nullptr);
      }
    }
    return !process::ShutdownRequested();
  }

  // Waits a jittered backoff after `failures` failed attempts, waking for the Provisioner's
  // deadlines (timeout, ack window) in between.
  void Backoff(int failures, const std::string& why) {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    Millis delay = retry::NextDelay(kConnectPolicy, failures, 0, uniform(rng));
    log::Warn("broker not reachable", {{"device_id", device_id},
                                       {"broker", config.mqtt_uri},
                                       {"attempt", failures},
                                       {"retry_in_ms", delay},
                                       {"err", why}});
    Instant wake = clock.Now() + delay;
    std::optional<Instant> deadline = provisioner.NextDeadline();
    if (deadline && *deadline < wake) {
      wake = *deadline;
    }
    SleepUntil(wake);
    Dispatch(provisioner.OnTick(clock.Now()));
  }

  // Until connected or finished. After a lost connection (reconnecting) the first attempt also
  // waits a jittered delay, so a fleet does not reconnect in step after a broker restart. The
  // session is persistent: what the engine published meanwhile is delivered on reconnection.
  void Connect(bool reconnecting) {
    int failures = 0;
    if (reconnecting) {
      Backoff(++failures, "connection lost");
    }
    while (!exit_code) {
      if (process::ShutdownRequested()) {
        Dispatch(provisioner.OnShutdown(clock.Now()));
        return;
      }
      auto candidate = std::make_unique<mqtt::Client>(BrokerOptions());
      Status st = candidate->Connect();
      if (st.ok()) {
        client = std::move(candidate);
        log::Info(reconnecting ? "reconnected" : "connected",
                  {{"device_id", device_id}, {"broker", config.mqtt_uri}});
        Dispatch(provisioner.OnConnected(clock.Now()));
        return;
      }
      metrics::Inc("device_client.connect_failed");
      Backoff(++failures, st.ToString());
    }
  }

  ExitCode Run() {
    if (ChangesOwnership(config.file_access) && !ChangesOwnership(file_access)) {
      log::Warn("not running as root: GPS_CLIENT_FILE_OWNER and GPS_CLIENT_FILE_GROUP are ignored",
                {{"device_id", device_id}});
    }
    Connect(false);
    while (!exit_code) {
      if (process::ShutdownRequested()) {
        Dispatch(provisioner.OnShutdown(clock.Now()));
        break;
      }
      Millis wait = kPollSliceMs;
      if (std::optional<Instant> deadline = provisioner.NextDeadline()) {
        wait = std::clamp<Millis>(*deadline - clock.Now(), 0, kPollSliceMs);
      }
      std::optional<mqtt::Event> event = client->Next(wait);
      if (event) {
        switch (event->kind) {
          case mqtt::EventKind::kConnected:
            // Paho reports the connection Connect() made too; the Provisioner ignores a repeat.
            Dispatch(provisioner.OnConnected(clock.Now()));
            break;
          case mqtt::EventKind::kConnectionLost:
            metrics::Inc("device_client.connection_lost");
            announced_on_this_connection = false;
            log::Warn("connection lost", {{"device_id", device_id}, {"err", event->detail}});
            Dispatch(provisioner.OnConnectionLost(clock.Now()));
            // Our own backoff instead of Paho's, which has no jitter.
            client.reset();
            Connect(true);
            continue;
          case mqtt::EventKind::kMessage:
            OnMessage(event->message);
            break;
        }
      }
      Dispatch(provisioner.OnTick(clock.Now()));
    }
    if (client) {
      client->Disconnect();
    }
    log::Info("counters", {{"device_id", device_id}, {"counters", metrics::SnapshotJson()}});
    return exit_code.value_or(ExitCode::kFailure);
  }
};

ClientLoop::ClientLoop(const ClientConfig& config, ClientIdentity identity, const Clock& wall,
                       const Clock& monotonic)
    : config_(config), identity_(std::move(identity)), wall_(wall), monotonic_(monotonic) {}

ClientLoop::~ClientLoop() = default;

ExitCode ClientLoop::Run() {
  impl_ = std::make_unique<Impl>(config_, identity_, wall_, monotonic_);
  return impl_->Run();
}

Instant MonotonicClock::Now() const {
  using namespace std::chrono;
  return Instant{duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count()};
}

}  // namespace gps::device_client
