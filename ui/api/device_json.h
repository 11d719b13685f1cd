#pragma once
// The device object of the REST API, built from a DeviceView, and the ?state= filter.
//
//   {"id", "mac", "fingerprint", "checkCode", "firstSeen", "lastSeen", "state", "phase", "name",
//    "error", "approvedBy", "approvedAt", "revokedBy", "revokeRequestedAt", "revokedAt",
//    "deliveredAt", "provisionedAt", "updatedAt", "version",
//    "steps": {"<slot>": {"status", "attempt", "error", "startedAt", "finishedAt", "deadline",
//                         "retryAt"}}}
//
// Times are RFC 3339 UTC with milliseconds, null while unset (deadline only while running,
// retryAt only while waiting). version is the saga's compare-and-set counter: it grows with every
// transition. Step data is never included: it may hold sealed blobs, and the page has no use for
// it.
// Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "gps/protocol/device_messages.h"

#include "gps/core/result.h"
#include "gps/json/json.h"
#include "ui/store/device_record.h"

namespace gps::ui {

void WriteDevice(json::Writer& w, const DeviceView& device);
std::string DeviceJson(const DeviceView& device);
// A JSON array in the order given.
std::string DeviceListJson(const std::vector<DeviceView>& devices);

// The REST states, in the order the API documents them (the status topic's too).
inline constexpr const auto& kApiStates = protocol::kDeviceStates;

// The values of ?state= (every occurrence): none gives nullopt (no filter); one known state gives
// it; an unknown, empty or repeated value is InvalidArgument with a message for the caller.
Result<std::optional<std::string>> ParseStateFilter(const std::vector<std::string>& values);

// Keeps the devices whose API state is `state` (all when nullopt), preserving order.
std::vector<DeviceView> FilterByState(std::vector<DeviceView> devices,
                                      const std::optional<std::string>& state);

}  // namespace gps::ui
