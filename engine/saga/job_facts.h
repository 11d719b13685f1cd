#pragma once
// The facts a slot's job carries (docs/protocol.md, "facts"): what earlier steps learned that the
// worker needs. Pure; thread-safe.

#include <string>

#include "gps/saga/record.h"

namespace gps::engine {

// A JSON object; "{}" when the slot needs nothing.
//   hubManifest, menderRevoke: {"menderDeviceId"} when the Mender step reported one.
//   vaultRevoke: {"serial"} of the certificate the Vault step reported, when it did.
std::string JobFacts(const saga::Saga& s, saga::Slot slot);

}  // namespace gps::engine
