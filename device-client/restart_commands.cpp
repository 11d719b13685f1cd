#include "device-client/restart_commands.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace gps::device_client {

namespace {

using SteadyClock = std::chrono::steady_clock;

Millis MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
}

void KeepTail(std::string* out, const char* data, std::size_t n) {
  out->append(data, n);
  if (out->size() > kMaxCapturedOutput) {
    out->erase(0, out->size() - kMaxCapturedOutput);
  }
}

// Reads what is available now; false at end of file or on error.
bool ReadAvailable(int fd, std::string* out) {
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      KeepTail(out, buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    }
    return false;
  }
}

// Waits up to wait_ms for output, reading it; false once the pipe is closed.
bool PumpOutput(int fd, bool open, Millis wait_ms, std::string* out) {
  if (!open) {
    if (wait_ms > 0) {
      ::poll(nullptr, 0, static_cast<int>(wait_ms));
    }
    return false;
  }
  pollfd p{fd, POLLIN, 0};
  int rc = ::poll(&p, 1, static_cast<int>(wait_ms));
  if (rc > 0) {
    return ReadAvailable(fd, out);
  }
  return true;
}

// Reaps the child if it has ended; true then, with *status filled.
bool Reaped(pid_t pid, int* status) {
  while (true) {
    pid_t rc = ::waitpid(pid, status, WNOHANG);
    if (rc == pid) {
      return true;
    }
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    return false;
  }
}

// Owns the spawn attributes and file actions for one posix_spawn call.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  int Prepare(int output_fd) {
    int rc = 0;
    auto step = [&rc](int result) {
      if (rc == 0) {
        rc = result;
      }
    };
    step(posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0));
    step(posix_spawn_file_actions_adddup2(&actions_, output_fd, 1));
    step(posix_spawn_file_actions_adddup2(&actions_, output_fd, 2));
    // Its own process group, so a timeout can stop everything the command started; default
    // signal dispositions, since ignored signals (our SIGPIPE) would otherwise survive exec.
    sigset_t defaults;
    sigset_t mask;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigemptyset(&mask);
    step(posix_spawnattr_setflags(
        &attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));
    step(posix_spawnattr_setpgroup(&attr_, 0));
    step(posix_spawnattr_setsigdefault(&attr_, &defaults));
    step(posix_spawnattr_setsigmask(&attr_, &mask));
    return rc;
  }

  int Spawn(pid_t* pid, const std::string& command) {
    std::string sh = "sh";
    std::string dash_c = "-c";
    std::string cmd = command;
    char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
    return posix_spawn(pid, "/bin/sh", &actions_, &attr_, argv, environ);
  }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

}  // namespace

CommandResult RunCommand(const std::string& command, Millis timeout_ms) {
  CommandResult r;
  r.command = command;
  SteadyClock::time_point start = SteadyClock::now();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  SpawnSetup setup;
  pid_t pid = 0;
  int rc = setup.Prepare(fds[1]);
  if (rc == 0) {
    rc = setup.Spawn(&pid, command);
  }
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    r.error = std::string("spawn /bin/sh: ") + std::strerror(rc);
    return r;
  }
  r.started = true;
  int out_fd = fds[0];
  ::fcntl(out_fd, F_SETFL, ::fcntl(out_fd, F_GETFL) | O_NONBLOCK);

  bool pipe_open = true;
  int status = 0;
  bool exited = false;
  while (!exited) {
    Millis left = timeout_ms - MillisSince(start);
    if (left <= 0) {
      break;
    }
    pipe_open = PumpOutput(out_fd, pipe_open, std::min<Millis>(left, 100), &r.output);
    exited = Reaped(pid, &status);
  }
  if (!exited) {
    r.timed_out = true;
    ::killpg(pid, SIGTERM);
    SteadyClock::time_point term_sent = SteadyClock::now();
    while (!exited && MillisSince(term_sent) < kKillGraceMs) {
      pipe_open = PumpOutput(out_fd, pipe_open, 100, &r.output);
      exited = Reaped(pid, &status);
    }
    if (!exited) {
      ::killpg(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  // Whatever the command wrote before it ended; a background child that keeps the pipe open
  // must not hold us here, so only what is already buffered is read.
  if (pipe_open) {
    ReadAvailable(out_fd, &r.output);
  }
  ::close(out_fd);

  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  r.duration_ms = MillisSince(start);
  return r;
}

std::vector<CommandResult> RunCommands(const std::vector<std::string>& commands,
                                       Millis timeout_ms) {
  std::vector<CommandResult> results;
  results.reserve(commands.size());
  for (const std::string& c : commands) {
    results.push_back(RunCommand(c, timeout_ms));
  }
  return results;
}

}  // namespace gps::device_client
