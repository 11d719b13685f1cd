#include "engine/saga/history.h"

#include "gps/json/json.h"
#include "gps/protocol/command.h"

namespace gps::engine {

namespace {

using saga::Slot;
using saga::StepState;
using saga::StepStatus;

constexpr int kRecordEveryNthPoll = 10;

HistoryEntry Entry(Instant now, std::string kind) {
  HistoryEntry e;
  e.at = now;
  e.kind = std::move(kind);
  return e;
}

HistoryEntry Command(Instant now, protocol::CommandKind kind, const std::string& actor,
                     std::string name = "") {
  HistoryEntry e = Entry(now, "command");
  e.command = std::string(protocol::CommandName(kind));
  e.actor = actor;
  e.name = std::move(name);
  return e;
}

std::optional<HistoryEntry> EventEntry(const std::optional<saga::Saga>& before,
                                       const saga::Saga& after, const Event& event, Instant now) {
  return std::visit(
      [&](const auto& e) -> std::optional<HistoryEntry> {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Announced>) {
          if (before) {
            return std::nullopt;
          }
          HistoryEntry h = Entry(now, "announced");
          h.message = "first announce, MAC " + after.mac + ", key " + after.fingerprint;
          return h;
        } else if constexpr (std::is_same_v<E, ApproveRequested>) {
          return Command(now, protocol::CommandKind::kApprove, e.actor, e.name);
        } else if constexpr (std::is_same_v<E, DismissRequested>) {
          return Command(now, protocol::CommandKind::kDismiss, e.actor);
        } else if constexpr (std::is_same_v<E, RetryRequested>) {
          return Command(now, protocol::CommandKind::kRetry, e.actor);
        } else if constexpr (std::is_same_v<E, RunNowRequested>) {
          return Command(now, protocol::CommandKind::kRunNow, e.actor, e.step);
        } else if constexpr (std::is_same_v<E, RevokeRequested>) {
          return Command(now, protocol::CommandKind::kRevoke, e.actor);
        } else if constexpr (std::is_same_v<E, BundleSealed>) {
          if (!before || !before->sealed_bundle.empty() || after.sealed_bundle.empty()) {
            return std::nullopt;
          }
          HistoryEntry h = Entry(now, "credentials");
          h.message =
              "credentials sealed to the device and published (bundle " + after.bundle_id + ")";
          return h;
        } else {
          return std::nullopt;
        }
      },
      event);
}

std::string_view ResultOutcome(const StepState& a) {
  switch (a.status) {
    case StepStatus::kSucceeded:
      return "ok";
    case StepStatus::kWaiting:
      return "retry";
    default:
      return "failed";
  }
}

// A "not in IoT Hub yet" poll of the manifest step that is left out of the timeline.
bool QuietPoll(Slot slot, const StepState& b, const StepState& a) {
  return slot == Slot::kHubManifest && b.polls > 0 && a.polls % kRecordEveryNthPoll != 0;
}

void StepEntries(Slot slot, const StepState& b, const StepState& a, Instant now,
                 std::vector<HistoryEntry>& results, std::vector<HistoryEntry>& dispatches) {
  auto step_entry = [&](std::string kind, int attempt) {
    HistoryEntry e = Entry(now, std::move(kind));
    e.step = std::string(saga::SlotName(slot));
    e.attempt = attempt;
    return e;
  };
  if (a.attempt > b.attempt) {
    if (b.status == StepStatus::kRunning && b.attempt > 0) {
      // The attempt that was out ended without a result: its lease ran out.
      HistoryEntry e = step_entry("result", b.attempt);
      e.outcome = "timeout";
      e.error = a.last_error;
      results.push_back(std::move(e));
    }
    if (a.status == StepStatus::kRunning && !QuietPoll(slot, b, a)) {
      dispatches.push_back(step_entry("dispatched", a.attempt));
    } else if (a.status != StepStatus::kRunning) {
      HistoryEntry e = step_entry("step", a.attempt);
      e.outcome = std::string(saga::StepStatusName(a.status));
      e.error = a.last_error;
      results.push_back(std::move(e));
    }
    return;
  }
  if (a.status == b.status) {
    return;
  }
  if (b.status == StepStatus::kRunning) {
    if (QuietPoll(slot, b, a)) {
      return;
    }
    HistoryEntry e = step_entry("result", a.attempt);
    e.outcome = std::string(ResultOutcome(a));
    e.error = a.status == StepStatus::kSucceeded ? "" : a.last_error;
    if (a.status == StepStatus::kWaiting) {
      e.retry_at = a.retry_at;
      if (slot == Slot::kHubManifest && a.polls > b.polls) {
        e.message = "not in IoT Hub yet (poll " + std::to_string(a.polls) + ")";
      }
    }
    results.push_back(std::move(e));
    return;
  }
  HistoryEntry e = step_entry("step", a.attempt);
  e.outcome = std::string(saga::StepStatusName(a.status));
  e.error = a.status == StepStatus::kSucceeded ? "" : a.last_error;
  if (a.status == StepStatus::kWaiting) {
    e.retry_at = a.retry_at;
  }
  results.push_back(std::move(e));
}

// A result for a step the transition dropped (an approval that went back to pending): the event
// itself says how the attempt ended.
std::optional<HistoryEntry> DroppedStepResult(const std::optional<saga::Saga>& before,
                                              const saga::Saga& after, const Event& event,
                                              Instant now) {
  const auto* r = std::get_if<StepResultArrived>(&event);
  if (r == nullptr || !before) {
    return std::nullopt;
  }
  std::optional<Slot> slot = saga::SlotFor(r->job.step, r->job.action);
  if (!slot || after.steps.count(*slot) > 0 || before->steps.count(*slot) == 0) {
    return std::nullopt;
  }
  HistoryEntry e = Entry(now, "result");
  e.step = std::string(saga::SlotName(*slot));
  e.attempt = r->job.attempt;
  const Outcome& o = r->result.outcome;
  e.outcome = o.ok() ? "ok" : o.retryable() ? "retry" : "failed";
  e.error = o.error;
  return e;
}

}  // namespace

