#pragma once
// The saga record: everything the service knows about one device's provisioning, as stored in
// Redis (gps:{id}:saga, field doc) and read by the engine (which alone writes it) and gps-ui.
// Transitions live in engine/saga/; this file is the data and its JSON form.
// Secrets never appear here in clear: worker outputs and the bundle are sealed to the device.
// Value type; thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/protocol/job.h"

namespace gps::saga {

enum class Phase {
  kPending,       // announced, waiting for an operator
  kCheckingName,  // approved; the name is reserved here and being checked in Mender and DPS
  kProvisioning,  // Mender, DPS and Vault steps running in parallel
  kDelivering,    // bundle sealed and published; waiting for the device's ack
  kProvisioned,   // the device acknowledged its files
  kFailed,        // a step failed; see last_error and the step
  kDismissed,     // an operator dismissed the device
  kRevoking,      // an operator revoked the device; the compensations are running
  kRevoked,       // every cloud has forgotten or disabled the device
};
std::string_view PhaseName(Phase phase);
Result<Phase> ParsePhase(std::string_view text);
// The state the REST API and the device see: pending, provisioning, provisioned, failed, dismissed,
// revoking, revoked.
std::string_view ApiState(Phase phase);

// One unit of cloud work in a saga. Name checks, provisioning and revocation of the same cloud are
// separate slots, each with its own attempts. kHubManifest runs after the device's ack.
enum class Slot {
  kMenderName,
  kDpsName,
  kMender,
  kDps,
  kVault,
  kHubManifest,
  kMenderRevoke,
  kDpsRevoke,
  kVaultRevoke,
  kHubRevoke,
};
std::string_view SlotName(Slot slot);
Result<Slot> ParseSlot(std::string_view text);
protocol::Step SlotStep(Slot slot);
protocol::Action SlotAction(Slot slot);
// The slot a job id addresses, if any.
std::optional<Slot> SlotFor(protocol::Step step, protocol::Action action);

// kWaiting: an attempt failed in a way worth retrying; the next one starts at retry_at.
enum class StepStatus { kIdle, kRunning, kWaiting, kSucceeded, kFailed };
std::string_view StepStatusName(StepStatus s);

struct StepState {
  StepStatus status = StepStatus::kIdle;
  int attempt = 0;               // the current (or last) attempt number, from 1
  Instant started;               // when the current attempt was dispatched
  Instant deadline;              // its lease: a result after this is stale
  Instant finished;              // when it succeeded or failed
  std::string last_error;        // the cloud's words, for the operator
  std::string data_json = "{}";  // the worker's result data (protocol/step_results.h)
  Instant retry_at;              // kWaiting: when the next attempt starts
  int budget_start = 0;          // attempts not counted by the current budget (operator retry,
                                 // answers that the device is not in IoT Hub yet)
  Instant waiting_since;         // hub manifest: the first "not in IoT Hub yet" answer
  int polls = 0;                 // hub manifest: "not in IoT Hub yet" answers so far

  friend bool operator==(const StepState&, const StepState&) = default;
};

// Where to answer an operator command whose answer had to wait (the approval's name check).
struct ReplyTarget {
  std::string topic;
  std::string correlation;
  bool empty() const { return topic.empty(); }
  friend bool operator==(const ReplyTarget&, const ReplyTarget&) = default;
};

struct Saga {
  std::string device_id;
  std::int64_t version = 0;     // Redis compare-and-set counter; not part of the JSON document
  std::int64_t generation = 0;  // which approval; job ids carry it, so older results are stale
  Phase phase = Phase::kPending;

  // From the verified announce.
  std::string mac;
  std::string pubkey_pem;
  std::string fingerprint;
  std::string check_code;
  std::string transport_key;  // raw X25519 public key
  std::string csr_pem;
  std::int64_t last_announce_ts = 0;
  Instant first_seen;

  // From the operator.
  std::string name;
  std::string approved_by;
  Instant approved_at;

  std::map<Slot, StepState> steps;

  std::string bundle_id;      // this delivery's id; the ack must name it
  std::string sealed_bundle;  // raw ciphertext kept for re-delivery until the ack
  Instant delivered_at;
  Instant provisioned_at;
  std::string revoked_by;
  Instant revoke_requested_at;
  Instant revoked_at;

  std::string last_error;
  // The device came back with another transport key after secrets were sealed to the old one:
  // a retry must run the steps whose results are sealed (DPS, Vault) again.
  bool reseal_needed = false;
  ReplyTarget pending_reply;
  Instant updated_at;

  friend bool operator==(const Saga&, const Saga&) = default;
};

// The earliest time the saga needs attention without any message arriving: a running attempt's
// lease or a waiting step's retry time. nullopt when nothing is timed.
std::optional<Instant> NextDue(const Saga& saga);

// Attempts made within the step's current budget.
inline int AttemptsInBudget(const StepState& st) { return st.attempt - st.budget_start; }

std::string EncodeSaga(const Saga& saga);
// version comes from the Redis hash next to the document.
Result<Saga> DecodeSaga(std::string_view json, std::int64_t version);

inline constexpr std::size_t kMaxSagaBytes = 512 * 1024;

}  // namespace gps::saga
