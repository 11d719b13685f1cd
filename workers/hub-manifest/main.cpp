// gps-worker-hub-manifest: waits until each delivered gateway exists in IoT Hub as an IoT Edge
// device, then applies the deployment manifest (a template file) to it; disables the device on
// revoke. main() only composes; the work is in hub_client, hub_step and manifest_template.

#include "gps/worker/worker_main.h"
#include "workers/hub-manifest/hub_client.h"
#include "workers/hub-manifest/hub_step.h"

int main(int argc, char** argv) {
  namespace hub = gps::worker::hub;
  return gps::worker::RunWorker<hub::HubClient, hub::HubStep>(
      argc, argv, gps::protocol::Step::kHubManifest,
      "Takes hub-manifest jobs (gps/v1/jobs/hub-manifest): waits until the gateway is in IoT Hub, "
      "then applies the deployment manifest template to it; disables the IoT Hub device on revoke.",
      &hub::AddHubSettings);
}
