#pragma once
// Builds the credential bundle a device receives from its saga's step results (pure).
// The secrets in it are still sealed by the workers; the shell seals the whole bundle once more to
// the device's transport key. Thread-safe.

#include "gps/core/result.h"
#include "gps/protocol/device_messages.h"
#include "gps/saga/record.h"

namespace gps::engine {

// REQUIRES: the Mender, DPS and Vault steps succeeded and saga.bundle_id is set.
Result<protocol::CredentialBundle> BuildBundle(const saga::Saga& saga);

}  // namespace gps::engine
