#pragma once
// The device's timeline: what a transition did, as entries the engine stores with the saga in the
// same commit (the history list, docs/design/redis-layout.md) and gps-ui shows in its device
// view. Derived from the saga before and after the transition and the event that caused it, so
// the entries say exactly what was committed:
//
//   announced    the device's first announce
//   command      an operator command that changed the saga (actor, command, name or step)
//   dispatched   a step attempt was sent to its worker
//   result       a step attempt ended: outcome ok, failed, retry (waiting until retryAt) or
//                timeout (no result within its lease), with the cloud's error text
//   step         a step changed status without an attempt ending (a waiting step failed with its
//                saga, a compensation started waiting for the lease it undoes)
//   credentials  the bundle was sealed and published to the device
//   phase        the saga moved from one phase to another (with the saga's error)
//
// The IoT Hub manifest step's "not in IoT Hub yet" polls can go on for days; only the first and
// every tenth poll are recorded, so the capped timeline keeps the rest of the story.
// Pure; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "engine/saga/event.h"
#include "gps/core/clock.h"
#include "gps/saga/record.h"

namespace gps::engine {

struct HistoryEntry {
  Instant at;
  std::string kind;
  std::string step;     // slot name, for step entries
  int attempt = 0;      // for step entries
  std::string outcome;  // result: ok, failed, retry, timeout; step: the new status
  std::string error;
  Instant retry_at;  // result "retry": when the next attempt starts
  std::string from;  // phase entries
  std::string to;
  std::string actor;    // command entries
  std::string command;  // approve, dismiss, retry, run-now, revoke
  std::string name;     // approve: the name; run-now: the step asked for
  std::string message;  // a sentence for the operator, where the fields above do not say it all

  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// The entries of the transition before -> after caused by event at `now`, in the order they
// happened. before is nullopt for a device seen for the first time.
std::vector<HistoryEntry> HistoryEntries(const std::optional<saga::Saga>& before,
                                         const saga::Saga& after, const Event& event, Instant now);

// One compact JSON object; empty fields are left out.
std::string EncodeHistoryEntry(const HistoryEntry& entry);

// Entries kept per device: older ones are trimmed in the same commit.
inline constexpr int kHistoryCapacity = 500;

}  // namespace gps::engine
