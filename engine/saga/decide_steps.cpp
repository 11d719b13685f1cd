#include "engine/saga/decide_steps.h"

#include <algorithm>

namespace gps::engine::steps {

using protocol::ReplyStatus;
using saga::Phase;
using saga::Saga;
using saga::Slot;
using saga::StepState;
using saga::StepStatus;

bool IsNameSlot(Slot s) { return s == Slot::kMenderName || s == Slot::kDpsName; }

bool IsRevokeSlot(Slot s) {
  return std::find(std::begin(kRevokeSlots), std::end(kRevokeSlots), s) != std::end(kRevokeSlots);
}

std::string CloudName(Slot s) {
  switch (saga::SlotStep(s)) {
    case protocol::Step::kMender:
      return "Mender";
    case protocol::Step::kDps:
      return "DPS";
    case protocol::Step::kVault:
      return "Vault";
    case protocol::Step::kHubManifest:
      return "IoT Hub";
  }
  return "cloud";
}

std::string StepTitle(Slot s) {
  if (IsRevokeSlot(s)) {
    return CloudName(s) + " revocation";
  }
  if (s == Slot::kHubManifest) {
    return "IoT Hub manifest step";
  }
  return CloudName(s) + " step";
}

Decision WithCommand(Saga s, Command c) {
  Decision d;
  d.next = std::move(s);
  Emit(d.commands, std::move(c));
  return d;
}

Status NotInPhase(const Saga& s, std::string_view what) {
  return Status::FailedPrecondition(std::string(what) + " does not apply to a device in phase " +
                                    std::string(saga::PhaseName(s.phase)));
}

Decision UnknownDevice(const saga::ReplyTarget& reply) {
  Decision d;
  Emit(d.commands, SendReply{reply, ReplyStatus::kNotFound, protocol::kUnknownDeviceMessage});
  return d;
}

bool SlotIsActive(const Saga& s, Slot slot) {
  if (IsNameSlot(slot)) {
    return s.phase == Phase::kCheckingName;
  }
  if (IsRevokeSlot(slot)) {
    return s.phase == Phase::kRevoking;
  }
  if (slot == Slot::kHubManifest) {
    return s.phase == Phase::kProvisioned;
  }
  return s.phase == Phase::kProvisioning;
}

bool Succeeded(const Saga& s, Slot slot) {
  auto it = s.steps.find(slot);
  return it != s.steps.end() && it->second.status == StepStatus::kSucceeded;
}

void StartStep(Saga& s, Slot slot, const DecideContext& ctx, std::vector<Command>& commands) {
  StepState st;
  st.status = StepStatus::kRunning;
  st.attempt = 1;
  st.started = ctx.now;
  st.deadline = ctx.now + ctx.PolicyFor(slot).attempt_timeout_ms;
  s.steps[slot] = st;
  Emit(commands, DispatchJob{slot});
}

void StartNextAttempt(Saga& s, Slot slot, const DecideContext& ctx,
                      std::vector<Command>& commands) {
  StepState& st = s.steps[slot];
  st.status = StepStatus::kRunning;
  st.attempt += 1;
  st.started = ctx.now;
  st.deadline = ctx.now + ctx.PolicyFor(slot).attempt_timeout_ms;
  st.retry_at = {};
  st.finished = {};
  Emit(commands, DispatchJob{slot});
}

void RestartWithNewBudget(Saga& s, Slot slot, const DecideContext& ctx,
                          std::vector<Command>& commands) {
  StepState& st = s.steps[slot];
  st.budget_start = st.attempt;
  StartNextAttempt(s, slot, ctx, commands);
}

std::string Attempts(int n) { return std::to_string(n) + (n == 1 ? " attempt" : " attempts"); }

std::string JoinSlotNames(const std::vector<Slot>& slots) {
  std::string list;
  for (Slot slot : slots) {
    list += (list.empty() ? "" : ", ") + std::string(saga::SlotName(slot));
  }
  return list;
}

void AnswerPendingReply(Saga& s, ReplyStatus status, std::string message,
                        std::vector<Command>& commands) {
  if (!s.pending_reply.empty()) {
    Emit(commands, SendReply{s.pending_reply, status, std::move(message)});
    s.pending_reply = {};
  }
}

void ReturnToPending(Saga& s, std::string error, ReplyStatus reply_status,
                     std::vector<Command>& commands) {
  // Attempts this same event started belong to the approval that just ended.
  std::erase_if(commands, [](const Command& c) { return std::holds_alternative<DispatchJob>(c); });
  if (!s.name.empty()) {
    Emit(commands, ReleaseName{s.name});
  }
  AnswerPendingReply(s, reply_status, error, commands);
  s.phase = Phase::kPending;
  s.name.clear();
  s.approved_by.clear();
  s.approved_at = {};
  s.last_error = std::move(error);
  s.steps.clear();
  Emit(commands, PublishStatus{});
}

void Fail(Saga& s, std::string error, std::vector<Command>& commands) {
  s.phase = Phase::kFailed;
  s.last_error = std::move(error);
  // A step waiting out its backoff will not be retried by a failed saga; an operator's retry
  // runs it again with the failed ones.
  for (auto& [slot, st] : s.steps) {
    if (st.status == StepStatus::kWaiting) {
      st.status = StepStatus::kFailed;
      st.retry_at = {};
    }
  }
  Emit(commands, PublishStatus{});
}

void AttemptFailed(Saga& s, Slot slot, const Outcome& outcome, bool start_at_once,
                   const DecideContext& ctx, std::vector<Command>& commands) {
  StepState& st = s.steps[slot];
  st.finished = ctx.now;
  st.last_error = outcome.error;
  const retry::Policy& policy = ctx.PolicyFor(slot);
  int made = saga::AttemptsInBudget(st);
  if (!SlotIsActive(s, slot)) {
    // A step still running when the saga failed: its outcome is recorded, the operator decides.
    st.status = StepStatus::kFailed;
    return;
  }
  if (outcome.retryable() && retry::HasAttemptsLeft(policy, made)) {
    if (start_at_once) {
      StartNextAttempt(s, slot, ctx, commands);
    } else {
      st.status = StepStatus::kWaiting;
      st.retry_at = ctx.now + retry::NextDelay(policy, made, outcome.retry_after_ms, ctx.random01);
    }
    return;
  }
  st.status = StepStatus::kFailed;
  std::string why = outcome.retryable() ? " after " + Attempts(st.attempt) : "";
  if (IsNameSlot(slot)) {
    ReturnToPending(s,
                    "could not check the name in " + CloudName(slot) + why + ": " + outcome.error,
                    ReplyStatus::kUnavailable, commands);
    return;
  }
  Fail(s,
       StepTitle(slot) + " failed" + why + " (attempt " + std::to_string(st.attempt) +
           "): " + outcome.error,
       commands);
}

}  // namespace gps::engine::steps
