#pragma once
// One device as gps-ui shows it: the engine's saga record plus the last time the device announced
// itself, decoded from the raw Redis values (saga hash fields v and doc, the last-seen string).
// Kept apart from the Redis I/O (device_reader.h) so every decoding rule is unit-tested.
// Pure; thread-safe.

#include <optional>
#include <string>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/saga/record.h"

namespace gps::ui {

struct DeviceView {
  saga::Saga saga;
  Instant last_seen;  // the engine's last-seen time, or the saga's first_seen when unknown
};

// The values of one device as Redis returned them; nullopt where Redis answered nil.
struct RawDeviceRecord {
  std::string device_id;                 // the member of the device index
  std::optional<std::string> version;    // HGET saga v
  std::optional<std::string> doc;        // HGET saga doc
  std::optional<std::string> last_seen;  // GET seen: Unix ms in decimal
};

// nullopt when the device has no saga (the index can name a device whose saga is gone).
// InvalidArgument, naming the device, when the record is unreadable: bad version, bad JSON, or a
// document of another device. An unreadable last-seen value falls back to first_seen: it only
// feeds a display field, and the engine rewrites it on the next announce.
Result<std::optional<DeviceView>> DecodeDeviceRecord(const RawDeviceRecord& raw);

// Unix ms in decimal, as the engine writes it; nullopt when absent or not a positive integer.
std::optional<Instant> ParseLastSeen(const std::optional<std::string>& text);

}  // namespace gps::ui
