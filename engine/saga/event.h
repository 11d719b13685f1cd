#pragma once
// The events the saga reacts to. Each arrives already parsed and, where it carries a signature,
// verified by the shell; time arrives in the DecideContext, not here.
// Value types; thread-safe.

#include <string>
#include <variant>

#include "gps/protocol/announce.h"
#include "gps/protocol/job.h"
#include "gps/saga/record.h"

namespace gps::engine {

// A verified announce from the device.
struct Announced {
  protocol::VerifiedAnnounce announce;
};

// The name reservation the shell made in Redis before handing an approval to the saga: it is a
// separate key (a different hash slot), so it cannot be part of the saga's own transition.
struct NameReservation {
  bool granted = false;
  std::string holder;  // the device holding the name when not granted
};

struct ApproveRequested {
  std::string name;
  std::string actor;
  saga::ReplyTarget reply;
  NameReservation reservation;
};

struct DismissRequested {
  std::string actor;
  saga::ReplyTarget reply;
};

struct StepResultArrived {
  protocol::JobId job;
  protocol::JobResult result;
};

// The shell sealed the bundle the saga asked for (sealing needs randomness, so it is not pure).
struct BundleSealed {
  std::string bundle_id;
  std::string sealed;
};

// A verified ack from the device.
struct AckReceived {
  std::string bundle_id;
};

// The device's timer came due (a lease ran out, a backoff ended); Decide looks at what is due.
struct TimerFired {};

// An operator asked to run a failed saga's failed steps again.
struct RetryRequested {
  std::string actor;
  saga::ReplyTarget reply;
};

// An operator asked a step waiting out its backoff (step empty: every waiting step) to start now.
struct RunNowRequested {
  std::string step;
  std::string actor;
  saga::ReplyTarget reply;
};

// An operator revoked the device: every cloud is to forget or disable it.
struct RevokeRequested {
  std::string actor;
  saga::ReplyTarget reply;
};

using Event =
    std::variant<Announced, ApproveRequested, DismissRequested, StepResultArrived, BundleSealed,
                 AckReceived, TimerFired, RetryRequested, RunNowRequested, RevokeRequested>;

std::string_view EventName(const Event& event);

}  // namespace gps::engine
