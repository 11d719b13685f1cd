// End to end through the real processes: an attempt whose worker is missing runs out its lease
// and is dispatched again; a cloud's permanent refusal fails the device with the cloud's words,
// and an operator's retry completes it once the cloud accepts again.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "gps/json/json.h"
#include "tests/support/e2e_helpers.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using std::chrono::seconds;

TEST(RetryEndToEnd, AnAttemptWithoutAWorkerIsDispatchedAgainAfterItsLease) {
  TempDir dir("gps-e2e-lease");
  StackOptions options;
  options.workers = {"mender", "dps"};  // no Vault worker yet: its jobs go unanswered
  options.engine_env["GPS_ENGINE_RETRY"] = "attempts=20,backoff=200ms,timeout=2s";
  Stack stack(dir, options);
  auto gateway = stack.StartGateway("lease", "02:42:ac:11:01:01");
  std::string id = WaitForPending(stack, "02:42:ac:11:01:01").id;
  ASSERT_FALSE(id.empty()) << stack.Logs();
  ASSERT_TRUE(Approve(stack, id, "gw-e2e-lease").ok()) << stack.Logs();

  // Leases of 2 s run out and the engine's timers dispatch attempt after attempt.
  ASSERT_TRUE(WaitUntil([&] { return StepAttempt(stack, id, "vault") >= 3; }, seconds(20)))
      << stack.Logs();
  EXPECT_EQ(DeviceField(stack, id, "state"), "provisioning");
  EXPECT_TRUE(gateway->Running());

  stack.StartWorker("vault");
  ASSERT_EQ(gateway->Wait(seconds(30)), std::optional<int>(0)) << stack.Logs();
  ASSERT_TRUE(
      WaitUntil([&] { return DeviceField(stack, id, "state") == "provisioned"; }, seconds(10)));
  std::printf("vault step provisioned at attempt %lld\n",
              static_cast<long long>(StepAttempt(stack, id, "vault")));
  Result<json::Document> state = stack.CloudsimState();
  ASSERT_TRUE(state.ok());
  Result<json::Value> vault = state->Root().GetObject("vault");
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(vault->GetArray("certificates").value().size(), 1u);
}

TEST(RetryEndToEnd, PermanentCloudErrorFailsTheDeviceAndRetryCompletesIt) {
  TempDir dir("gps-e2e-permanent");
  Stack stack(dir);
  const std::string message = "common name gw-e2e-refused not allowed by role";
  ASSERT_TRUE(stack
                  .SetCloudFaults("vault", R"({"fail":{"status":400,"message":")" + message +
                                               R"(","method":"POST","path":"/v1/pki/issue/*"}})")
                  .ok());
  auto gateway = stack.StartGateway("refused", "02:42:ac:11:01:02");
  std::string id = WaitForPending(stack, "02:42:ac:11:01:02").id;
  ASSERT_FALSE(id.empty()) << stack.Logs();
  ASSERT_TRUE(Approve(stack, id, "gw-e2e-refused").ok()) << stack.Logs();

  ASSERT_TRUE(WaitUntil([&] { return DeviceField(stack, id, "state") == "failed"; }, seconds(20)))
      << stack.Logs();
  std::string error = DeviceField(stack, id, "error");
  EXPECT_NE(error.find(message), std::string::npos) << error;
  EXPECT_NE(error.find("Vault"), std::string::npos) << error;
  EXPECT_EQ(StepAttempt(stack, id, "vault"), 1) << "a permanent error is not retried";
  EXPECT_EQ(StepAttempt(stack, id, "mender"), 1);

  // The cloud accepts again; the operator retries.
  ASSERT_TRUE(stack.SetCloudFaults("vault", "").ok());
  Result<http::Response> retry =
      stack.PostJson(stack.ui_url() + "/api/devices/" + id + "/retry", "{}");
  ASSERT_TRUE(retry.ok());
  ASSERT_EQ(retry->status, 202) << retry->body;
  ASSERT_EQ(gateway->Wait(seconds(30)), std::optional<int>(0)) << stack.Logs();
  ASSERT_TRUE(
      WaitUntil([&] { return DeviceField(stack, id, "state") == "provisioned"; }, seconds(10)));
  EXPECT_EQ(StepAttempt(stack, id, "vault"), 2);
  EXPECT_EQ(StepAttempt(stack, id, "mender"), 1) << "a step that succeeded is never run again";
  EXPECT_EQ(StepAttempt(stack, id, "dps"), 1);

  // A device that is not failed cannot be retried.
  Result<http::Response> again =
      stack.PostJson(stack.ui_url() + "/api/devices/" + id + "/retry", "{}");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 409) << again->body;
}

}  // namespace
}  // namespace gps::testing
