#pragma once
// A child process for tests: started with its own environment and arguments, stdout and stderr
// appended to a log file, in its own process group so that stopping it also stops what it spawned.
// The destructor stops it (SIGTERM, then SIGKILL). Not thread-safe.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gps::testing {

class Subprocess {
 public:
  // The child's environment is the test's without its GPS_* variables, plus env.
  Subprocess(std::string name, std::vector<std::string> argv,
             std::map<std::string, std::string> env, std::string log_path);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  const std::string& name() const { return name_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

  // Exit code (or 128 + signal) once it has ended; nullopt while it runs.
  std::optional<int> Poll();
  // Waits up to timeout for it to end.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool Running() { return !Poll().has_value(); }
  // SIGTERM, up to `grace` for it to end, then SIGKILL; returns the exit code.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  void Kill();  // SIGKILL now
  std::string Log() const;

 private:
  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// A loopback TCP port that was free a moment ago.
int FreePort();
// True once something accepts TCP connections on 127.0.0.1:port.
bool PortOpen(int port);
// Polls until pred() or the timeout; returns pred()'s last value.
template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(50));

// A fresh temporary directory, removed with its contents by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "gps-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFileOrEmpty(const std::string& path);
// Permission bits of path (e.g. 0600), or -1 when it does not exist.
int FileMode(const std::string& path);

}  // namespace gps::testing

#include <thread>

template <typename Pred>
bool gps::testing::WaitUntil(Pred pred, std::chrono::milliseconds timeout,
                             std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return pred();
    }
    std::this_thread::sleep_for(every);
  }
}
