#pragma once
// The worker runtime shared by every gps-worker-*: config, logging, the MQTT 5 connection and its
// $share/gps-worker-{step}/ subscription, job parsing and size limits, the lease deadline, result
// publishing with the job's correlation data, a pool of handler threads, and signals/shutdown.
// A worker's main() builds its API client and StepHandler and calls Run().
// Lifetime: Run() returns when SIGINT/SIGTERM arrives (exit code 0) or the broker cannot be
// reached at start-up (exit code 1). The handler must outlive Run().

#include <string>

#include "gps/config/config.h"
#include "gps/process/settings.h"
#include "gps/worker/step_handler.h"

namespace gps::worker {

struct RuntimeConfig {
  process::MqttSettings mqtt;
  process::LogSettings log;
  int concurrency = 4;                 // GPS_WORKER_CONCURRENCY: jobs handled at once
  std::int64_t stats_interval_s = 60;  // GPS_STATS_INTERVAL_S: counters logged this often
};

// Declares the runtime's settings in a worker's table.
void AddRuntimeSettings(config::Table& table, RuntimeConfig* config, protocol::Step step);

// The shared subscription group of a step's workers: "gps-worker-<step>".
std::string WorkerGroup(protocol::Step step);

class Runtime {
 public:
  Runtime(RuntimeConfig config, StepHandler& handler);
  int Run();

 private:
  RuntimeConfig config_;
  StepHandler& handler_;
};

// Seals a secret a step produced to the job's device (context SecretContext(device, step, field)).
Result<std::string> SealForDevice(const protocol::Job& job, std::string_view field,
                                  std::string_view secret);

}  // namespace gps::worker
