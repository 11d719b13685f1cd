// The worker's intake of jobs against the bad-input table of jobs (gps/testing/bad_jobs.h), for
// every step: each row is refused with its own reason, answered with a permanent failure exactly
// when the table says so, and a valid job is accepted with where to answer it.
#include "gps/worker/job_intake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "gps/testing/bad_jobs.h"
#include "gps/testing/test_util.h"

namespace gps::worker {
namespace {

using ::testing::HasSubstr;
using testing::kDeviceId;

constexpr char kPubkey[] =
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";
constexpr Instant kDeadline{1763880030000};

class JobIntakeTest : public ::testing::TestWithParam<protocol::Step> {};

TEST_P(JobIntakeTest, AcceptsAValidJobWithWhereToAnswer) {
  mqtt::Message m = testing::ValidJobMessage(GetParam(), kDeviceId, kPubkey, 3, kDeadline);
  JobIntake in = InterpretJobMessage(m, GetParam());
  ASSERT_TRUE(in.job.has_value()) << in.problem.ToString();
  EXPECT_TRUE(in.problem.ok());
  EXPECT_FALSE(in.answer.has_value());
  EXPECT_EQ(in.job->id.attempt, 3);
  EXPECT_EQ(in.job->deadline, kDeadline);
  EXPECT_EQ(in.reply.topic, m.response_topic);
  EXPECT_EQ(in.reply.correlation, m.correlation_data);
}

TEST_P(JobIntakeTest, RefusesEveryRowOfTheTableForItsOwnReason) {
  const std::string step(protocol::StepName(GetParam()));
  std::vector<testing::BadJob> table = testing::BadJobs(GetParam(), kDeviceId, kPubkey);
  std::set<std::string> answered_ids;
  for (const testing::BadJob& bad : table) {
    const testing::BadMessage& row = bad.row;
    JobIntake in = InterpretJobMessage(row.message, GetParam());
    EXPECT_FALSE(in.job.has_value()) << row.name;
    EXPECT_TRUE(in.problem.IsInvalidArgument()) << row.name << ": " << in.problem.ToString();
    EXPECT_THAT(in.problem.message(), HasSubstr(row.error)) << row.name;
    ASSERT_EQ(in.answer.has_value(), bad.answered) << row.name;
    if (in.answer) {
      EXPECT_TRUE(in.answer->outcome.permanent()) << row.name;
      EXPECT_THAT(in.answer->outcome.error,
                  HasSubstr("job rejected by the " + step + " worker: " + row.error))
          << row.name;
      EXPECT_EQ(in.answer->data_json, "{}");
      EXPECT_EQ(in.reply.topic, row.message.response_topic) << row.name;
      EXPECT_EQ(in.reply.correlation, row.message.correlation_data) << row.name;
      EXPECT_TRUE(answered_ids.insert(row.message.correlation_data).second)
          << row.name << ": answered rows need their own job ids";
    }
  }
  EXPECT_GE(table.size(), 60u);
  EXPECT_GE(answered_ids.size(), 50u);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, JobIntakeTest,
                         ::testing::Values(protocol::Step::kMender, protocol::Step::kDps,
                                           protocol::Step::kVault, protocol::Step::kHubManifest),
                         [](const ::testing::TestParamInfo<protocol::Step>& info) {
                           std::string name(protocol::StepName(info.param));
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace gps::worker
