// gps-cloudsim: simulators of the Mender management API, the Azure DPS service API, HashiCorp
// Vault PKI and the Azure IoT Hub registry, one port each, for the demo and the tests.
// main() only composes: settings -> SimHost -> ready line/file -> wait for SIGINT/SIGTERM.
#include <chrono>
#include <thread>

#include "cloudsim/server/sim_host.h"
#include "cloudsim/settings/settings.h"
#include "gps/log/log.h"
#include "gps/process/shutdown.h"

int main(int argc, char** argv) {
  using namespace gps;
  cloudsim::Settings settings;
  config::Table table(
      "gps-cloudsim",
      "simulated Mender, Azure DPS, Vault PKI and Azure IoT Hub APIs, one port each");
  cloudsim::AddSettings(table, &settings);
  config::LoadOrExit(table, argc, argv);
  process::InitLogging("gps-cloudsim", settings.log);
  process::InstallShutdownHandlers();

  cloudsim::SimHost::Options options;
  options.bind = settings.bind;
  options.ports = {settings.mender_port, settings.dps_port, settings.vault_port, settings.hub_port};
  options.max_body_bytes = static_cast<std::size_t>(settings.max_body_kib) * 1024;
  options.threads_per_port = static_cast<std::size_t>(settings.threads);
  options.faults = cloudsim::ToFaultConfig(settings).value();  // checked by the settings table
  options.fault_seed = cloudsim::ToFaultSeed(settings);
  options.mender = cloudsim::ToMenderConfig(settings);
  options.dps = cloudsim::ToDpsConfig(settings);
  options.vault = cloudsim::ToVaultConfig(settings).value();  // checked by the settings table
  options.hub = cloudsim::ToHubConfig(settings);

  SystemClock clock;
  Result<std::unique_ptr<cloudsim::SimHost>> host = cloudsim::SimHost::Start(options, &clock);
  if (!host.ok()) {
    log::Error("cloudsim failed to start", {{"err", host.status().ToString()}});
    return 1;
  }
  const cloudsim::Ports& ports = (*host)->ports();
  log::Info("cloudsim ready", {{"bind", settings.bind},
                               {"mender", ports.mender},
                               {"dps", ports.dps},
                               {"vault", ports.vault},
                               {"hub", ports.hub},
                               {"fault_seed", options.fault_seed}});
  if (options.faults != cloudsim::NoFaults()) {
    log::Info("faults injected from the start",
              {{"faults", cloudsim::FaultConfigJson((*host)->faults().config())}});
  }
  if (!settings.ready_file.empty()) {
    Status written = cloudsim::WriteReadyFile(settings.ready_file, ports);
    if (!written.ok()) {
      log::Error("cloudsim cannot write the ready file", {{"err", written.ToString()}});
      return 1;
    }
  }
  // The signal handler only sets a flag; poll it in bounded waits.
  while (!process::ShutdownRequested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  log::Info("cloudsim stopping");
  (*host)->Stop();
  log::Info("cloudsim stopped");
  return 0;
}
