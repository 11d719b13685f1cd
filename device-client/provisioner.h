#pragma once
// The device client's protocol state machine, pure: events in (connected, a timer tick, a status,
// a credentials message, the outcome of installing a bundle), actions out (announce, install,
// ack, finish with an exit code). No clock, MQTT or filesystem in here; time arrives with every
// event, so every row of the table below is tested without a broker (provisioner_test.cpp).
//
//   phase       event                         actions / next phase
//   waiting     connected                     announce now, then every announce interval
//   waiting     tick past the timeout         finish(timed out)
//   waiting     status "dismissed", "revoking"
//               or "revoked"                  finish(rejected)
//   waiting     credentials for this device   install -> installing
//   installing  install failed                -> waiting (keep announcing; the engine re-sends)
//   installing  installed                     ack -> acking
//   acking      tick every 2 s                ack again
//   acking      status "provisioned"          finish(provisioned)
//   acking      tick past the 10 s window     finish(provisioned): the files are on disk
//   acking      the same credentials again    ack again (our ack was lost)
//   any         shutdown                      finish(failure), or finish(provisioned) once
//   installed
// Anything else is an Ignore action naming why, which the shell logs and counts.
// Event times come from a monotonic clock, so a wall clock that NTP steps at first boot neither
// fires the timeout early nor stalls the announces; the wall-clock "ts" fields of the announce
// and the ack are stamped by the shell with a MessageTimestamps.
// Not thread-safe: one shell thread drives it.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gps/core/clock.h"
#include "gps/protocol/device_messages.h"

namespace gps::device_client {

// The process exit codes (documented in device-client/README.md).
enum class ExitCode : int {
  kProvisioned = 0,
  kFailure = 1,        // unexpected runtime failure, or interrupted before the files were written
  kConfiguration = 2,  // bad setting, unusable key file or no MAC address (config::LoadOrExit too)
  kTimedOut = 3,       // GPS_CLIENT_TIMEOUT_S passed before credentials arrived
  kRejected = 4,       // an operator dismissed this device, or revoked it before it was installed
};

struct ProvisionerOptions {
  std::string device_id;
  Millis announce_interval_ms = 5000;
  Millis timeout_ms = 0;  // how long to wait for credentials; 0: forever
  Millis ack_resend_ms = 2000;
  Millis ack_window_ms = 10000;
};

struct SendAnnounce {};
struct InstallBundle {
  protocol::CredentialsMessage credentials;
};
struct SendAck {
  std::string bundle_id;
};
struct Finish {
  ExitCode code = ExitCode::kProvisioned;
  std::string reason;
};
struct Ignore {
  std::string reason;
};
using Action = std::variant<SendAnnounce, InstallBundle, SendAck, Finish, Ignore>;

enum class Phase { kWaiting, kInstalling, kAcking, kFinished };

class Provisioner {
 public:
  Provisioner(ProvisionerOptions options, Instant start);

  std::vector<Action> OnConnected(Instant now);
  std::vector<Action> OnConnectionLost(Instant now);
  std::vector<Action> OnTick(Instant now);
  std::vector<Action> OnStatus(const protocol::StatusMessage& status, Instant now);
  std::vector<Action> OnCredentials(protocol::CredentialsMessage credentials, Instant now);
  // The outcome of an InstallBundle action. REQUIRES: phase() == kInstalling.
  std::vector<Action> OnInstallFailed(Instant now);
  std::vector<Action> OnInstalled(Instant now);
  std::vector<Action> OnShutdown(Instant now);

  Phase phase() const { return phase_; }
  bool connected() const { return connected_; }
  // When OnTick next has something to do (nullopt: only an event can change anything).
  std::optional<Instant> NextDeadline() const;

 private:
  std::vector<Action> Finished(ExitCode code, std::string reason);

  ProvisionerOptions options_;
  Phase phase_ = Phase::kWaiting;
  bool connected_ = false;
  std::optional<Instant> give_up_at_;  // waiting: the timeout
  Instant next_announce_;
  std::string bundle_id_;  // installing / acking
  Instant next_ack_;
  Instant ack_window_end_;
};

// The "ts" of announces and acks: the wall clock in ms, but strictly increasing within the
// process even when the clock steps back (the engine ignores an announce not newer than the last).
class MessageTimestamps {
 public:
  std::int64_t Next(Instant wall_now) {
    last_ = std::max(wall_now.ms, last_ + 1);
    return last_;
  }

 private:
  std::int64_t last_ = 0;
};

}  // namespace gps::device_client
