#include "gps/worker/worker_main.h"

#include "gps/process/settings.h"

namespace gps::worker {

RuntimeConfig LoadWorkerSettings(int argc, char** argv, protocol::Step step, std::string summary,
                                 const std::function<void(config::Table&)>& add_settings) {
  const std::string program = WorkerGroup(step);
  RuntimeConfig runtime;
  config::Table table(program, std::move(summary));
  AddRuntimeSettings(table, &runtime, step);
  add_settings(table);
  config::LoadOrExit(table, argc, argv);
  process::InitLogging(program, runtime.log);
  return runtime;
}

}  // namespace gps::worker
