// gps-worker-dps: creates the DPS individual enrollment (symmetric keys, IoT Edge) of approved
// gateways and answers name checks. main() only composes; the work is in dps_client and dps_step.

#include "gps/worker/worker_main.h"
#include "workers/dps/dps_client.h"
#include "workers/dps/dps_step.h"

int main(int argc, char** argv) {
  namespace dps = gps::worker::dps;
  return gps::worker::RunWorker<dps::DpsClient, dps::DpsStep>(
      argc, argv, gps::protocol::Step::kDps,
      "Takes dps jobs (gps/v1/jobs/dps): name checks against DPS enrollments, and the individual "
      "enrollment of approved gateways.",
      &dps::AddDpsSettings);
}
