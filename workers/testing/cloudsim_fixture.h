#pragma once
// CloudsimTest: a test fixture that runs the whole of gps-cloudsim in-process (cloudsim::SimHost:
// every simulated service behind real HTTP on its own loopback port, fault injection included),
// for the tests that run a worker's step against the simulated cloud.
//
// The simulator's clock stands still at the real time of StartCloud(): rate-limit windows never
// roll over in the middle of a test, and SAS tokens the workers sign with the system clock are
// valid for it. Jobs run on a thread of their own, as the runtime's handler threads do, so the
// thread's keep-alive connection closes with it and stopping the servers never waits for it.
// Thread-safety: as a gtest fixture (one test thread); the simulator serves from its own threads.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "cloudsim/faults/fault_config.h"
#include "cloudsim/server/sim_host.h"
#include "gps/core/clock.h"
#include "gps/protocol/job.h"
#include "gps/worker/step_handler.h"

namespace gps::worker::testing {

class CloudsimTest : public ::testing::Test {
 protected:
  // Starts the simulator with these services' settings; ports and faults are chosen here (free
  // ports, no faults). Fails the test when it cannot start.
  void StartCloud(cloudsim::SimHost::Options options);
  void TearDown() override;

  static std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }
  cloudsim::SimHost& cloud() { return *host_; }
  cloudsim::SimState& state() { return host_->state(); }
  const Clock& clock() const { return worker_clock_; }

  // The faults of one service ("mender", "dps", ...), replaced as a whole; they start empty.
  void SetFaults(std::string_view service, cloudsim::ServiceFaults faults);
  void ClearFaults(std::string_view service);
  // The common ones: a quota of `allowed` requests, then 429 with Retry-After: retry_after_s;
  // every request answered with the service's 5xx (before it is processed); every request of
  // method on a path matching the glob answered with status and message.
  void Throttle(std::string_view service, std::int64_t allowed, std::int64_t retry_after_s);
  void FailEverything(std::string_view service);
  void FailOn(std::string_view service, int status, std::string method, std::string path_glob,
              std::string message, cloudsim::FaultWhen when = cloudsim::FaultWhen::kBefore);

  // A job of attempt 1 of generation 1 for the device, with 30 s left on its lease and the MAC
  // 02:42:ac:11:00:02; the rest is the test's to fill in.
  protocol::Job NewJob(protocol::Step step, protocol::Action action, const std::string& device,
                       std::string name) const;
  protocol::JobResult Run(StepHandler& step, const protocol::Job& job);

 private:
  cloudsim::ServiceFaults Empty(std::string_view service);

  SystemClock worker_clock_;
  FakeClock sim_clock_{SystemClock().Now()};
  std::unique_ptr<cloudsim::SimHost> host_;
};

}  // namespace gps::worker::testing
