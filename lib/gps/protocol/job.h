#pragma once
// Step work between the engine and the workers (docs/protocol.md, "Jobs and results").
//
// A job goes to gps/v1/jobs/{step} with MQTT 5 RESPONSE_TOPIC gps/v1/results/{step} and
// CORRELATION_DATA = its job id; the worker answers on the response topic with the same
// correlation data. The job id is deterministic (device:generation:step:action:attempt), so a
// redelivered job or result is recognised and harmless.
// Pure; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/core/result.h"

namespace gps::protocol {

enum class Step { kMender, kDps, kVault, kHubManifest };
enum class Action { kProvision, kCheckName, kRevoke };

std::string_view StepName(Step step);  // "mender", "dps", "vault", "hub-manifest"
Result<Step> ParseStep(std::string_view text);
std::string_view ActionName(Action action);  // "provision", "check_name", "revoke"
Result<Action> ParseAction(std::string_view text);

struct JobId {
  std::string device_id;
  std::int64_t generation = 0;  // which approval of this device (a re-approval starts a new one)
  Step step = Step::kMender;
  Action action = Action::kProvision;
  int attempt = 1;

  friend bool operator==(const JobId&, const JobId&) = default;
};
std::string FormatJobId(const JobId& id);
Result<JobId> ParseJobId(std::string_view text);

struct Job {
  JobId id;
  Instant deadline;  // the attempt's lease ends here; a late result is ignored
  std::string name;  // approved device name
  std::string mac;
  std::string pubkey_pem;         // the device's Mender key
  std::string transport_key;      // raw X25519 key that secrets in the result are sealed to
  std::string csr_pem;            // for Vault sign mode; may be empty
  std::string facts_json = "{}";  // JSON object: what earlier steps learned that this job needs
};
std::string EncodeJob(const Job& job);
Result<Job> ParseJob(std::string_view payload);

// A worker's answer. data_json is a JSON object whose fields depend on the step and action
// (step_results.h); secrets in it are sealed to the device's transport key.
struct JobResult {
  Outcome outcome;
  std::string data_json = "{}";
};
std::string EncodeJobResult(const JobResult& result);
Result<JobResult> ParseJobResult(std::string_view payload);

// The context string a worker seals a secret with: "gps/v1 secret <device id> <step> <field>".
std::string SecretContext(std::string_view device_id, Step step, std::string_view field);

}  // namespace gps::protocol
