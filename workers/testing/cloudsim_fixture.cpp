#include "workers/testing/cloudsim_fixture.h"

#include <optional>
#include <thread>

namespace gps::worker::testing {

void CloudsimTest::StartCloud(cloudsim::SimHost::Options options) {
  options.bind = "127.0.0.1";
  options.ports = cloudsim::Ports{};
  options.threads_per_port = 4;
  options.faults = cloudsim::NoFaults();
  Result<std::unique_ptr<cloudsim::SimHost>> host =
      cloudsim::SimHost::Start(std::move(options), &sim_clock_);
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  host_ = std::move(host).value();
}

void CloudsimTest::TearDown() {
  host_.reset();  // stops every server
}

cloudsim::ServiceFaults CloudsimTest::Empty(std::string_view service) {
  std::optional<std::size_t> index = cloudsim::ServiceIndex(service);
  EXPECT_TRUE(index.has_value()) << service;
  return cloudsim::NoFaults(index.value_or(0));
}

void CloudsimTest::SetFaults(std::string_view service, cloudsim::ServiceFaults faults) {
  std::optional<std::size_t> index = cloudsim::ServiceIndex(service);
  ASSERT_TRUE(index.has_value()) << service;
  host_->faults().SetService(*index, std::move(faults));
}

void CloudsimTest::ClearFaults(std::string_view service) { SetFaults(service, Empty(service)); }

void CloudsimTest::Throttle(std::string_view service, std::int64_t allowed,
                            std::int64_t retry_after_s) {
  cloudsim::ServiceFaults f = Empty(service);
  f.rate_limit = allowed;
  f.rate_window_s = 3600;
  f.retry_after_s = retry_after_s;
  SetFaults(service, std::move(f));
}

void CloudsimTest::FailEverything(std::string_view service) {
  cloudsim::ServiceFaults f = Empty(service);
  f.error_rate = 1;
  f.when = cloudsim::FaultWhen::kBefore;
  SetFaults(service, std::move(f));
}

void CloudsimTest::FailOn(std::string_view service, int status, std::string method,
                          std::string path_glob, std::string message, cloudsim::FaultWhen when) {
  cloudsim::ServiceFaults f = Empty(service);
  cloudsim::PermanentFault fail;
  fail.status = status;
  fail.message = std::move(message);
  fail.method = std::move(method);
  fail.path = std::move(path_glob);
  fail.when = when;
  f.fail.push_back(std::move(fail));
  SetFaults(service, std::move(f));
}

protocol::Job CloudsimTest::NewJob(protocol::Step step, protocol::Action action,
                                   const std::string& device, std::string name) const {
  protocol::Job job;
  job.id.device_id = device;
  job.id.generation = 1;
  job.id.step = step;
  job.id.action = action;
  job.deadline = worker_clock_.Now() + 30'000;
  job.name = std::move(name);
  job.mac = "02:42:ac:11:00:02";
  return job;
}

protocol::JobResult CloudsimTest::Run(StepHandler& step, const protocol::Job& job) {
  protocol::JobResult result;
  std::thread([&] { result = step.Handle(job, job.deadline); }).join();
  return result;
}

}  // namespace gps::worker::testing
