#pragma once
// The GET /_sim/state document: the whole simulated state as one JSON object, for tests and
// people to assert on ("exactly one Mender preauthorisation with this key and MAC"). The format is
// documented in cloudsim/README.md; it contains secrets (symmetric keys) on purpose, because it is
// a simulator's inspection door, never to be exposed beyond loopback. Pure; thread-safe.

#include <string>

#include "cloudsim/state/sim_state.h"

namespace gps::cloudsim {

std::string DumpStateJson(const SimData& data);

}  // namespace gps::cloudsim
