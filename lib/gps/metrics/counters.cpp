#include "gps/metrics/counters.h"

#include <map>
#include <memory>
#include <mutex>

#include "gps/json/json.h"

namespace gps::metrics {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();  // never destroyed: counters outlive static dtors
  return *registry;
}

}  // namespace

Counter& Get(std::string_view name) {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.counters.find(name);
  if (it == r.counters.end()) {
    it = r.counters.emplace(std::string(name), std::make_unique<Counter>()).first;
  }
  return *it->second;
}

std::vector<std::pair<std::string, std::uint64_t>> Snapshot() {
  Registry& r = TheRegistry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& [name, counter] : r.counters) {
    out.emplace_back(name, counter->Value());
  }
  return out;
}

std::string SnapshotJson() {
  json::Writer w;
  w.BeginObject();
  for (const auto& [name, value] : Snapshot()) {
    w.Field(name, static_cast<std::int64_t>(value));
  }
  w.EndObject();
  return w.Take();
}

}  // namespace gps::metrics
