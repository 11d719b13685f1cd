#include "gps/worker/job_intake.h"

#include "gps/protocol/topics.h"

namespace gps::worker {

namespace {

Status CheckJob(const mqtt::Message& m, const protocol::Job& job, protocol::Step step,
                const std::string& results_topic) {
  if (job.id.step != step) {
    return Status::InvalidArgument("job for step " + std::string(protocol::StepName(job.id.step)) +
                                   " arrived at the " + std::string(protocol::StepName(step)) +
                                   " worker");
  }
  if (m.correlation_data != protocol::FormatJobId(job.id)) {
    return Status::InvalidArgument("correlation data does not match the job id");
  }
  if (m.response_topic != results_topic) {
    return Status::InvalidArgument("response topic must be " + results_topic);
  }
  return Status::Ok();
}

}  // namespace

JobIntake InterpretJobMessage(const mqtt::Message& m, protocol::Step step) {
  const std::string step_name(protocol::StepName(step));
  const std::string results_topic = protocol::ResultTopic(step_name);
  JobIntake out;
  Result<protocol::Job> job = protocol::ParseJob(m.payload);
  out.problem = job.ok() ? CheckJob(m, *job, step, results_topic) : job.status();
  if (out.problem.ok()) {
    out.job = std::move(job).value();
    out.reply = JobReply{m.response_topic, m.correlation_data};
    return out;
  }
  Result<protocol::JobId> named = protocol::ParseJobId(m.correlation_data);
  if (m.response_topic == results_topic && named.ok() && named->step == step) {
    out.reply = JobReply{m.response_topic, m.correlation_data};
    out.answer = protocol::JobResult{Outcome::Permanent("job rejected by the " + step_name +
                                                        " worker: " + out.problem.message()),
                                     "{}"};
  }
  return out;
}

}  // namespace gps::worker
