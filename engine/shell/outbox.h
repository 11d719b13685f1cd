#pragma once
// The outbox: a transition's commands rendered into concrete effects, committed to Redis in the
// same script as the new state (gps:{id}:outbox), carried out after the commit, then removed.
// Rendering is pure (it reads the committed saga); the entries' JSON form is what Redis holds.
// Thread-safe.

#include <string>
#include <vector>

#include "engine/saga/command.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/mqtt/client.h"
#include "gps/saga/record.h"

namespace gps::engine {

struct OutboxEntry {
  enum class Op { kPublish, kReleaseName, kSealBundle };
  Op op = Op::kPublish;
  mqtt::Message message;  // kPublish
  std::string name;       // kReleaseName
  std::string bundle_id;  // kSealBundle

  friend bool operator==(const OutboxEntry& a, const OutboxEntry& b);
};

// REQUIRES: saga is the state committed with these commands.
std::vector<OutboxEntry> Render(const saga::Saga& saga, const std::vector<Command>& commands,
                                Instant now);

// False for a job whose attempt the saga no longer runs (its result came, its lease ran out, the
// approval ended): publishing it again from a left-over outbox would only make a cloud do work
// whose result is thrown away, and for Vault mint a certificate nobody receives. Always true for
// the revocation of an orphaned certificate.
bool StillWanted(const OutboxEntry& entry, const saga::Saga& current);

// True for a job of an attempt with a lease: if it never reached a worker, the lease runs out and
// the next attempt goes out, so a left-over copy need not (and should not) be published again.
bool LeaseCovers(const OutboxEntry& entry);

// How long a compensating revoke job may take; it has no lease in the saga.
inline constexpr Millis kRevokeLeaseMs = 120000;

std::string EncodeEntry(const OutboxEntry& entry);
Result<OutboxEntry> DecodeEntry(std::string_view json);

// How long a retained status message lives on the broker.
inline constexpr int kStatusExpirySeconds = 24 * 3600;

}  // namespace gps::engine
