#pragma once
// Whether a pending device is approved automatically from the allow-list: gps-ui's admins list
// key fingerprints or MACs with a name each (docs/design/redis-layout.md, the allowlist hash);
// when a device announces, the engine looks up its fingerprint and MAC there and feeds a match
// through the same approval path an operator's takes, as the actor "allow-list".
//
// The rules:
//   - only a device that is pending and was never approved (generation 0): an approval that
//     went back to pending (its name was taken, a cloud refused) is for an operator to look at,
//     so a device is never approved again and again on every announce;
//   - a fingerprint entry wins over a MAC entry (the key is the device; a MAC can be copied by
//     anything that holds the bootstrap credential);
//   - an unreadable entry or one with an invalid name approves nothing, and says why.
// Pure; thread-safe.

#include <optional>
#include <string>

#include "gps/saga/record.h"

namespace gps::engine {

// The actor of automatic approvals, in the saga, its timeline and the audit log.
inline constexpr char kAllowListActor[] = "allow-list";

struct AllowListMatch {
  std::string name;
  std::string matched_by;  // "fingerprint" or "mac"
  std::string value;       // the fingerprint or MAC that matched
};

// by_fingerprint, by_mac: the stored values of the device's two allow-list fields (nullopt when
// absent). *problem is set when an entry was found but cannot be used.
std::optional<AllowListMatch> MatchAllowList(const saga::Saga& device,
                                             const std::optional<std::string>& by_fingerprint,
                                             const std::optional<std::string>& by_mac,
                                             std::string* problem);

}  // namespace gps::engine
