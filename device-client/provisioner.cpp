#include "device-client/provisioner.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace gps::device_client {

namespace {

constexpr std::array<std::string_view, 7> kKnownStates = {
    "pending", "provisioning", "provisioned", "failed", "dismissed", "revoking", "revoked"};
// An operator's "no" to this device: what the engine created for it is being (or was) undone.
constexpr std::array<std::string_view, 3> kRejectedStates = {"dismissed", "revoking", "revoked"};

template <std::size_t N>
bool IsOneOf(const std::array<std::string_view, N>& states, std::string_view state) {
  return std::find(states.begin(), states.end(), state) != states.end();
}

std::vector<Action> One(Action a) {
  std::vector<Action> out;
  out.push_back(std::move(a));
  return out;
}

std::optional<Instant> Earliest(std::optional<Instant> a, std::optional<Instant> b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return std::min(*a, *b);
}

}  // namespace

Provisioner::Provisioner(ProvisionerOptions options, Instant start)
    : options_(std::move(options)), next_announce_(start) {
  if (options_.timeout_ms > 0) {
    give_up_at_ = start + options_.timeout_ms;
  }
}

std::vector<Action> Provisioner::Finished(ExitCode code, std::string reason) {
  phase_ = Phase::kFinished;
  return One(Finish{code, std::move(reason)});
}

std::vector<Action> Provisioner::OnConnected(Instant now) {
  if (connected_) {
    return {};
  }
  connected_ = true;
  switch (phase_) {
    case Phase::kWaiting:
      next_announce_ = now + options_.announce_interval_ms;
      return One(SendAnnounce{});
    case Phase::kAcking:
      next_ack_ = now + options_.ack_resend_ms;
      return One(SendAck{bundle_id_});
    case Phase::kInstalling:
    case Phase::kFinished:
      return {};
  }
  return {};
}

std::vector<Action> Provisioner::OnConnectionLost(Instant) {
  connected_ = false;
  return {};
}

std::vector<Action> Provisioner::OnTick(Instant now) {
  switch (phase_) {
    case Phase::kWaiting:
      if (give_up_at_ && now >= *give_up_at_) {
        return Finished(ExitCode::kTimedOut, "no credentials within " +
                                                 std::to_string(options_.timeout_ms / 1000) + " s");
      }
      if (connected_ && now >= next_announce_) {
        next_announce_ = now + options_.announce_interval_ms;
        return One(SendAnnounce{});
      }
      return {};
    case Phase::kAcking:
      if (now >= ack_window_end_) {
        return Finished(ExitCode::kProvisioned,
                        "credentials installed; the engine did not confirm within " +
                            std::to_string(options_.ack_window_ms / 1000) + " s");
      }
      if (connected_ && now >= next_ack_) {
        next_ack_ = now + options_.ack_resend_ms;
        return One(SendAck{bundle_id_});
      }
      return {};
    case Phase::kInstalling:
    case Phase::kFinished:
      return {};
  }
  return {};
}

std::vector<Action> Provisioner::OnStatus(const protocol::StatusMessage& status, Instant) {
  if (phase_ == Phase::kFinished) {
    return One(Ignore{"status after the client finished"});
  }
  if (status.device_id != options_.device_id) {
    return One(Ignore{"status for another device"});
  }
  if (!IsOneOf(kKnownStates, status.state)) {
    return One(Ignore{"status with unknown state '" + status.state + "'"});
  }
  const bool rejected = IsOneOf(kRejectedStates, status.state);
  if (phase_ == Phase::kWaiting && rejected) {
    return Finished(ExitCode::kRejected,
                    status.message.empty() ? status.state + " by an operator" : status.message);
  }
  if (phase_ == Phase::kAcking && status.state == "provisioned") {
    return Finished(ExitCode::kProvisioned, "the engine confirmed the ack");
  }
  if (phase_ == Phase::kAcking && rejected) {
    // The files are on disk; taking them away is the revoke's business, not this client's.
    return One(Ignore{status.state + " after the credentials were installed"});
  }
  return {};
}

std::vector<Action> Provisioner::OnCredentials(protocol::CredentialsMessage credentials,
                                               Instant now) {
  if (credentials.device_id != options_.device_id) {
    return One(Ignore{"credentials for another device"});
  }
  switch (phase_) {
    case Phase::kWaiting:
      phase_ = Phase::kInstalling;
      bundle_id_ = credentials.bundle_id;
      return One(InstallBundle{std::move(credentials)});
    case Phase::kInstalling:
      return One(Ignore{"credentials while another bundle is being installed"});
    case Phase::kAcking:
      if (credentials.bundle_id == bundle_id_) {
        // A re-delivery means the engine has not seen our ack yet.
        next_ack_ = now + options_.ack_resend_ms;
        return One(SendAck{bundle_id_});
      }
      return One(Ignore{"bundle " + credentials.bundle_id + " after bundle " + bundle_id_ +
                        " was installed"});
    case Phase::kFinished:
      return One(Ignore{"credentials after the client finished"});
  }
  return {};
}

std::vector<Action> Provisioner::OnInstallFailed(Instant) {
  if (phase_ != Phase::kInstalling) {
    return {};
  }
  phase_ = Phase::kWaiting;
  bundle_id_.clear();
  return {};
}

std::vector<Action> Provisioner::OnInstalled(Instant now) {
  if (phase_ != Phase::kInstalling) {
    return {};
  }
  phase_ = Phase::kAcking;
  ack_window_end_ = now + options_.ack_window_ms;
  if (!connected_) {
    next_ack_ = now;  // sent on the next connection
    return {};
  }
  next_ack_ = now + options_.ack_resend_ms;
  return One(SendAck{bundle_id_});
}

std::vector<Action> Provisioner::OnShutdown(Instant) {
  switch (phase_) {
    case Phase::kWaiting:
    case Phase::kInstalling:
      return Finished(ExitCode::kFailure, "interrupted before credentials were installed");
    case Phase::kAcking:
      return Finished(ExitCode::kProvisioned,
                      "interrupted while acknowledging; the credentials are installed");
    case Phase::kFinished:
      return {};
  }
  return {};
}

std::optional<Instant> Provisioner::NextDeadline() const {
  switch (phase_) {
    case Phase::kWaiting:
      return Earliest(give_up_at_,
                      connected_ ? std::optional<Instant>(next_announce_) : std::nullopt);
    case Phase::kAcking:
      return Earliest(ack_window_end_,
                      connected_ ? std::optional<Instant>(next_ack_) : std::nullopt);
    case Phase::kInstalling:
    case Phase::kFinished:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace gps::device_client
