// gps-ui: the operator's HTTP server (REST API + page), and `gps-ui user|token ...` to manage its
// logins. main() only composes: configuration, the Redis stores, the MQTT commander, the routes
// and the server; ui/README.md describes it.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "gps/config/config.h"
#include "gps/log/log.h"
#include "gps/process/settings.h"
#include "gps/process/shutdown.h"
#include "gps/protocol/topics.h"
#include "gps/redis/keys.h"
#include "ui/admin_cli.h"
#include "ui/api/admin_handlers.h"
#include "ui/api/event_stream.h"
#include "ui/api/guard.h"
#include "ui/api/handlers.h"
#include "ui/api/requests.h"
#include "ui/api/router.h"
#include "ui/api/routes.h"
#include "ui/api/session_handlers.h"
#include "ui/auth/authenticator.h"
#include "ui/auth/credentials.h"
#include "ui/commands/commander.h"
#include "ui/events/device_feed.h"
#include "ui/server/http_server.h"
#include "ui/settings.h"
#include "ui/store/allow_list_store.h"
#include "ui/store/audit_log.h"
#include "ui/store/auth_store.h"
#include "ui/store/device_reader.h"
#include "ui/store/redis_pool.h"

namespace {

// `gps-ui user|token ...`: the settings come from the environment only, argv is the command.
int RunAdmin(int argc, char** argv) {
  using namespace gps;
  std::vector<std::string> args(argv + 1, argv + argc);
  Result<ui::AdminCommand> command = ui::ParseAdminCommand(args);
  if (!command.ok()) {
    std::cerr << "gps-ui: " << command.status().message() << "\n" << ui::AdminUsage();
    return 2;
  }
  ui::Config config;
  config::Table table("gps-ui", "");
  ui::AddSettings(table, &config, process::HostName());
  Result<config::Table::Outcome> loaded = table.Load({}, config::ProcessEnvironment());
  if (!loaded.ok()) {
    std::cerr << "gps-ui: " << loaded.status().message() << "\n";
    return 2;
  }
  // Log lines (the audit line) go to stderr; the command's own output to stdout.
  process::InitLogging("gps-ui", config.log);
  ui::RedisPool pool(process::ToEndpoint(config.redis), 1);
  redis::Keys keys(config.redis.key_prefix);
  ui::AuthStore store(pool, keys);
  ui::AuditLog audit(pool, keys);
  SystemClock clock;
  const char* login = std::getenv("USER");
  std::string actor = std::string("cli:") + (login != nullptr ? login : std::to_string(getuid()));
  return ui::RunAdminCommand(*command, store, audit, clock, actor,
                             {ui::ReadPasswordFromStdin, std::cout, std::cerr});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gps;
  if (ui::IsAdminCommand(argc, argv)) {
    return RunAdmin(argc, argv);
  }
  ui::Config config;
  config::Table table("gps-ui",
                      "The operator's web page and REST API: lists gateways from Redis and sends "
                      "operator commands to gps-engine over MQTT. `gps-ui user ...` and "
                      "`gps-ui token ...` manage its logins (`gps-ui user` for help).");
  ui::AddSettings(table, &config, process::HostName());
  config::LoadOrExit(table, argc, argv);
  process::InitLogging("gps-ui", config.log);
  process::InstallShutdownHandlers();

  // Idle connections kept between requests; more are opened while many requests run at once.
  ui::RedisPool pool(process::ToEndpoint(config.redis), 8);
  redis::Keys keys(config.redis.key_prefix);
  ui::DeviceReader devices(pool, keys);
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

  SystemClock clock;
  ui::AuthStore auth_store(pool, keys);
  ui::AuditLog audit(pool, keys);
  ui::AuthSettings auth_settings;
  auth_settings.session_idle_ms = config.session_idle_s * 1000;
  auth_settings.session_max_ms = config.session_max_s * 1000;
  if (!config.api_token.empty()) {
    auth_settings.configured_token_id = ui::SecretId(config.api_token);
  }
  ui::Authenticator authenticator(auth_store, clock, auth_settings);
  ui::LoginSettings login_settings;
  login_settings.cookie_secure = config.cookie_secure;

  ui::ApiHandlers device_handlers(devices, commander, audit, clock);
  ui::SessionHandlers session_handlers(auth_store, authenticator, audit, clock, login_settings);
  ui::AdminHandlers admin_handlers(auth_store, audit, clock, login_settings.cost);
  ui::DeviceFeed feed(devices, config.watch_interval_ms);
  feed.Start();
  ui::EventStreams event_streams(feed, authenticator, config.event_streams);
  ui::AuditHandlers audit_handlers(audit);
  ui::AllowListStore allow_list(pool, keys);
  ui::AllowListHandlers allow_list_handlers(allow_list, audit, clock);
  ui::BulkApprove bulk_approve(device_handlers, devices);
  ui::Guard guard(authenticator);
  ui::Router router;
  ui::AddRoutes(router, guard,
                {device_handlers, session_handlers, admin_handlers, event_streams, audit_handlers,
                 allow_list_handlers, bulk_approve});
  ui::HttpServer server({config.bind, config.port, config.http_threads, ui::kMaxRequestBodyBytes},
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
                         {"reply_topic", commander.reply_topic()},
                         {"api_token", config.api_token.empty() ? "none" : "configured"}});

  while (!process::ShutdownRequested() && !serving_ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  log::Info("ui stopping");
  server.Stop();
  serving.join();
  feed.Stop();
  commander.Stop();
  return process::ShutdownRequested() ? 0 : 1;
}
