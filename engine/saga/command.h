#pragma once
// What a transition asks the shell to do after the new state is committed. Commands name what to
// do; the outbox (shell/outbox.h) renders them into concrete messages from the committed saga.
// Value types; thread-safe.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "gps/protocol/command.h"
#include "gps/saga/record.h"

namespace gps::engine {

// Publish the job of this slot's current attempt to its worker group.
struct DispatchJob {
  saga::Slot slot;
};

// Publish the device's state on its status topic (retained).
struct PublishStatus {};

// Publish the stored sealed bundle on the device's credentials topic.
struct PublishCredentials {};

// Build the bundle from the steps' results, seal it to the device and feed back BundleSealed.
struct SealBundle {};

// Answer an operator command.
struct SendReply {
  saga::ReplyTarget target;
  protocol::ReplyStatus status;
  std::string message;
};

// Give up this device's reservation of a name.
struct ReleaseName {
  std::string name;
};

// Revoke a certificate nobody will receive: one a duplicate or superseded attempt made.
struct RevokeCertificate {
  std::string serial;
  // The generation and attempt that made it, so the revoke job's id points at them and never
  // meets the id of a device revocation (which runs in a generation of its own).
  std::int64_t generation = 0;
  int attempt = 0;
};

using Command = std::variant<DispatchJob, PublishStatus, PublishCredentials, SealBundle, SendReply,
                             ReleaseName, RevokeCertificate>;

// Appends a command. Out of line on purpose: GCC 12 inlines the vector's growth into callers and
// then warns (maybe-uninitialized) about the variant alternatives it knows are not active.
void Emit(std::vector<Command>& commands, Command command);

}  // namespace gps::engine
