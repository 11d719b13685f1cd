#include "gps/worker/action_step.h"

#include <string>

namespace gps::worker {

protocol::JobResult ActionStep::Handle(const protocol::Job& job, Instant deadline) {
  switch (job.id.action) {
    case protocol::Action::kCheckName:
      return CheckName(job, deadline);
    case protocol::Action::kProvision:
      return Provision(job, deadline);
    case protocol::Action::kRevoke:
      return Revoke(job, deadline);
  }
  return Unsupported(job);
}

protocol::JobResult ActionStep::CheckName(const protocol::Job& job, Instant) const {
  return Unsupported(job);
}

protocol::JobResult ActionStep::Provision(const protocol::Job& job, Instant) const {
  return Unsupported(job);
}

protocol::JobResult ActionStep::Revoke(const protocol::Job& job, Instant) const {
  return Unsupported(job);
}

protocol::JobResult ActionStep::Unsupported(const protocol::Job& job) const {
  const std::string step(protocol::StepName(step_));
  return Failed(Outcome::Permanent(step + ": " + std::string(protocol::ActionName(job.id.action)) +
                                   " is not supported by this gps-worker-" + step + " yet"));
}

protocol::JobResult Failed(Outcome outcome) {
  return protocol::JobResult{std::move(outcome), "{}"};
}

}  // namespace gps::worker
