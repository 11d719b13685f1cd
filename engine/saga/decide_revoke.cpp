#include "engine/saga/decide_revoke.h"

#include "engine/saga/decide_steps.h"

namespace gps::engine::revoke {

using protocol::ReplyStatus;
using saga::Phase;
using saga::Saga;
using saga::Slot;
using saga::StepState;
using saga::StepStatus;

namespace {

// The provisioning slot whose creation a revoke slot undoes.
Slot ForwardSlot(Slot revoke_slot) {
  switch (revoke_slot) {
    case Slot::kMenderRevoke:
      return Slot::kMender;
    case Slot::kDpsRevoke:
      return Slot::kDps;
    case Slot::kVaultRevoke:
      return Slot::kVault;
    default:
      return Slot::kHubManifest;
  }
}

std::optional<Slot> RevokeSlotFor(Slot forward) {
  switch (forward) {
    case Slot::kMender:
      return Slot::kMenderRevoke;
    case Slot::kDps:
      return Slot::kDpsRevoke;
    case Slot::kVault:
      return Slot::kVaultRevoke;
    default:
      return std::nullopt;
  }
}

bool NeedsRestart(const StepState& st) {
  return st.status == StepStatus::kFailed || st.status == StepStatus::kIdle ||
         st.status == StepStatus::kWaiting;
}

// Starts a compensation now, or when the forward attempt it undoes can no longer act.
void StartCompensation(Saga& s, Slot slot, Instant forward_settles, const DecideContext& ctx,
                       std::vector<Command>& commands) {
  if (forward_settles <= ctx.now) {
    steps::StartStep(s, slot, ctx, commands);
    return;
  }
  StepState st;
  st.status = StepStatus::kWaiting;
  st.retry_at = forward_settles;
  st.last_error = "waiting for the running " + steps::StepTitle(ForwardSlot(slot)) +
                  " attempt to end before undoing it";
  s.steps[slot] = st;
}

void FinishIfComplete(Saga& s, const DecideContext& ctx, std::vector<Command>& commands) {
  if (s.phase != Phase::kRevoking) {
    return;
  }
  for (Slot slot : steps::kRevokeSlots) {
    if (!steps::Succeeded(s, slot)) {
      return;
    }
  }
  s.phase = Phase::kRevoked;
  s.revoked_at = ctx.now;
  s.last_error.clear();
  Emit(commands, PublishStatus{});
}

// The IoT Hub device goes once no enrollment can bring it back.
void StartHubIfDue(Saga& s, const DecideContext& ctx, std::vector<Command>& commands) {
  if (!steps::Succeeded(s, Slot::kDpsRevoke)) {
    return;
  }
  auto it = s.steps.find(Slot::kHubRevoke);
  if (it == s.steps.end()) {
    steps::StartStep(s, Slot::kHubRevoke, ctx, commands);
  } else if (NeedsRestart(it->second)) {
    steps::RestartWithNewBudget(s, Slot::kHubRevoke, ctx, commands);
  }
}

}  // namespace

bool Started(const Saga& s) { return s.revoke_requested_at.ms != 0; }

Result<Decision> OnRevoke(const std::optional<Saga>& current, const RevokeRequested& e,
                          const DecideContext& ctx) {
  if (!current) {
    return steps::UnknownDevice(e.reply);
  }
  Saga s = *current;
  std::vector<Command> commands;
  auto refuse = [&](std::string message) {
    Emit(commands, SendReply{e.reply, ReplyStatus::kConflict, std::move(message)});
    return Decision{std::move(s), std::move(commands)};
  };
  switch (s.phase) {
    case Phase::kPending:
    case Phase::kCheckingName:
      return refuse("nothing has been created for a device that is not approved yet; dismiss it");
    case Phase::kDismissed:
      return refuse("the device was dismissed; nothing was created for it");
    case Phase::kRevoking:
      return refuse("the device is already being revoked");
    case Phase::kRevoked:
      return refuse("the device is already revoked");
    case Phase::kFailed:
      if (Started(s)) {
        std::vector<Slot> restarted = Retry(s, ctx, commands);
        Emit(commands, SendReply{e.reply, ReplyStatus::kAccepted,
                                 "retrying the revocation: " + steps::JoinSlotNames(restarted)});
        s.updated_at = ctx.now;
        return Decision{std::move(s), std::move(commands)};
      }
      break;
    case Phase::kProvisioning:
    case Phase::kDelivering:
    case Phase::kProvisioned:
      break;
  }
  s.generation += 1;
  s.phase = Phase::kRevoking;
  s.revoked_by = e.actor;
  s.revoke_requested_at = ctx.now;
  s.last_error.clear();
  s.bundle_id.clear();
  s.sealed_bundle.clear();
  s.reseal_needed = false;
  for (Slot slot : steps::kProvisionSlots) {
    StepState& forward = s.steps[slot];
    Instant settles = ctx.now;
    if (forward.status == StepStatus::kRunning) {
      settles = forward.deadline;
    }
    if (forward.status == StepStatus::kRunning || forward.status == StepStatus::kWaiting) {
      forward.status = StepStatus::kFailed;
      forward.retry_at = {};
      forward.last_error = "stopped: the device was revoked";
    }
    StartCompensation(s, *RevokeSlotFor(slot), settles, ctx, commands);
  }
  if (auto it = s.steps.find(Slot::kHubManifest); it != s.steps.end()) {
    if (it->second.status == StepStatus::kRunning || it->second.status == StepStatus::kWaiting) {
      it->second.status = StepStatus::kFailed;
      it->second.retry_at = {};
      it->second.last_error = "stopped: the device was revoked";
    }
  }
  s.updated_at = ctx.now;
  Emit(commands, SendReply{e.reply, ReplyStatus::kAccepted,
                           "revoking '" + s.name +
                               "': Mender decommission, DPS enrollment delete, Vault "
                               "certificate revoke, then IoT Hub device disable"});
  Emit(commands, PublishStatus{});
  return Decision{std::move(s), std::move(commands)};
}

void OnResult(Saga& s, Slot slot, const StepResultArrived& e, const DecideContext& ctx,
              std::vector<Command>& commands) {
  if (!e.result.outcome.ok()) {
    steps::AttemptFailed(s, slot, e.result.outcome, false, ctx, commands);
    return;
  }
  StepState& st = s.steps[slot];
  st.status = StepStatus::kSucceeded;
  st.data_json = e.result.data_json;
  st.last_error.clear();
  if (s.phase != Phase::kRevoking) {
    return;  // recorded; the operator's retry carries on from here
  }
  if (slot == Slot::kDpsRevoke) {
    StartHubIfDue(s, ctx, commands);
  }
  FinishIfComplete(s, ctx, commands);
}

bool CompensateLateCreation(Saga& s, Slot slot, const StepResultArrived& e,
                            const DecideContext& ctx, std::vector<Command>& commands) {
  std::optional<Slot> revoke_slot = RevokeSlotFor(slot);
  if (!Started(s) || !revoke_slot || slot == Slot::kVault || !e.result.outcome.ok() ||
      e.job.generation >= s.generation) {
    return false;  // Vault's late certificates are revoked one by one (OrphanedCertificate)
  }
  if (slot == Slot::kMender) {
    // The revocation needs the id this creation reported.
    s.steps[Slot::kMender].data_json = e.result.data_json;
  }
  StepState& st = s.steps[*revoke_slot];
  if (st.status == StepStatus::kRunning || st.status == StepStatus::kWaiting) {
    return true;  // its next attempt comes after this creation anyway
  }
  st.last_error = "a " + steps::StepTitle(slot) + " attempt created the device after the " +
                  "revocation had begun; undoing it again";
  if (s.phase == Phase::kFailed) {
    st.status = StepStatus::kFailed;  // the operator's retry takes it up
    return true;
  }
  s.phase = Phase::kRevoking;
  s.revoked_at = {};
  steps::RestartWithNewBudget(s, *revoke_slot, ctx, commands);
  if (slot == Slot::kDps) {
    // The gateway may have registered meanwhile: the hub device is disabled again afterwards.
    s.steps.erase(Slot::kHubRevoke);
  }
  Emit(commands, PublishStatus{});
  return true;
}

std::vector<Slot> Retry(Saga& s, const DecideContext& ctx, std::vector<Command>& commands) {
  s.phase = Phase::kRevoking;
  s.last_error.clear();
  std::vector<Slot> restarted;
  for (Slot slot : {Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke}) {
    auto it = s.steps.find(slot);
    if (it == s.steps.end()) {
      steps::StartStep(s, slot, ctx, commands);
      restarted.push_back(slot);
    } else if (NeedsRestart(it->second)) {
      steps::RestartWithNewBudget(s, slot, ctx, commands);
      restarted.push_back(slot);
    }
  }
  std::size_t before = commands.size();
  StartHubIfDue(s, ctx, commands);
  if (commands.size() != before) {
    restarted.push_back(Slot::kHubRevoke);
  }
  FinishIfComplete(s, ctx, commands);
  return restarted;
}

}  // namespace gps::engine::revoke
