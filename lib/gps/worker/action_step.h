#pragma once
// ActionStep: the StepHandler every worker's step derives from. Handle() dispatches a job on its
// action, so a step implements only the actions it takes; any other is answered as a permanent
// error ("dps: revoke is not supported by this gps-worker-dps yet"), which the engine does not
// retry and which tells the operator which binary lacks it.
// Thread-safety: as StepHandler. The actions are const: a step keeps no mutable state.

#include "gps/core/outcome.h"
#include "gps/protocol/job.h"
#include "gps/worker/step_handler.h"

namespace gps::worker {

class ActionStep : public StepHandler {
 public:
  explicit ActionStep(protocol::Step step) : step_(step) {}

  protocol::Step step() const final { return step_; }
  protocol::JobResult Handle(const protocol::Job& job, Instant deadline) final;

 protected:
  // Each answers Unsupported(job) unless the step overrides it.
  virtual protocol::JobResult CheckName(const protocol::Job& job, Instant deadline) const;
  virtual protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const;
  virtual protocol::JobResult Revoke(const protocol::Job& job, Instant deadline) const;

  // The permanent failure of an action this worker does not take.
  protocol::JobResult Unsupported(const protocol::Job& job) const;

 private:
  protocol::Step step_;
};

// The result of a job that failed: its outcome, and no data.
protocol::JobResult Failed(Outcome outcome);

}  // namespace gps::worker
