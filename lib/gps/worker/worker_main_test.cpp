#include "gps/worker/worker_main.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gps::worker {
namespace {

// argv as main() receives it: mutable, program name first.
class Argv {
 public:
  explicit Argv(std::vector<std::string> args) : args_(std::move(args)) {
    for (std::string& a : args_) {
      pointers_.push_back(a.data());
    }
  }
  int argc() const { return static_cast<int>(pointers_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> pointers_;
};

// A worker's own setting, with a check, as a client's Add*Settings declares them.
void AddExampleSettings(config::Table& table, std::string* endpoint) {
  table.Add("GPS_EXAMPLE_ENDPOINT", endpoint, "http://127.0.0.1:1", "the example API");
  table.AddCheck([endpoint] {
    return endpoint->rfind("http", 0) == 0 ? Status::Ok()
                                           : Status::InvalidArgument("GPS_EXAMPLE_ENDPOINT: bad");
  });
}

TEST(LoadWorkerSettings, LoadsTheRuntimesSettingsAndTheWorkersOwn) {
  Argv args({"gps-worker-vault", "--worker-concurrency=7", "--example-endpoint=https://vault"});
  std::string endpoint;
  RuntimeConfig runtime =
      LoadWorkerSettings(args.argc(), args.argv(), protocol::Step::kVault, "test",
                         [&](config::Table& table) { AddExampleSettings(table, &endpoint); });
  EXPECT_EQ(runtime.concurrency, 7);
  EXPECT_EQ(endpoint, "https://vault");
}

TEST(LoadWorkerSettingsDeathTest, ExitsWithTwoWhenTheWorkersCheckFails) {
  Argv args({"gps-worker-vault", "--example-endpoint=ftp://vault"});
  std::string endpoint;
  EXPECT_EXIT(LoadWorkerSettings(args.argc(), args.argv(), protocol::Step::kVault, "test",
                                 [&](config::Table& t) { AddExampleSettings(t, &endpoint); }),
              testing::ExitedWithCode(2), "GPS_EXAMPLE_ENDPOINT: bad");
}

TEST(LoadWorkerSettingsDeathTest, HelpNamesTheProgramAndExitsWithZero) {
  Argv args({"gps-worker-vault", "--help"});
  std::string endpoint;
  EXPECT_EXIT(
      {
        LoadWorkerSettings(args.argc(), args.argv(), protocol::Step::kVault, "test",
                           [&](config::Table& t) { AddExampleSettings(t, &endpoint); });
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace gps::worker
