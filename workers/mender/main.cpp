// gps-worker-mender: pre-authorises approved gateways in Mender, names them, and answers name
// checks. main() only composes; the work is in mender_client and mender_step.

#include "gps/worker/worker_main.h"
#include "workers/mender/mender_client.h"
#include "workers/mender/mender_step.h"

int main(int argc, char** argv) {
  namespace mender = gps::worker::mender;
  return gps::worker::RunWorker<mender::MenderClient, mender::MenderStep>(
      argc, argv, gps::protocol::Step::kMender,
      "Takes mender jobs (gps/v1/jobs/mender): name checks in the Mender inventory, and "
      "pre-authorisation + name tag of approved gateways.",
      &mender::AddMenderSettings);
}
