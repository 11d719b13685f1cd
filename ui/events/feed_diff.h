#pragma once
// Which devices changed between two polls of the device index: the pure half of the live-update
// feed (device_feed.h), so every case is unit-tested.
// Pure; thread-safe.

#include <map>
#include <string>
#include <vector>

#include "ui/store/device_reader.h"

namespace gps::ui {

struct FeedDiff {
  std::vector<std::string> changed;  // new, or another version or last-seen time; index order
  std::vector<std::string> removed;  // in the last poll, not in this one
  bool order_changed = false;        // the index order differs (beyond additions at the front)
};

// known: the signatures of the last poll; now: this poll's, in index order.
FeedDiff DiffSignatures(const std::map<std::string, DeviceSignature>& known,
                        const std::vector<std::string>& known_order,
                        const std::vector<DeviceSignature>& now);

}  // namespace gps::ui
