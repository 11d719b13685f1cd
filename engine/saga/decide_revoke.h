#pragma once
// Device revocation: the compensations of every cloud step, as steps of their own.
//   Mender decommission, DPS enrollment delete and Vault revoke run in parallel; the IoT Hub
//   device is disabled once the DPS enrollment is gone, so the gateway cannot register again in
//   between. A compensation whose forward step is still running waits for that attempt's lease,
//   so it never runs before the creation it undoes; a creation reported after its compensation
//   ran is compensated again.
// The revocation runs in a generation of its own, so every result of the provisioning is stale
// from then on and its job ids never meet the revocation's. The name stays reserved by the
// revoked device: IoT Hub keeps the disabled identity under that name.
// Internal to engine/saga; pure. Thread-safe.

#include <optional>
#include <vector>

#include "engine/saga/command.h"
#include "engine/saga/decide.h"
#include "engine/saga/event.h"
#include "gps/saga/record.h"

namespace gps::engine::revoke {

Result<Decision> OnRevoke(const std::optional<saga::Saga>& current, const RevokeRequested& e,
                          const DecideContext& ctx);

// True once the saga has been revoked (its failure, if any, belongs to the revocation).
bool Started(const saga::Saga& s);

// The current attempt's result of a revoke slot.
void OnResult(saga::Saga& s, saga::Slot slot, const StepResultArrived& e, const DecideContext& ctx,
              std::vector<Command>& commands);

// A stale result: when it reports a creation the revocation has to undo, schedules that again
// and returns true.
bool CompensateLateCreation(saga::Saga& s, saga::Slot slot, const StepResultArrived& e,
                            const DecideContext& ctx, std::vector<Command>& commands);

// An operator's retry of a saga whose revocation failed. Returns the slots restarted.
std::vector<saga::Slot> Retry(saga::Saga& s, const DecideContext& ctx,
                              std::vector<Command>& commands);

}  // namespace gps::engine::revoke
