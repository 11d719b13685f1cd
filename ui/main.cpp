// gps-ui: the operator's HTTP server (REST API + page). main() only composes: configuration,
// the Redis reader, the MQTT commander, the routes and the server; ui/README.md describes it.

#include <atomic>
#include <chrono>
#include <thread>

#include "gps/config/config.h"
#include "gps/log/log.h"
#include "gps/process/settings.h"
#include "gps/process/shutdown.h"
#include "gps/protocol/topics.h"
#include "gps/redis/keys.h"
#include "ui/api/handlers.h"
#include "ui/api/requests.h"
#include "ui/api/router.h"
#include "ui/api/routes.h"
#include "ui/commands/commander.h"
#include "ui/server/http_server.h"
#include "ui/settings.h"
#include "ui/store/device_reader.h"
#include "ui/store/redis_pool.h"

int main(int argc, char** argv) {
  using namespace gps;
  ui::Config config;
  config::Table table("gps-ui",
                      "The operator's web page and REST API: lists gateways from Redis and sends "
                      "approve/dismiss commands to gps-engine over MQTT.");
  ui::AddSettings(table, &config, process::HostName());
  config::LoadOrExit(table, argc, argv);
  process::InitLogging("gps-ui", config.log);
  process::InstallShutdownHandlers();

  // Idle connections kept between requests; more are opened while many requests run at once.
  ui::RedisPool pool(process::ToEndpoint(config.redis), 8);
  ui::DeviceReader devices(pool, redis::Keys(config.redis.key_prefix));
  Status redis_up = devices.Ping();
  if (!redis_up.ok()) {
    // Not fatal: the API answers 503 until Redis is back, and /healthz says why.
    log::Warn("redis does not answer yet", {{"err", redis_up.ToString()}});
  }

  ui::Commander commander(
      process::ToClientOptions(config.mqtt, {{protocol::ReplyTopic(config.instance), 1}}),
      config.instance, config.command_timeout_ms);
  Status connected = commander.Start();
  if (!connected.ok()) {
    log::Error("cannot connect to the broker", {{"err", connected.ToString()}});
    return 1;
  }

  ui::ApiHandlers handlers(devices, commander);
  ui::Router router;
  ui::AddRoutes(router, handlers);
  ui::HttpServer server({config.bind, config.port, config.http_threads, ui::kMaxApproveBodyBytes},
                        router);
  Result<int> port = server.Bind();
  if (!port.ok()) {
    log::Error("cannot start the HTTP server", {{"err", port.status().message()}});
    return 1;
  }
  std::atomic<bool> serving_ended{false};
  std::thread serving([&] {
    if (!server.Run()) {
      log::Error("the HTTP server stopped with an error");
    }
    serving_ended = true;
  });
  log::Info("ui ready", {{"url", ui::ServerUrl(config.bind, *port)},
                         {"instance", config.instance},
                         {"reply_topic", commander.reply_topic()}});

  while (!process::ShutdownRequested() && !serving_ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  log::Info("ui stopping");
  server.Stop();
  serving.join();
  commander.Stop();
  return process::ShutdownRequested() ? 0 : 1;
}
