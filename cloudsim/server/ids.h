#pragma once
// Identifiers the simulated services mint: random UUIDs (Mender device and auth set ids, request
// and tracking ids, inventory tag ETags). They are names, not secrets, so they come from a
// per-thread PRNG seeded from std::random_device; keys and serial numbers use the OpenSSL CSPRNG
// instead (gps/crypto/digest.h). Thread-safe.

#include <string>

namespace gps::cloudsim {

// A random (version 4) UUID in lower-case canonical form.
std::string NewUuid();

}  // namespace gps::cloudsim
