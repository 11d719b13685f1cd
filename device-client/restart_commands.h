#pragma once
// Runs the commands that make the gateway's services pick up their new credentials (by default
// `systemctl restart mender-authd mender-updated`, then `iotedge config apply`).
//
// Each command runs with /bin/sh -c in its own process group, stdin from /dev/null and its
// stdout+stderr captured (the last bytes are kept for the log), one after the other. A command
// that outlives its timeout gets SIGTERM, then SIGKILL, for its whole process group. A failing
// command is reported, never fatal: the credentials are already on disk.
// Thread-safe (no shared state); blocks the caller for as long as the commands run.

#include <string>
#include <vector>

#include "gps/core/clock.h"

namespace gps::device_client {

struct CommandResult {
  std::string command;
  bool started = false;    // false: the shell could not be spawned (see error)
  bool timed_out = false;  // killed after the timeout
  int exit_code = -1;      // when it exited normally
  int signal = 0;          // when a signal ended it
  std::string output;      // the tail of stdout+stderr, at most kMaxCapturedOutput bytes
  std::string error;       // why it could not start
  Millis duration_ms = 0;

  bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
};

inline constexpr std::size_t kMaxCapturedOutput = 2048;
// How long a command gets after SIGTERM before SIGKILL.
inline constexpr Millis kKillGraceMs = 5000;

CommandResult RunCommand(const std::string& command, Millis timeout_ms);

// Runs every command in order, whatever the earlier ones returned.
std::vector<CommandResult> RunCommands(const std::vector<std::string>& commands, Millis timeout_ms);

}  // namespace gps::device_client
