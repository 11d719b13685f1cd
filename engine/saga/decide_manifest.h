#pragma once
// The IoT Hub manifest step: after the device's ack, wait for the gateway to appear in IoT Hub
// (it registers through DPS with the delivered key) and apply the deployment manifest. The saga
// stays provisioned meanwhile; a step that fails for good fails the saga, and an operator's retry
// runs only this step again. Internal to engine/saga; pure. Thread-safe.

#include <vector>

#include "engine/saga/command.h"
#include "engine/saga/decide.h"
#include "engine/saga/event.h"
#include "gps/saga/record.h"

namespace gps::engine::manifest {

// Called when the device acked: starts the step when the policy enables it.
void StartAfterAck(saga::Saga& s, const DecideContext& ctx, std::vector<Command>& commands);

// The current attempt's result (already matched to the running attempt).
void OnResult(saga::Saga& s, const StepResultArrived& e, const DecideContext& ctx,
              std::vector<Command>& commands);

// An operator's retry of a saga that failed in this step: back to provisioned, the step runs
// again with a fresh budget and a fresh deadline for the wait. Returns the slots restarted.
std::vector<saga::Slot> Retry(saga::Saga& s, const DecideContext& ctx,
                              std::vector<Command>& commands);

// "14 days", "36 hours", "90 s": a deadline as the operator reads it.
std::string DescribeDuration(Millis ms);

}  // namespace gps::engine::manifest
