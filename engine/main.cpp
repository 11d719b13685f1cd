// gps-engine: the saga orchestrator. Composes config, the Redis store, the MQTT client and the
// engine loop; nothing else.

#include <algorithm>
#include <thread>

#include "engine/engine_config.h"
#include "engine/shell/engine_loop.h"
#include "engine/store/saga_store.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/process/shutdown.h"
#include "gps/protocol/topics.h"

namespace {

using gps::Status;

// Retries a start-up step until it works or the deadline passes.
template <typename F>
Status WithStartupRetries(const char* what, std::int64_t timeout_s, F step) {
  gps::SystemClock clock;
  gps::Instant deadline = clock.Now() + timeout_s * 1000;
  while (true) {
    Status st = step();
    if (st.ok() || clock.Now() >= deadline || gps::process::ShutdownRequested()) {
      return st;
    }
    gps::log::Info("waiting to start", {{"for", what}, {"err", st.ToString()}});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gps;
  engine::EngineConfig config;
  config::Table table("gps-engine",
                      "the provisioning saga orchestrator (announces, operator commands, step "
                      "results, acks)");
  engine::AddEngineSettings(table, &config);
  config::LoadOrExit(table, argc, argv);
  process::InitLogging("gps-engine", config.log);
  process::InstallShutdownHandlers();

  engine::SagaStore store(process::ToEndpoint(config.redis), redis::Keys(config.redis.key_prefix));
  Status opened =
      WithStartupRetries("redis", config.startup_timeout_s, [&] { return store.Open(); });
  if (!opened.ok()) {
    log::Error("cannot use Redis", {{"err", opened.ToString()}});
    return 1;
  }

  std::string group = protocol::ShareGroup(engine::kEngineGroup, config.mqtt.password);
  std::vector<mqtt::Subscription> subscriptions = {
      {protocol::SharedFilter(group,
                              protocol::AllDevicesFilter(protocol::DeviceTopicKind::kAnnounce)),
       1},
      {protocol::SharedFilter(group, protocol::AllDevicesFilter(protocol::DeviceTopicKind::kAck)),
       1},
      {protocol::SharedFilter(group, protocol::AllCommandsFilter()), 1},
      {protocol::SharedFilter(group, protocol::AllResultsFilter()), 1},
  };
  mqtt::Client client(process::ToClientOptions(config.mqtt, subscriptions));
  Status connected =
      WithStartupRetries("broker", config.startup_timeout_s, [&] { return client.Connect(); });
  if (!connected.ok()) {
    log::Error("cannot connect to the broker", {{"err", connected.ToString()}});
    return 1;
  }

  SystemClock clock;
  engine::EngineSettings settings = engine::ToEngineSettings(config);
  const int kTimersPerPoll = settings.timers_per_poll;
  engine::EngineLoop loop(store, client, clock, settings);
  log::Info("engine ready",
            {{"client_id", config.mqtt.client_id}, {"group", engine::kEngineGroup}});

  Instant next_stats = clock.Now() + config.stats_interval_s * 1000;
  // At start: what an engine that died may have left (timers, outboxes) is repaired first.
  loop.Sweep();
  Instant next_sweep = clock.Now() + config.sweep_interval_s * 1000;
  Instant next_timers = clock.Now();
  while (!process::ShutdownRequested()) {
    Instant now = clock.Now();
    if (config.stats_interval_s > 0 && now >= next_stats) {
      log::Info("stats", {{"counters", metrics::SnapshotJson()}});
      next_stats = now + config.stats_interval_s * 1000;
    }
    if (now >= next_timers) {
      // A full batch means more may be due: look again at once.
      bool more = loop.FireDueTimers() == kTimersPerPoll;
      next_timers = more ? clock.Now() : clock.Now() + config.timer_poll_ms;
    }
    if (now >= next_sweep) {
      loop.Sweep();
      next_sweep = clock.Now() + config.sweep_interval_s * 1000;
    }
    std::optional<mqtt::Event> event =
        client.Next(std::clamp<Millis>(next_timers - clock.Now(), 0, 200));
    if (!event) {
      continue;
    }
    switch (event->kind) {
      case mqtt::EventKind::kMessage:
        loop.Handle(event->message);
        break;
      case mqtt::EventKind::kConnectionLost:
        log::Warn("broker connection lost; reconnecting", {{"err", event->detail}});
        break;
      case mqtt::EventKind::kConnected:
        log::Info("broker connection (re)established");
        break;
    }
  }
  log::Info("engine stopping", {{"counters", metrics::SnapshotJson()}});
  client.Disconnect();
  return 0;
}
