#pragma once
// Helpers for cloudsim's binary tests only: run a program as a child process with the given
// arguments and environment (nothing inherited) and its stdout and stderr in files, and read
// files whole. Not linked into the binary. Not thread-safe; one controlling thread per Child.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace gps::cloudsim::testing {

// The file's content; "" when it cannot be read.
std::string ReadAll(const std::filesystem::path& p);

// The child process; killed if a test ends early, so nothing outlives the test.
class Child {
 public:
  // stdout to out, stderr to err (the same file when err is empty). pid() <= 0 when the
  // program could not be started.
  Child(const std::string& binary, const std::vector<std::string>& args,
        const std::vector<std::string>& env, const std::filesystem::path& out,
        const std::filesystem::path& err = {});
  // Without arguments, stdout and stderr both to log.
  Child(const std::string& binary, const std::vector<std::string>& env,
        const std::filesystem::path& log)
      : Child(binary, {}, env, log) {}
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Waits (polling, bounded) for the process to end: its exit code (128 + signal when a signal
  // ended it), or -1 when it is still running at the limit.
  int WaitExit(std::chrono::milliseconds limit);
  // SIGTERM, then WaitExit(limit).
  int Terminate(std::chrono::milliseconds limit);

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace gps::cloudsim::testing
