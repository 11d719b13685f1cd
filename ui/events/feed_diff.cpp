#include "ui/events/feed_diff.h"

#include <set>

namespace gps::ui {

FeedDiff DiffSignatures(const std::map<std::string, DeviceSignature>& known,
                        const std::vector<std::string>& known_order,
                        const std::vector<DeviceSignature>& now) {
  FeedDiff diff;
  std::set<std::string> present;
  std::vector<std::string> kept_order;  // ids of now that were known, in now's order
  for (const DeviceSignature& s : now) {
    present.insert(s.id);
    auto it = known.find(s.id);
    if (it == known.end() || !(it->second == s)) {
      diff.changed.push_back(s.id);
    }
    if (it != known.end()) {
      kept_order.push_back(s.id);
    }
  }
  std::vector<std::string> old_kept;
  for (const std::string& id : known_order) {
    if (present.count(id) == 0) {
      diff.removed.push_back(id);
    } else {
      old_kept.push_back(id);
    }
  }
  diff.order_changed = old_kept != kept_order;
  return diff;
}

}  // namespace gps::ui
