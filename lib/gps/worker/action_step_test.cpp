#include "gps/worker/action_step.h"

#include <gtest/gtest.h>

#include <string>

namespace gps::worker {
namespace {

constexpr Instant kDeadline{1'700'000'060'000};

// Takes provision only, and says which action and deadline reached it.
class ProvisionOnly final : public ActionStep {
 public:
  ProvisionOnly() : ActionStep(protocol::Step::kDps) {}

 private:
  protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const override {
    return protocol::JobResult{Outcome::Ok(), "{\"name\":\"" + job.name + "\",\"deadline\":" +
                                                  std::to_string(deadline.ms) + "}"};
  }
};

protocol::Job JobFor(protocol::Action action) {
  protocol::Job job;
  job.id.step = protocol::Step::kDps;
  job.id.action = action;
  job.name = "gw-1";
  return job;
}

TEST(ActionStep, NamesItsStep) { EXPECT_EQ(ProvisionOnly().step(), protocol::Step::kDps); }

TEST(ActionStep, DispatchesToTheActionTheStepTakes) {
  ProvisionOnly step;
  protocol::JobResult r = step.Handle(JobFor(protocol::Action::kProvision), kDeadline);
  EXPECT_TRUE(r.outcome.ok());
  EXPECT_EQ(r.data_json, "{\"name\":\"gw-1\",\"deadline\":1700000060000}");
}

TEST(ActionStep, AnswersOtherActionsAsPermanentlyUnsupported) {
  ProvisionOnly step;
  protocol::JobResult revoke = step.Handle(JobFor(protocol::Action::kRevoke), kDeadline);
  EXPECT_TRUE(revoke.outcome.permanent());
  EXPECT_EQ(revoke.outcome.error, "dps: revoke is not supported by this gps-worker-dps yet");
  EXPECT_EQ(revoke.data_json, "{}");

  protocol::JobResult check = step.Handle(JobFor(protocol::Action::kCheckName), kDeadline);
  EXPECT_TRUE(check.outcome.permanent());
  EXPECT_EQ(check.outcome.error, "dps: check_name is not supported by this gps-worker-dps yet");
}

TEST(ActionStep, FailedCarriesTheOutcomeAndNoData) {
  protocol::JobResult r = Failed(Outcome::Retryable("vault: HTTP 503", 2000));
  EXPECT_TRUE(r.outcome.retryable());
  EXPECT_EQ(r.outcome.retry_after_ms, 2000);
  EXPECT_EQ(r.outcome.error, "vault: HTTP 503");
  EXPECT_EQ(r.data_json, "{}");
}

}  // namespace
}  // namespace gps::worker
