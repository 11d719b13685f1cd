#include "engine/saga/decide.h"

#include "engine/saga/decide_manifest.h"
#include "engine/saga/decide_revoke.h"
#include "engine/saga/decide_steps.h"
#include "gps/core/outcome.h"
#include "gps/json/json.h"
#include "gps/protocol/names.h"
#include "gps/protocol/step_results.h"

namespace gps::engine {

namespace {

using protocol::ReplyStatus;
using saga::Phase;
using saga::Saga;
using saga::Slot;
using saga::StepState;
using saga::StepStatus;
using namespace steps;

// Checks a provisioning result's data against the step's contract.
Status ValidateProvisionData(Slot slot, const std::string& data_json) {
  switch (slot) {
    case Slot::kMender:
      return protocol::ParseMenderProvision(data_json).status();
    case Slot::kDps: {
      Result<protocol::DpsProvisionResult> r = protocol::ParseDpsProvision(data_json);
      return r.status();
    }
    case Slot::kVault: {
      Result<protocol::VaultProvisionResult> r = protocol::ParseVaultProvision(data_json);
      return r.status();
    }
    default:
      return Status::InvalidArgument("not a provisioning step");
  }
}

// Drops the sealed secrets from the steps' data once the device holds them: nothing that was
// ever a credential stays in Redis longer than needed, even as ciphertext.
void ForgetSealedSecrets(Saga& s) {
  if (auto it = s.steps.find(Slot::kDps); it != s.steps.end()) {
    Result<protocol::DpsProvisionResult> r = protocol::ParseDpsProvision(it->second.data_json);
    if (r.ok()) {
      json::Writer w;
      w.BeginObject()
          .Field("registrationId", r->registration_id)
          .Field("idScope", r->id_scope)
          .Field("globalEndpoint", r->global_endpoint)
          .EndObject();
      it->second.data_json = w.Take();
    }
  }
  if (auto it = s.steps.find(Slot::kVault); it != s.steps.end()) {
    Result<protocol::VaultProvisionResult> r = protocol::ParseVaultProvision(it->second.data_json);
    if (r.ok()) {
      r->sealed_private_key.clear();
      it->second.data_json = protocol::EncodeVaultProvision(*r);
    }
  }
  s.sealed_bundle.clear();
}

// The serial of a certificate in a stale Vault result that is not the one the saga keeps.
std::optional<std::string> OrphanedCertificate(const Saga& s, Slot slot,
                                               const StepResultArrived& e) {
  if (slot != Slot::kVault || !e.result.outcome.ok()) {
    return std::nullopt;
  }
  Result<protocol::VaultProvisionResult> late = protocol::ParseVaultProvision(e.result.data_json);
  if (!late.ok() || late->serial.empty()) {
    return std::nullopt;
  }
  if (e.job.generation > s.generation) {
    return std::nullopt;  // never dispatched
  }
  if (e.job.generation == s.generation) {
    auto it = s.steps.find(Slot::kVault);
    if (it == s.steps.end() || e.job.attempt > it->second.attempt) {
      return std::nullopt;  // never dispatched
    }
    if (it->second.status == StepStatus::kSucceeded) {
      Result<protocol::VaultProvisionResult> kept =
          protocol::ParseVaultProvision(it->second.data_json);
      if (kept.ok() && kept->serial == late->serial) {
        return std::nullopt;  // the same result again
      }
    }
  }
  return late->serial;
}

Result<Decision> OnAnnounced(const std::optional<Saga>& current, const Announced& e,
                             const DecideContext& ctx) {
  const protocol::Announce& a = e.announce.announce;
  if (!current) {
    Saga s;
    s.device_id = a.device_id;
    s.phase = Phase::kPending;
    s.mac = a.mac;
    s.pubkey_pem = a.pubkey_pem;
    s.fingerprint = e.announce.fingerprint;
    s.check_code = e.announce.check_code;
    s.transport_key = a.transport_key;
    s.csr_pem = a.csr_pem;
    s.last_announce_ts = a.ts_ms;
    s.first_seen = ctx.now;
    s.updated_at = ctx.now;
    return WithCommand(std::move(s), PublishStatus{});
  }
  Saga s = *current;
  if (a.ts_ms <= s.last_announce_ts) {
    // A replayed or reordered announce must not roll the transport key back.
    return Status::FailedPrecondition("announce is not newer than the last one taken (ts " +
                                      std::to_string(a.ts_ms) +
                                      " <= " + std::to_string(s.last_announce_ts) + ")");
  }
  s.last_announce_ts = a.ts_ms;
  std::vector<Command> commands;
  bool key_changed = a.transport_key != s.transport_key;
  switch (s.phase) {
    case Phase::kPending:
    case Phase::kCheckingName:
      // Nothing has been sealed to the old key yet: take the new one.
      s.mac = a.mac;
      s.transport_key = a.transport_key;
      s.csr_pem = a.csr_pem;
      break;
    case Phase::kProvisioning:
    case Phase::kDelivering:
      if (key_changed) {
        s.transport_key = a.transport_key;
        s.reseal_needed = true;
        Fail(s,
             "the device restarted without its saved transport key, so the credentials already "
             "sealed to the old key cannot reach it",
             commands);
      } else if (s.phase == Phase::kDelivering) {
        // Re-delivery: the device is still waiting, so the last delivery may have been lost.
        if (s.sealed_bundle.empty()) {
          commands.push_back(SealBundle{});
        } else {
          commands.push_back(PublishCredentials{});
        }
      }
      break;
    case Phase::kProvisioned:
    case Phase::kFailed:
    case Phase::kDismissed:
    case Phase::kRevoking:
    case Phase::kRevoked:
      // The retained status already tells the device where it stands.
      break;
  }
  s.updated_at = ctx.now;
  return Decision{std::move(s), std::move(commands)};
}

Result<Decision> OnApprove(const std::optional<Saga>& current, const ApproveRequested& e,
                           const DecideContext& ctx) {
  std::vector<Command> commands;
  auto reply = [&](ReplyStatus status, std::string message) {
    commands.push_back(SendReply{e.reply, status, std::move(message)});
  };
  // A reservation made for this request that the request does not end up using is given back.
  auto release_unused = [&](const std::string& in_use) {
    if (e.reservation.granted && e.name != in_use) {
      commands.push_back(ReleaseName{e.name});
    }
  };
  if (!current) {
    reply(ReplyStatus::kNotFound, protocol::kUnknownDeviceMessage);
    release_unused("");
    return Decision{std::nullopt, std::move(commands)};
  }
  Saga s = *current;
  Status valid = protocol::ValidateDeviceName(e.name);
  if (!valid.ok()) {
    reply(ReplyStatus::kInvalid, "invalid name '" + e.name + "': " + valid.message());
    release_unused("");
    return Decision{std::move(s), std::move(commands)};
  }
  switch (s.phase) {
    case Phase::kPending:
      break;
    case Phase::kCheckingName:
      if (e.name == s.name) {
        // The same approval again (an operator clicking twice): answer when the check ends.
        AnswerPendingReply(s, ReplyStatus::kConflict, "superseded by a repeated approval",
                           commands);
        s.pending_reply = e.reply;
        return Decision{std::move(s), std::move(commands)};
      }
      reply(ReplyStatus::kConflict, "an approval as '" + s.name + "' is already in progress");
      release_unused(s.name);
      return Decision{std::move(s), std::move(commands)};
    default:
      reply(ReplyStatus::kConflict, "the device is " + std::string(saga::ApiState(s.phase)) +
                                        "; only a pending device can be approved");
      release_unused(s.name);
      return Decision{std::move(s), std::move(commands)};
  }
  if (!e.reservation.granted) {
    reply(ReplyStatus::kConflict, "the name '" + e.name + "' is reserved for another device (" +
                                      e.reservation.holder.substr(0, 12) + "…)");
    return Decision{std::move(s), std::move(commands)};
  }
  s.phase = Phase::kCheckingName;
  s.generation += 1;
  s.name = e.name;
  s.approved_by = e.actor;
  s.approved_at = ctx.now;
  s.last_error.clear();
  s.steps.clear();
  s.bundle_id.clear();
  s.sealed_bundle.clear();
  s.pending_reply = e.reply;
  for (Slot slot : kNameSlots) {
    StartStep(s, slot, ctx, commands);
  }
  commands.push_back(PublishStatus{});
  s.updated_at = ctx.now;
  return Decision{std::move(s), std::move(commands)};
}

Result<Decision> OnDismiss(const std::optional<Saga>& current, const DismissRequested& e,
                           const DecideContext& ctx) {
  if (!current) {
    return UnknownDevice(e.reply);
  }
  std::vector<Command> commands;
  Saga s = *current;
  if (s.phase != Phase::kPending && s.phase != Phase::kCheckingName) {
    commands.push_back(SendReply{e.reply, ReplyStatus::kConflict,
                                 "the device is " + std::string(saga::ApiState(s.phase)) +
                                     "; only a pending device can be dismissed"});
    return Decision{std::move(s), std::move(commands)};
  }
  AnswerPendingReply(s, ReplyStatus::kConflict, "the device was dismissed", commands);
  if (!s.name.empty()) {
    commands.push_back(ReleaseName{s.name});
  }
  s.phase = Phase::kDismissed;
  s.name.clear();
  s.steps.clear();
  s.last_error = "dismissed by " + (e.actor.empty() ? std::string("an operator") : e.actor);
  s.updated_at = ctx.now;
  commands.push_back(SendReply{e.reply, ReplyStatus::kAccepted, "dismissed"});
  commands.push_back(PublishStatus{});
  return Decision{std::move(s), std::move(commands)};
}

Result<Decision> OnStepResult(const std::optional<Saga>& current, const StepResultArrived& e,
                              const DecideContext& ctx) {
  if (!current) {
    return Status::FailedPrecondition("result for a device the engine does not know");
  }
  Saga s = *current;
  std::optional<Slot> slot = saga::SlotFor(e.job.step, e.job.action);
  if (!slot) {
    return Status::InvalidArgument("result for an action the saga never dispatches");
  }
  auto it = s.steps.find(*slot);
  if (e.job.generation != s.generation || it == s.steps.end() ||
      it->second.attempt != e.job.attempt || it->second.status != StepStatus::kRunning) {
    if (std::optional<std::string> orphan = OrphanedCertificate(s, *slot, e)) {
      // A duplicate or superseded Vault attempt made a certificate nobody will receive.
      s.updated_at = ctx.now;
      return WithCommand(std::move(s), RevokeCertificate{*orphan, e.job.generation, e.job.attempt});
    }
    std::vector<Command> commands;
    if (revoke::CompensateLateCreation(s, *slot, e, ctx, commands)) {
      s.updated_at = ctx.now;
      return Decision{std::move(s), std::move(commands)};
    }
    return Status::FailedPrecondition("stale result for " + protocol::FormatJobId(e.job));
  }
  StepState& st = it->second;
  std::vector<Command> commands;
  st.finished = ctx.now;
  s.updated_at = ctx.now;

  if (IsNameSlot(*slot)) {
    if (s.phase != Phase::kCheckingName) {
      return NotInPhase(s, "a name-check result");
    }
    if (!e.result.outcome.ok()) {
      AttemptFailed(s, *slot, e.result.outcome, false, ctx, commands);
      return Decision{std::move(s), std::move(commands)};
    }
    Result<protocol::NameCheckResult> check = protocol::ParseNameCheck(e.result.data_json);
    if (!check.ok()) {
      ReturnToPending(s,
                      "the " + CloudName(*slot) +
                          " worker answered the name check with invalid "
                          "data: " +
                          check.status().message(),
                      ReplyStatus::kUnavailable, commands);
      return Decision{std::move(s), std::move(commands)};
    }
    if (!check->available) {
      std::string why = "the name '" + s.name + "' is already used in " + CloudName(*slot);
      if (!check->detail.empty()) {
        why += " (" + check->detail + ")";
      }
      ReturnToPending(s, why, ReplyStatus::kConflict, commands);
      return Decision{std::move(s), std::move(commands)};
    }
    st.status = StepStatus::kSucceeded;
    st.data_json = e.result.data_json;
    for (Slot other : kNameSlots) {
      if (s.steps[other].status != StepStatus::kSucceeded) {
        return Decision{std::move(s), std::move(commands)};
      }
    }
    s.phase = Phase::kProvisioning;
    for (Slot p : kProvisionSlots) {
      StartStep(s, p, ctx, commands);
    }
    AnswerPendingReply(s, ReplyStatus::kAccepted,
                       "approved as '" + s.name + "'; provisioning has started", commands);
    return Decision{std::move(s), std::move(commands)};
  }

  // Results of steps still running when another failed are recorded in the failed saga too, so
  // that what exists in each cloud stays known.
  if (IsRevokeSlot(*slot)) {
    if (s.phase != Phase::kRevoking && s.phase != Phase::kFailed) {
      return NotInPhase(s, "a revocation result");
    }
    revoke::OnResult(s, *slot, e, ctx, commands);
    return Decision{std::move(s), std::move(commands)};
  }
  if (*slot == Slot::kHubManifest) {
    if (s.phase != Phase::kProvisioned && s.phase != Phase::kFailed) {
      return NotInPhase(s, "a manifest result");
    }
    manifest::OnResult(s, e, ctx, commands);
    return Decision{std::move(s), std::move(commands)};
  }
  if (s.phase != Phase::kProvisioning && s.phase != Phase::kFailed) {
    return NotInPhase(s, "a provisioning result");
  }
  if (!e.result.outcome.ok()) {
    AttemptFailed(s, *slot, e.result.outcome, false, ctx, commands);
    return Decision{std::move(s), std::move(commands)};
  }
  Status data = ValidateProvisionData(*slot, e.result.data_json);
  if (!data.ok()) {
    st.status = StepStatus::kFailed;
    st.last_error = "invalid result data: " + data.message();
    if (s.phase == Phase::kProvisioning) {
      Fail(s, CloudName(*slot) + " worker returned invalid data: " + data.message(), commands);
    }
    return Decision{std::move(s), std::move(commands)};
  }
  st.status = StepStatus::kSucceeded;
  st.data_json = e.result.data_json;
  if (s.phase != Phase::kProvisioning) {
    return Decision{std::move(s), std::move(commands)};
  }
  for (Slot p : kProvisionSlots) {
    if (s.steps[p].status != StepStatus::kSucceeded) {
      return Decision{std::move(s), std::move(commands)};
    }
  }
  s.phase = Phase::kDelivering;
  s.bundle_id = BundleIdFor(s.generation);
  s.sealed_bundle.clear();
  commands.push_back(SealBundle{});
  return Decision{std::move(s), std::move(commands)};
}

Result<Decision> OnBundleSealed(const std::optional<Saga>& current, const BundleSealed& e,
                                const DecideContext& ctx) {
  if (!current) {
    return Status::FailedPrecondition("sealed bundle for an unknown device");
  }
  Saga s = *current;
  if (s.phase != Phase::kDelivering) {
    return NotInPhase(s, "a sealed bundle");
  }
  if (e.bundle_id != s.bundle_id) {
    return Status::FailedPrecondition("sealed bundle " + e.bundle_id + " is not the current one (" +
                                      s.bundle_id + ")");
  }
  if (!s.sealed_bundle.empty()) {
    // Sealed twice (a redelivered request): the first ciphertext stays, so every delivery of one
    // bundle is byte-identical.
    return WithCommand(std::move(s), PublishCredentials{});
  }
  s.sealed_bundle = e.sealed;
  s.delivered_at = ctx.now;
  s.updated_at = ctx.now;
  return WithCommand(std::move(s), PublishCredentials{});
}

Result<Decision> OnAck(const std::optional<Saga>& current, const AckReceived& e,
                       const DecideContext& ctx) {
  if (!current) {
    return Status::FailedPrecondition("ack from an unknown device");
  }
  Saga s = *current;
  if (e.bundle_id != s.bundle_id || s.bundle_id.empty()) {
    return Status::FailedPrecondition("ack names bundle '" + e.bundle_id +
                                      "', the current one is '" + s.bundle_id + "'");
  }
  if (s.phase == Phase::kProvisioned) {
    // The device did not see our confirmation: say it again.
    return WithCommand(std::move(s), PublishStatus{});
  }
  if (s.phase != Phase::kDelivering) {
    return NotInPhase(s, "an ack");
  }
  s.phase = Phase::kProvisioned;
  s.provisioned_at = ctx.now;
  s.updated_at = ctx.now;
  s.last_error.clear();
  ForgetSealedSecrets(s);
  std::vector<Command> commands;
  commands.push_back(PublishStatus{});
  manifest::StartAfterAck(s, ctx, commands);
  return Decision{std::move(s), std::move(commands)};
}

Result<Decision> OnTimer(const std::optional<Saga>& current, const DecideContext& ctx) {
  if (!current) {
    return Status::FailedPrecondition("timer for a device the engine does not know");
  }
  Saga s = *current;
  std::vector<Command> commands;
  std::vector<Slot> slots;
  for (const auto& [slot, st] : s.steps) {
    slots.push_back(slot);
  }
  for (Slot slot : slots) {
    auto it = s.steps.find(slot);
    if (it == s.steps.end()) {
      break;  // the approval went back to pending and its steps were dropped
    }
    StepState& st = it->second;
    if (st.status == StepStatus::kRunning && st.deadline <= ctx.now) {
      // The worker died, the job or its result was lost, or the cloud is hanging: the attempt is
      // over either way, and its late result will be stale.
      Millis lease = st.deadline - st.started;
      AttemptFailed(s, slot,
                    Outcome::Retryable("no result within the attempt's lease of " +
                                       std::to_string(lease / 1000) + " s"),
                    true, ctx, commands);
    } else if (st.status == StepStatus::kWaiting && st.retry_at <= ctx.now) {
      if (SlotIsActive(s, slot)) {
        StartNextAttempt(s, slot, ctx, commands);
      } else {
        st.status = StepStatus::kFailed;
      }
    }
  }
  if (!(s == *current)) {
    s.updated_at = ctx.now;
  }
  return Decision{std::move(s), std::move(commands)};
}

// Moves a saga whose three provisioning steps have succeeded on to delivery.
void DeliverIfComplete(Saga& s, std::vector<Command>& commands) {
  for (Slot p : kProvisionSlots) {
    auto it = s.steps.find(p);
    if (it == s.steps.end() || it->second.status != StepStatus::kSucceeded) {
      return;
    }
  }
  s.phase = Phase::kDelivering;
  s.bundle_id = BundleIdFor(s.generation);
  s.sealed_bundle.clear();
  commands.push_back(SealBundle{});
}

// Runs a failed provisioning's failed steps again; returns the slots restarted.
std::vector<Slot> RetryProvisioning(Saga& s, const DecideContext& ctx,
                                    std::vector<Command>& commands) {
  s.phase = Phase::kProvisioning;
  s.last_error.clear();
  s.bundle_id.clear();
  s.sealed_bundle.clear();
  std::vector<Slot> restarted;
  for (Slot slot : kProvisionSlots) {
    StepState& st = s.steps[slot];
    // Results sealed to a transport key the device no longer has must be made again.
    bool sealed_to_old_key = s.reseal_needed && (slot == Slot::kDps || slot == Slot::kVault);
    if (st.status == StepStatus::kFailed || st.status == StepStatus::kIdle ||
        st.status == StepStatus::kWaiting || sealed_to_old_key) {
      RestartWithNewBudget(s, slot, ctx, commands);
      restarted.push_back(slot);
    }
  }
  s.reseal_needed = false;
  DeliverIfComplete(s, commands);
  return restarted;
}

Result<Decision> OnRetry(const std::optional<Saga>& current, const RetryRequested& e,
                         const DecideContext& ctx) {
  if (!current) {
    return UnknownDevice(e.reply);
  }
  std::vector<Command> commands;
  Saga s = *current;
  if (s.phase != Phase::kFailed) {
    commands.push_back(SendReply{e.reply, ReplyStatus::kConflict,
                                 "the device is " + std::string(saga::ApiState(s.phase)) +
                                     "; only a failed device can be retried"});
    return Decision{std::move(s), std::move(commands)};
  }
  std::vector<Slot> restarted;
  std::string what;
  if (revoke::Started(s)) {
    restarted = revoke::Retry(s, ctx, commands);
    what = "retrying the revocation: ";
  } else if (s.provisioned_at.ms != 0) {
    restarted = manifest::Retry(s, ctx, commands);
    what = "retrying ";
  } else {
    restarted = RetryProvisioning(s, ctx, commands);
    what = restarted.empty() ? "retrying the delivery" : "retrying ";
  }
  s.updated_at = ctx.now;
  commands.push_back(SendReply{e.reply, ReplyStatus::kAccepted, what + JoinSlotNames(restarted)});
  commands.push_back(PublishStatus{});
  return Decision{std::move(s), std::move(commands)};
}

Result<Decision> OnRunNow(const std::optional<Saga>& current, const RunNowRequested& e,
                          const DecideContext& ctx) {
  if (!current) {
    return UnknownDevice(e.reply);
  }
  std::vector<Command> commands;
  Saga s = *current;
  std::optional<Slot> only;
  if (!e.step.empty()) {
    Result<Slot> parsed = saga::ParseSlot(e.step);
    if (!parsed.ok()) {
      commands.push_back(
          SendReply{e.reply, ReplyStatus::kInvalid, "unknown step '" + e.step.substr(0, 32) + "'"});
      return Decision{std::move(s), std::move(commands)};
    }
    only = *parsed;
  }
  int started = 0;
  for (auto& [slot, st] : s.steps) {
    if (st.status == StepStatus::kWaiting && (!only || *only == slot) && SlotIsActive(s, slot)) {
      StartNextAttempt(s, slot, ctx, commands);
      ++started;
    }
  }
  if (started == 0) {
    commands.push_back(SendReply{e.reply, ReplyStatus::kConflict,
                                 only ? "the step " + e.step + " is not waiting for a retry"
                                      : "no step is waiting for a retry"});
    return Decision{std::move(s), std::move(commands)};
  }
  s.updated_at = ctx.now;
  commands.push_back(SendReply{e.reply, ReplyStatus::kAccepted,
                               "started " + std::to_string(started) + " step(s) now"});
  return Decision{std::move(s), std::move(commands)};
}
}  // namespace

const retry::Policy& DecideContext::PolicyFor(saga::Slot slot) const {
  static const retry::Policy kDefault;
  auto it = policies.find(slot);
  return it == policies.end() ? kDefault : it->second;
}

std::string_view EventName(const Event& event) {
  static constexpr std::string_view kNames[] = {
      "announced",         "approve_requested", "dismiss_requested", "step_result",
      "bundle_sealed",     "ack_received",      "timer_fired",       "retry_requested",
      "run_now_requested", "revoke_requested"};
  return kNames[event.index()];
}

std::string BundleIdFor(std::int64_t generation) { return "g" + std::to_string(generation); }

Result<Decision> Decide(const std::optional<saga::Saga>& current, const Event& event,
                        const DecideContext& ctx) {
  return std::visit(
      [&](const auto& e) -> Result<Decision> {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Announced>) {
          return OnAnnounced(current, e, ctx);
        } else if constexpr (std::is_same_v<E, ApproveRequested>) {
          return OnApprove(current, e, ctx);
        } else if constexpr (std::is_same_v<E, DismissRequested>) {
          return OnDismiss(current, e, ctx);
        } else if constexpr (std::is_same_v<E, StepResultArrived>) {
          return OnStepResult(current, e, ctx);
        } else if constexpr (std::is_same_v<E, BundleSealed>) {
          return OnBundleSealed(current, e, ctx);
        } else if constexpr (std::is_same_v<E, AckReceived>) {
          return OnAck(current, e, ctx);
        } else if constexpr (std::is_same_v<E, TimerFired>) {
          return OnTimer(current, ctx);
        } else if constexpr (std::is_same_v<E, RetryRequested>) {
          return OnRetry(current, e, ctx);
        } else if constexpr (std::is_same_v<E, RevokeRequested>) {
          return revoke::OnRevoke(current, e, ctx);
        } else {
          return OnRunNow(current, e, ctx);
        }
      },
      event);
}

}  // namespace gps::engine
