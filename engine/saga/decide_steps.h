#pragma once
// The building blocks the saga's transitions share: starting and ending step attempts, failing a
// saga, answering operators. Internal to engine/saga (decide*.cpp); pure, like Decide.
// Thread-safe.

#include <string>
#include <vector>

#include "engine/saga/command.h"
#include "engine/saga/decide.h"
#include "gps/core/outcome.h"
#include "gps/saga/record.h"

namespace gps::engine::steps {

inline constexpr saga::Slot kNameSlots[] = {saga::Slot::kMenderName, saga::Slot::kDpsName};
inline constexpr saga::Slot kProvisionSlots[] = {saga::Slot::kMender, saga::Slot::kDps,
                                                 saga::Slot::kVault};
inline constexpr saga::Slot kRevokeSlots[] = {saga::Slot::kMenderRevoke, saga::Slot::kDpsRevoke,
                                              saga::Slot::kVaultRevoke, saga::Slot::kHubRevoke};

bool IsNameSlot(saga::Slot s);
bool IsRevokeSlot(saga::Slot s);
// "Mender", "DPS", "Vault", "IoT Hub".
std::string CloudName(saga::Slot s);
// How the operator reads a slot in an error: "Mender step", "DPS revocation", ...
std::string StepTitle(saga::Slot s);

// One command; built with push_back because GCC 12 misreads a braced list of variants.
Decision WithCommand(saga::Saga s, Command c);
Status NotInPhase(const saga::Saga& s, std::string_view what);
// An operator command for a device that never announced itself.
Decision UnknownDevice(const saga::ReplyTarget& reply);

// A slot's attempts count only while its phase is the one that runs it.
bool SlotIsActive(const saga::Saga& s, saga::Slot slot);
bool Succeeded(const saga::Saga& s, saga::Slot slot);

// Starts attempt 1 of a slot.
void StartStep(saga::Saga& s, saga::Slot slot, const DecideContext& ctx,
               std::vector<Command>& commands);
// Starts the next attempt of a slot; the last error stays visible until the attempt ends.
void StartNextAttempt(saga::Saga& s, saga::Slot slot, const DecideContext& ctx,
                      std::vector<Command>& commands);
// Starts the next attempt of a slot with a fresh retry budget (an operator asked for it).
void RestartWithNewBudget(saga::Saga& s, saga::Slot slot, const DecideContext& ctx,
                          std::vector<Command>& commands);

// Sends the answer an approval was waiting for, if any.
void AnswerPendingReply(saga::Saga& s, protocol::ReplyStatus status, std::string message,
                        std::vector<Command>& commands);
// Back to pending after an approval could not go ahead: the name is released and forgotten.
void ReturnToPending(saga::Saga& s, std::string error, protocol::ReplyStatus reply_status,
                     std::vector<Command>& commands);
void Fail(saga::Saga& s, std::string error, std::vector<Command>& commands);

// An attempt ended without success. A retryable outcome with attempts left in the step's budget
// waits out the backoff (or, when the lease already made us wait, starts the next attempt at
// once); anything else fails the step, and with it the approval (name checks) or the saga.
void AttemptFailed(saga::Saga& s, saga::Slot slot, const Outcome& outcome, bool start_at_once,
                   const DecideContext& ctx, std::vector<Command>& commands);

std::string Attempts(int n);
std::string JoinSlotNames(const std::vector<saga::Slot>& slots);

}  // namespace gps::engine::steps