std::vector<HistoryEntry> HistoryEntries(const std::optional<saga::Saga>& before,
                                         const saga::Saga& after, const Event& event, Instant now) {
  std::vector<HistoryEntry> out;
  if (std::optional<HistoryEntry> e = EventEntry(before, after, event, now)) {
    out.push_back(std::move(*e));
  }
  if (std::optional<HistoryEntry> e = DroppedStepResult(before, after, event, now)) {
    out.push_back(std::move(*e));
  }
  std::vector<HistoryEntry> results;
  std::vector<HistoryEntry> dispatches;
  const StepState idle;
  for (const auto& [slot, a] : after.steps) {
    const StepState* b = &idle;
    if (before) {
      auto it = before->steps.find(slot);
      if (it != before->steps.end()) {
        b = &it->second;
      }
    }
    StepEntries(slot, *b, a, now, results, dispatches);
  }
  out.insert(out.end(), results.begin(), results.end());
  out.insert(out.end(), dispatches.begin(), dispatches.end());
  if (before && before->phase != after.phase) {
    HistoryEntry e = Entry(now, "phase");
    e.from = std::string(saga::PhaseName(before->phase));
    e.to = std::string(saga::PhaseName(after.phase));
    e.error = after.last_error;
    out.push_back(std::move(e));
  }
  return out;
}

std::string EncodeHistoryEntry(const HistoryEntry& e) {
  json::Writer w;
  w.BeginObject().Field("at", FormatRfc3339(e.at)).Field("kind", e.kind);
  auto optional = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) {
      w.Field(key, value);
    }
  };
  optional("step", e.step);
  if (e.attempt > 0) {
    w.Field("attempt", e.attempt);
  }
  optional("outcome", e.outcome);
  optional("error", e.error);
  if (e.retry_at.ms > 0) {
    w.Field("retryAt", FormatRfc3339(e.retry_at));
  }
  optional("from", e.from);
  optional("to", e.to);
  optional("actor", e.actor);
  optional("command", e.command);
  optional("name", e.name);
  optional("message", e.message);
  w.EndObject();
  return w.Take();
}

}  // namespace gps::engine
