#include "device-client/restart_commands.h"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "gps/config/config.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::TempDir;

constexpr Millis kGenerous = 60000;

TEST(RestartCommandsTest, SuccessfulCommandReportsItsOutput) {
  CommandResult r = RunCommand("echo restarted; echo to-stderr >&2", kGenerous);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "restarted\nto-stderr\n");
}

TEST(RestartCommandsTest, FailingCommandReportsItsExitCode) {
  CommandResult r = RunCommand("echo nope; exit 3", kGenerous);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.started);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "nope\n");
}

TEST(RestartCommandsTest, UnknownProgramIsAFailureNotACrash) {
  CommandResult r = RunCommand("/nonexistent/iotedge config apply", kGenerous);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.exit_code, 127);
}

TEST(RestartCommandsTest, CommandKilledBySignalIsReported) {
  CommandResult r = RunCommand("kill -KILL $$", kGenerous);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.signal, SIGKILL);
}

TEST(RestartCommandsTest, StdinIsEmpty) {
  CommandResult r = RunCommand("cat; echo end", kGenerous);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, "end\n");
}

// True once pid has ended (gone, or a zombie nobody has reaped yet).
bool Ended(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    return true;
  }
  std::string stat = config::ReadFile("/proc/" + std::to_string(pid) + "/stat").value_or("");
  std::size_t paren = stat.rfind(')');
  return paren == std::string::npos ||
         (paren + 2 < stat.size() && (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X'));
}

TEST(RestartCommandsTest, CommandOverItsTimeoutIsKilledWithItsChildren) {
  TempDir dir;
  std::string pid_file = dir.File("child.pid");
  CommandResult r = RunCommand("sh -c 'echo $$ > " + pid_file + ".tmp; mv " + pid_file + ".tmp " +
                                   pid_file + "; exec sleep 60' & sleep 60",
                               /*timeout_ms=*/300);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.signal, SIGTERM);
  // No pid file means the child was stopped before it got that far, which is fine too. Otherwise
  // the child, which the shell left running in the background, must end: it got SIGTERM with
  // its process group. Poll with a deadline; a surviving child fails the test.
  std::string pid_text = config::ReadFile(pid_file).value_or("");
  if (!pid_text.empty()) {
    pid_t child = static_cast<pid_t>(std::stol(pid_text));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!Ended(child) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    EXPECT_TRUE(Ended(child)) << "background child " << child << " outlived the timeout";
  }
}

TEST(RestartCommandsTest, LongOutputKeepsOnlyTheTail) {
  CommandResult r =
      RunCommand("i=0; while [ $i -lt 1000 ]; do echo line-$i; i=$((i+1)); done", kGenerous);
  EXPECT_TRUE(r.ok());
  EXPECT_LE(r.output.size(), kMaxCapturedOutput);
  EXPECT_NE(r.output.find("line-999\n"), std::string::npos);
  EXPECT_EQ(r.output.find("line-0\n"), std::string::npos);
}

TEST(RestartCommandsTest, AllCommandsRunInOrderWhateverEachReturns) {
  TempDir dir;
  std::string log = dir.File("log");
  std::vector<CommandResult> results =
      RunCommands({"echo one >> " + log, "exit 1", "echo three >> " + log}, kGenerous);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_FALSE(results[1].ok());
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(config::ReadFile(log).value_or(""), "one\nthree\n");
}

TEST(RestartCommandsTest, NoCommandsIsNothing) { EXPECT_TRUE(RunCommands({}, kGenerous).empty()); }

}  // namespace
}  // namespace gps::device_client
