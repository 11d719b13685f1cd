#pragma once
// The main() of every gps-worker-<step>, which only composes: it loads the runtime's settings and
// the worker's own (--help or a bad value exits), starts logging, builds the worker's API client
// and step, and runs them under the Runtime until SIGINT/SIGTERM. A worker's main.cpp is one call
// of RunWorker; what differs between workers is in their client and step.
// Use from main() only (configuration and logging are process-wide).

#include <functional>
#include <string>
#include <utility>

#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/protocol/job.h"
#include "gps/worker/runtime.h"

namespace gps::worker {

// Declares the runtime's settings, and through add_settings the worker's own, in the table of the
// program gps-worker-<step> (summary: its --help text); loads them from defaults, file,
// environment and argv, exiting 0 after --help and 2 on a bad value; and starts logging as that
// program. Whatever add_settings declared is loaded when this returns.
RuntimeConfig LoadWorkerSettings(int argc, char** argv, protocol::Step step, std::string summary,
                                 const std::function<void(config::Table&)>& add_settings);

// Settings: the worker's API settings, declared by add_settings. Client: its API client, built
// from the loaded settings and the system clock. Handler: its StepHandler, built from the client.
// Returns the process's exit code (Runtime::Run()).
template <typename Client, typename Handler, typename Settings>
int RunWorker(int argc, char** argv, protocol::Step step, std::string summary,
              void (*add_settings)(config::Table&, Settings*)) {
  Settings settings;
  RuntimeConfig runtime =
      LoadWorkerSettings(argc, argv, step, std::move(summary),
                         [&](config::Table& table) { add_settings(table, &settings); });
  SystemClock clock;
  Client client(std::move(settings), clock);
  Handler handler(client);
  return Runtime(std::move(runtime), handler).Run();
}

}  // namespace gps::worker
