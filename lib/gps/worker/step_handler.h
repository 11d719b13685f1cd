#pragma once
// The one interface a worker implements: handle one job of its step, return its result.
// A handler never touches MQTT; the Runtime does that. It must be idempotent: the same job may
// arrive twice, and a later attempt may follow one whose outcome was lost.
// Thread-safety: Handle() is called from several runtime threads at once.

#include "gps/core/clock.h"
#include "gps/protocol/job.h"

namespace gps::worker {

class StepHandler {
 public:
  virtual ~StepHandler() = default;
  virtual protocol::Step step() const = 0;
  // deadline: the attempt's lease; work past it is wasted, as the engine has moved on.
  virtual protocol::JobResult Handle(const protocol::Job& job, Instant deadline) = 0;
};

}  // namespace gps::worker
