#pragma once
// What a worker makes of one message on its job topic: a job to hand to its StepHandler, or a
// refusal that says why and, when the refused job can be named, the permanent failure to answer
// with, so the engine need not wait out the attempt's lease. Pure; thread-safe.

#include <optional>
#include <string>

#include "gps/core/status.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/job.h"

namespace gps::worker {

// Where and how to answer a job: its MQTT 5 response topic and correlation data.
struct JobReply {
  std::string topic;
  std::string correlation;
};

struct JobIntake {
  std::optional<protocol::Job> job;  // set when the job is accepted
  JobReply reply;                    // where to answer: set when job or answer is
  Status problem;                    // why the job was refused, otherwise
  // For a refused job whose correlation data is a job id of this worker's step and whose response
  // topic is this step's results topic: the permanent failure to publish there. Anything else is
  // dropped, as an answer would go to a job or topic that is not this worker's.
  std::optional<protocol::JobResult> answer;
};

// Checks the payload (protocol::ParseJob), that the job is for `step`, that the correlation data
// is the job's id, and that the response topic is the step's results topic.
JobIntake InterpretJobMessage(const mqtt::Message& message, protocol::Step step);

}  // namespace gps::worker
