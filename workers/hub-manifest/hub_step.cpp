#include "workers/hub-manifest/hub_step.h"

#include "gps/core/text.h"
#include "gps/http/outcome.h"
#include "gps/http/parse_answer.h"
#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"

namespace gps::worker::hub {

namespace {

constexpr std::size_t kMaxMenderIdFact = 128;

// A 404 is "no such device" unless IoT Hub names another error (a path it does not serve).
bool IsDeviceNotFound(const Result<http::Response>& response) {
  if (!response.ok() || response->status != 404) {
    return false;
  }
  const std::string code = HubErrorCode(*response);
  return code.empty() || code == "DeviceNotFound" || code == "404001";
}

Millis Seconds(std::int64_t s) { return static_cast<Millis>(s) * 1000; }

}  // namespace

Outcome ClassifyHub(const Result<http::Response>& response, std::string_view what,
                    Millis throttle_ms, Instant now) {
  Outcome outcome = http::Classify(response, what, now);
  if (outcome.retryable() && response.ok() && response->status == 429 &&
      outcome.retry_after_ms == 0) {
    outcome.retry_after_ms = throttle_ms;
  }
  return outcome;
}

HubAnswer InterpretDevice(const Result<http::Response>& response, std::string_view name,
                          std::string_view what, Millis throttle_ms, Instant now) {
  if (IsDeviceNotFound(response)) {
    return {HubAnswer::Kind::kMissing, Outcome::Ok()};
  }
  Outcome outcome = ClassifyHub(response, what, throttle_ms, now);
  if (!outcome.ok()) {
    return {HubAnswer::Kind::kFailed, std::move(outcome)};
  }
  HubDevice device;
  outcome = http::ParseAnswer(response, what, now, ParseDevice, &device);
  if (!outcome.ok()) {
    return {HubAnswer::Kind::kFailed, std::move(outcome)};
  }
  const std::string prefix(what);
  if (!EqualsIgnoreCase(device.device_id, name)) {
    return {HubAnswer::Kind::kFailed,
            Outcome::Permanent(prefix + ": unreadable answer: it describes device " +
                               json::Quote(device.device_id))};
  }
  if (!device.iot_edge) {
    metrics::Inc("worker.hub_manifest.not_edge");
    return {HubAnswer::Kind::kFailed,
            Outcome::Permanent(prefix + ": IoT Hub device " + std::string(name) +
                               " is not an IoT Edge device (capabilities.iotEdge is false), so "
                               "no deployment manifest can be applied to it")};
  }
  return {HubAnswer::Kind::kDone, Outcome::Ok()};
}

HubAnswer InterpretApply(const Result<http::Response>& response, std::string_view what,
                         Millis throttle_ms, Instant now) {
  if (IsDeviceNotFound(response)) {
    return {HubAnswer::Kind::kMissing, Outcome::Ok()};
  }
  Outcome outcome = ClassifyHub(response, what, throttle_ms, now);
  if (!outcome.ok()) {
    return {HubAnswer::Kind::kFailed, std::move(outcome)};
  }
  return {HubAnswer::Kind::kDone, Outcome::Ok()};
}

DisablePlan PlanDisable(const Result<http::Response>& response, std::string_view name,
                        std::string_view what, Millis throttle_ms, Instant now) {
  DisablePlan plan;
  if (IsDeviceNotFound(response)) {
    plan.kind = DisablePlan::Kind::kGone;
    return plan;
  }
  plan.outcome = ClassifyHub(response, what, throttle_ms, now);
  if (!plan.outcome.ok()) {
    return plan;
  }
  HubDevice device;
  plan.outcome = http::ParseAnswer(response, what, now, ParseDevice, &device);
  if (!plan.outcome.ok()) {
    return plan;
  }
  const std::string prefix = std::string(what) + ": unreadable answer: ";
  if (!EqualsIgnoreCase(device.device_id, name)) {
    plan.outcome =
        Outcome::Permanent(prefix + "it describes device " + json::Quote(device.device_id));
    return plan;
  }
  if (device.status == "disabled") {
    plan.kind = DisablePlan::Kind::kAlreadyDisabled;
    return plan;
  }
  if (!IsUsableEtag(device.etag)) {
    plan.outcome = Outcome::Permanent(prefix + "etag " + json::Quote(device.etag) +
                                      " cannot be sent back in If-Match");
    return plan;
  }
  Result<std::string> body = DisabledDeviceBody(response->body, kRevokedStatusReason);
  if (!body.ok()) {
    plan.outcome = Outcome::Permanent(prefix + body.status().message());
    return plan;
  }
  plan.kind = DisablePlan::Kind::kDisable;
  plan.etag = std::move(device.etag);
  plan.body = std::move(body).value();
  return plan;
}

HubAnswer InterpretUpdate(const Result<http::Response>& response, std::string_view what,
                          Millis throttle_ms, Instant now) {
  if (IsDeviceNotFound(response)) {
    return {HubAnswer::Kind::kMissing, Outcome::Ok()};
  }
  Outcome outcome = ClassifyHub(response, what, throttle_ms, now);
  if (response.ok() && response->status == 412) {
    return {HubAnswer::Kind::kStale, std::move(outcome)};
  }
  if (!outcome.ok()) {
    return {HubAnswer::Kind::kFailed, std::move(outcome)};
  }
  return {HubAnswer::Kind::kDone, Outcome::Ok()};
}

std::string RevokeData(bool disabled) {
  if (!disabled) {
    return "{}";
  }
  json::Writer w;
  w.BeginObject().Field("disabled", true).EndObject();
  return w.Take();
}

protocol::JobResult WaitingResult(std::string_view name, Millis retry_after_ms) {
  protocol::HubManifestResult data;
  data.hub_device_id = std::string(name);
  data.waiting = true;
  return protocol::JobResult{
      Outcome::Retryable("hub-manifest: " + std::string(name) +
                             " is not in IoT Hub yet (waiting for the gateway to register "
                             "through DPS)",
                         retry_after_ms),
      protocol::EncodeHubManifest(data)};
}

Result<TemplateValues> ValuesOf(const protocol::Job& job) {
  TemplateValues v;
  v.device_name = job.name;
  v.device_id = job.id.device_id;
  GPS_ASSIGN_OR_RETURN(json::Document facts,
                       json::ParseObject(job.facts_json, protocol::kMaxJobBytes, "facts"));
  GPS_ASSIGN_OR_RETURN(v.mender_device_id,
                       facts.Root().GetStringOr("menderDeviceId", "", kMaxMenderIdFact));
  return v;
}

HubStep::HubStep(const HubClient& client)
    : ActionStep(protocol::Step::kHubManifest), client_(client) {
  const HubSettings& s = client_.settings();
  log::Info("deployment manifest template loaded",
            {{"file", s.manifest_file},
             {"edge_agent_schema", s.manifest.agent_schema_version()},
             {"edge_hub_schema", s.manifest.hub_schema_version()}});
}

protocol::JobResult HubStep::Provision(const protocol::Job& job, Instant deadline) const {
  const HubSettings& s = client_.settings();
  const std::string device = "hub-manifest: " + job.name;
  if (Status name = protocol::ValidateDeviceName(job.name); !name.ok()) {
    return Failed(Outcome::Permanent("hub-manifest: provision: the job's name: " + name.message()));
  }
  Result<TemplateValues> values = ValuesOf(job);
  Result<std::string> body =
      values.ok() ? s.manifest.Render(*values) : Result<std::string>(values.status());
  if (!body.ok()) {
    // The template was checked at start-up, so this is a value the job lacks or got wrong.
    metrics::Inc("worker.hub_manifest.render_failed");
    return Failed(Outcome::Permanent(device + ": render the manifest: " + body.status().message()));
  }

