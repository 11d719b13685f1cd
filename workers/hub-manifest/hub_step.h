#pragma once
// HubStep: the StepHandler of gps-worker-hub-manifest (step "hub-manifest").
//   provision: wait until the gateway's device (IoT Hub device id = the job's name = its DPS
//              registration id) exists in IoT Hub as an IoT Edge device, then apply the
//              deployment manifest (the template with the device's values) to it.
//   revoke:    disable the device in the IoT Hub identity registry (read it, write it back with
//              "status": "disabled" under If-Match of the etag read), so it can no longer
//              connect while its record stays for the operators; a device already disabled or
//              not there counts as done. A device changed between the read and the write (412)
//              is read again, up to kDisableRounds times within the attempt.
//   check_name: not taken by this step (the name is checked in Mender and DPS); permanent error.
//
// "Not in IoT Hub yet" (GET answers 404 DeviceNotFound, before the gateway has registered
// through DPS) is not a failure: the result is retryable with a suggested delay
// (GPS_HUB_WAIT_RETRY_S) and the data {"hubDeviceId", "waiting": true}, which the engine reads
// with protocol::IsWaitingForHubDevice() so that waiting does not spend the attempt budget.
// Applying is idempotent (it overwrites the module twins' desired properties), so a repeated or
// retried job gives the same result.
//
// The Interpret* functions are the step's decisions as pure functions, exposed for the unit
// tests; the actions only string them together with the client's calls.
// Thread-safety: Handle() may run on several threads at once (the client is thread-safe and the
// step keeps no mutable state). Lifetime: the client must outlive the step.

#include <string>
#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/http/client.h"
#include "gps/protocol/step_results.h"
#include "gps/worker/action_step.h"
#include "workers/hub-manifest/hub_client.h"

namespace gps::worker::hub {

// What IoT Hub said to a call about one device.
struct HubAnswer {
  enum class Kind {
    kDone,     // GET: there, and an IoT Edge device. POST / PUT: done.
    kMissing,  // 404 DeviceNotFound: not in IoT Hub (yet, or any more)
    kStale,    // PUT: 412, the device changed since it was read
    kFailed,   // outcome says how
  };
  Kind kind = Kind::kFailed;
  Outcome outcome;
};

// Classify() with IoT Hub's habit: a 429 without Retry-After waits throttle_ms.
Outcome ClassifyHub(const Result<http::Response>& response, std::string_view what,
                    Millis throttle_ms, Instant now);

// GET /devices/{name}. A device that is not an IoT Edge device is a permanent failure (its DPS
// enrollment would have to change); a 404 naming another error than DeviceNotFound (a wrong URL)
// is permanent too.
HubAnswer InterpretDevice(const Result<http::Response>& response, std::string_view name,
                          std::string_view what, Millis throttle_ms, Instant now);
// POST /devices/{name}/applyConfigurationContent: 200 or 204 done; 404 DeviceNotFound missing.
HubAnswer InterpretApply(const Result<http::Response>& response, std::string_view what,
                         Millis throttle_ms, Instant now);
// What revoke does after GET /devices/{name}.
struct DisablePlan {
  enum class Kind {
    kGone,             // 404 DeviceNotFound: nothing to disable
    kAlreadyDisabled,  // status disabled already: nothing to write
    kDisable,          // PUT body with If-Match: "<etag>"
    kFailed,           // outcome says how
  };
  Kind kind = Kind::kFailed;
  Outcome outcome;
  std::string etag;  // kDisable: the version read
  std::string body;  // kDisable: the device as read, disabled (DisabledDeviceBody)
};
DisablePlan PlanDisable(const Result<http::Response>& response, std::string_view name,
                        std::string_view what, Millis throttle_ms, Instant now);
// PUT /devices/{name} (the disabling update): 200 done; 404 DeviceNotFound missing (deleted
// since the read); 412 stale. Anything else as ClassifyHub says: a 409 DeviceAlreadyExists
// (IoT Hub took the update for a create) is permanent.
HubAnswer InterpretUpdate(const Result<http::Response>& response, std::string_view what,
                          Millis throttle_ms, Instant now);

// How many read-and-write rounds one revoke attempt makes before it leaves a device that keeps
// changing under it to a later attempt (retryable).
inline constexpr int kDisableRounds = 3;

// The data of a successful revoke: {"disabled": true} when the device is disabled (now or
// already), {} when IoT Hub has no such device.
std::string RevokeData(bool disabled);

// The retryable "not in IoT Hub yet" result for the device name.
protocol::JobResult WaitingResult(std::string_view name, Millis retry_after_ms);

// The values the template may use, from the job: its name, device id and facts.menderDeviceId.
Result<TemplateValues> ValuesOf(const protocol::Job& job);

class HubStep final : public ActionStep {
 public:
  // Logs the template in use (file and schema versions) once.
  explicit HubStep(const HubClient& client);

 private:
  protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Revoke(const protocol::Job& job, Instant deadline) const override;

  const HubClient& client_;
};

}  // namespace gps::worker::hub
