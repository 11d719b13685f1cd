// End to end through the real processes: an attempt whose worker is missing runs out its lease
// and is dispatched again; a cloud's permanent refusal fails the device with the cloud's words,
// and an operator's retry completes it once the cloud accepts again.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "gps/json/json.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using std::chrono::seconds;

// GET /api/devices/{id}, parsed; nullopt while the UI does not know it.
std::optional<json::Document> Device(Stack& stack, const std::string& id) {
  Result<http::Response> r = stack.Get(stack.ui_url() + "/api/devices/" + id);
  if (!r.ok() || r->status != 200) {
    return std::nullopt;
  }
  Result<json::Document> doc = json::ParseObject(r->body, 1 << 20, "device");
  if (!doc.ok()) {
    return std::nullopt;
  }
  return std::move(doc).value();
}

std::string Field(Stack& stack, const std::string& id, const std::string& field) {
  std::optional<json::Document> d = Device(stack, id);
  return d ? d->Root().GetStringOr(field, "").value_or("") : "";
}

std::int64_t StepAttempt(Stack& stack, const std::string& id, const std::string& step) {
  std::optional<json::Document> d = Device(stack, id);
  if (!d) {
    return 0;
  }
  Result<json::Value> steps = d->Root().GetObject("steps");
  if (!steps.ok()) {
    return 0;
  }
  Result<json::Value> st = steps->GetObject(step);
  return st.ok() ? st->GetIntOr("attempt", 0).value_or(0) : 0;
}

// The id of the pending gateway with this MAC, once it has announced.
std::string PendingId(Stack& stack, const std::string& mac) {
  std::string id;
  WaitUntil(
      [&] {
        for (const DeviceSummary& d : stack.ListDevices("?state=pending")) {
          if (d.mac == mac) {
            id = d.id;
          }
        }
        return !id.empty();
      },
      seconds(20), std::chrono::milliseconds(200));
  return id;
}

Status Approve(Stack& stack, const std::string& id, const std::string& name) {
  GPS_ASSIGN_OR_RETURN(http::Response r,
                       stack.PostJson(stack.ui_url() + "/api/devices/" + id + "/approve",
                                      R"({"name":")" + name + "\"}"));
  if (r.status != 202) {
    return Status::Internal("approve: HTTP " + std::to_string(r.status) + " " + r.body);
  }
  return Status::Ok();
}

TEST(RetryEndToEnd, AnAttemptWithoutAWorkerIsDispatchedAgainAfterItsLease) {
  TempDir dir("gps-e2e-lease");
  StackOptions options;
  options.workers = {"mender", "dps"};  // no Vault worker yet: its jobs go unanswered
  options.engine_env["GPS_ENGINE_RETRY"] = "attempts=20,backoff=200ms,timeout=2s";
  Stack stack(dir, options);
  auto gateway = stack.StartGateway("lease", "02:42:ac:11:01:01");
  std::string id = PendingId(stack, "02:42:ac:11:01:01");
  ASSERT_FALSE(id.empty()) << stack.Logs();
  ASSERT_TRUE(Approve(stack, id, "gw-e2e-lease").ok()) << stack.Logs();

  // Leases of 2 s run out and the engine's timers dispatch attempt after attempt.
  ASSERT_TRUE(WaitUntil([&] { return StepAttempt(stack, id, "vault") >= 3; }, seconds(20)))
      << stack.Logs();
  EXPECT_EQ(Field(stack, id, "state"), "provisioning");
  EXPECT_TRUE(gateway->Running());

  stack.StartWorker("vault");
  ASSERT_EQ(gateway->Wait(seconds(30)), std::optional<int>(0)) << stack.Logs();
  ASSERT_TRUE(WaitUntil([&] { return Field(stack, id, "state") == "provisioned"; }, seconds(10)));
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
  std::string id = PendingId(stack, "02:42:ac:11:01:02");
  ASSERT_FALSE(id.empty()) << stack.Logs();
  ASSERT_TRUE(Approve(stack, id, "gw-e2e-refused").ok()) << stack.Logs();

  ASSERT_TRUE(WaitUntil([&] { return Field(stack, id, "state") == "failed"; }, seconds(20)))
      << stack.Logs();
  std::string error = Field(stack, id, "error");
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
  ASSERT_TRUE(WaitUntil([&] { return Field(stack, id, "state") == "provisioned"; }, seconds(10)));
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