  HubAnswer found =
      InterpretDevice(client_.GetDevice(job.name, deadline), job.name, device + ": look up device",
                      Seconds(s.throttle_retry_s), client_.Now());
  if (found.kind == HubAnswer::Kind::kMissing) {
    metrics::Inc("worker.hub_manifest.waiting");
    return WaitingResult(job.name, Seconds(s.wait_retry_s));
  }
  if (found.kind == HubAnswer::Kind::kFailed) {
    return Failed(std::move(found.outcome));
  }

  HubAnswer applied =
      InterpretApply(client_.ApplyConfiguration(job.name, std::move(body).value(), deadline),
                     device + ": apply the manifest", Seconds(s.throttle_retry_s), client_.Now());
  if (applied.kind == HubAnswer::Kind::kMissing) {
    // Deleted between the look-up and the apply: wait for it as before.
    metrics::Inc("worker.hub_manifest.waiting");
    return WaitingResult(job.name, Seconds(s.wait_retry_s));
  }
  if (applied.kind == HubAnswer::Kind::kFailed) {
    return Failed(std::move(applied.outcome));
  }
  metrics::Inc("worker.hub_manifest.applied");
  log::Info("deployment manifest applied",
            {{"device_id", job.id.device_id}, {"hub_device_id", job.name}});
  protocol::HubManifestResult data;
  data.hub_device_id = job.name;
  data.applied = true;
  return protocol::JobResult{Outcome::Ok(), protocol::EncodeHubManifest(data)};
}

protocol::JobResult HubStep::Revoke(const protocol::Job& job, Instant deadline) const {
  if (Status name = protocol::ValidateDeviceName(job.name); !name.ok()) {
    return Failed(Outcome::Permanent("hub-manifest: revoke: the job's name: " + name.message()));
  }
  const std::string device = "hub-manifest: " + job.name;
  const Millis throttle_ms = Seconds(client_.settings().throttle_retry_s);
  Outcome raced;
  for (int round = 1; round <= kDisableRounds; ++round) {
    DisablePlan plan =
        PlanDisable(client_.GetDevice(job.name, deadline), job.name,
                    device + ": look up device to disable", throttle_ms, client_.Now());
    switch (plan.kind) {
      case DisablePlan::Kind::kGone:
        metrics::Inc("worker.hub_manifest.disable_not_there");
        return protocol::JobResult{Outcome::Ok(), RevokeData(false)};
      case DisablePlan::Kind::kAlreadyDisabled:
        metrics::Inc("worker.hub_manifest.disable_already_done");
        return protocol::JobResult{Outcome::Ok(), RevokeData(true)};
      case DisablePlan::Kind::kFailed:
        return Failed(std::move(plan.outcome));
      case DisablePlan::Kind::kDisable:
        break;
    }
    HubAnswer updated =
        InterpretUpdate(client_.UpdateDevice(job.name, plan.etag, std::move(plan.body), deadline),
                        device + ": disable device", throttle_ms, client_.Now());
    switch (updated.kind) {
      case HubAnswer::Kind::kDone:
        metrics::Inc("worker.hub_manifest.disabled");
        log::Info("IoT Hub device disabled",
                  {{"device_id", job.id.device_id}, {"hub_device_id", job.name}});
        return protocol::JobResult{Outcome::Ok(), RevokeData(true)};
      case HubAnswer::Kind::kMissing:
        // Deleted since the read: nothing is left that could connect.
        metrics::Inc("worker.hub_manifest.disable_not_there");
        return protocol::JobResult{Outcome::Ok(), RevokeData(false)};
      case HubAnswer::Kind::kStale:
        // Changed since the read (a re-registration, an operator): read it again.
        metrics::Inc("worker.hub_manifest.disable_raced");
        raced = std::move(updated.outcome);
        break;
      case HubAnswer::Kind::kFailed:
        return Failed(std::move(updated.outcome));
    }
  }
  return Failed(Outcome::Retryable(raced.error + " (the device changed under each of " +
                                   std::to_string(kDisableRounds) + " updates; trying later)"));
}

}  // namespace gps::worker::hub
