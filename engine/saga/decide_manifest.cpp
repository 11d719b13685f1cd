#include "engine/saga/decide_manifest.h"

#include "engine/saga/decide_steps.h"
#include "gps/protocol/step_results.h"

namespace gps::engine::manifest {

using saga::Phase;
using saga::Saga;
using saga::Slot;
using saga::StepState;
using saga::StepStatus;

namespace {

constexpr Millis kDay = 24LL * 3'600'000;
constexpr Millis kHour = 3'600'000;

void StillWaiting(Saga& s, StepState& st, const Outcome& outcome, const DecideContext& ctx,
                  std::vector<Command>& commands) {
  if (st.waiting_since.ms == 0) {
    st.waiting_since = ctx.now;
  }
  st.last_error = outcome.error;
  if (ctx.now - st.waiting_since >= ctx.manifest.deadline_ms) {
    st.status = StepStatus::kFailed;
    steps::Fail(
        s,
        "IoT Hub manifest step failed: the gateway did not appear in IoT Hub within " +
            DescribeDuration(ctx.manifest.deadline_ms) +
            " (it registers through DPS with the delivered key); last answer: " + outcome.error,
        commands);
    return;
  }
  // This answer says nothing went wrong, and that the cloud answers: it does not count against
  // the retry budget, and the failures before it do not either. Over a wait of days only
  // failures in a row may end the step.
  st.polls += 1;
  st.budget_start = st.attempt;
  st.status = StepStatus::kWaiting;
  st.retry_at =
      ctx.now + retry::NextDelay(ctx.manifest.poll, st.polls, outcome.retry_after_ms, ctx.random01);
}

}  // namespace

std::string DescribeDuration(Millis ms) {
  auto plural = [](Millis n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (ms >= kDay && ms % kDay == 0) {
    return plural(ms / kDay, "day");
  }
  if (ms >= kHour && ms % kHour == 0) {
    return plural(ms / kHour, "hour");
  }
  if (ms % 1000 == 0) {
    return std::to_string(ms / 1000) + " s";
  }
  return std::to_string(ms) + " ms";
}

void StartAfterAck(Saga& s, const DecideContext& ctx, std::vector<Command>& commands) {
  if (ctx.manifest.enabled) {
    steps::StartStep(s, Slot::kHubManifest, ctx, commands);
  }
}

void OnResult(Saga& s, const StepResultArrived& e, const DecideContext& ctx,
              std::vector<Command>& commands) {
  StepState& st = s.steps[Slot::kHubManifest];
  const Outcome& outcome = e.result.outcome;
  if (outcome.ok()) {
    Result<protocol::HubManifestResult> data = protocol::ParseHubManifest(e.result.data_json);
    if (!data.ok()) {
      st.status = StepStatus::kFailed;
      st.last_error = "invalid result data: " + data.status().message();
      if (s.phase == Phase::kProvisioned) {
        steps::Fail(s, "IoT Hub worker returned invalid data: " + data.status().message(),
                    commands);
      }
      return;
    }
    st.status = StepStatus::kSucceeded;
    st.data_json = e.result.data_json;
    st.last_error.clear();
    return;
  }
  if (protocol::IsWaitingForHubDevice(e.result) && s.phase == Phase::kProvisioned) {
    StillWaiting(s, st, outcome, ctx, commands);
    return;
  }
  steps::AttemptFailed(s, Slot::kHubManifest, outcome, false, ctx, commands);
}

std::vector<Slot> Retry(Saga& s, const DecideContext& ctx, std::vector<Command>& commands) {
  s.phase = Phase::kProvisioned;
  auto it = s.steps.find(Slot::kHubManifest);
  if (it == s.steps.end()) {
    if (!ctx.manifest.enabled) {
      return {};
    }
    steps::StartStep(s, Slot::kHubManifest, ctx, commands);
    return {Slot::kHubManifest};
  }
  if (it->second.status == StepStatus::kSucceeded) {
    return {};
  }
  it->second.waiting_since = {};
  steps::RestartWithNewBudget(s, Slot::kHubManifest, ctx, commands);
  return {Slot::kHubManifest};
}

}  // namespace gps::engine::manifest
