#pragma once
// Named monotonic counters, one beside each error path and each handled event kind, so tests and
// operators can check behaviour by numbers instead of log text.
//
// Counters live for the whole process; a Counter& returned by Get() stays valid forever.
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gps::metrics {

class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// The counter with this name, created at zero on first use.
Counter& Get(std::string_view name);
inline void Inc(std::string_view name) { Get(name).Add(); }

// All counters sorted by name.
std::vector<std::pair<std::string, std::uint64_t>> Snapshot();
// {"name":value,...}
std::string SnapshotJson();

}  // namespace gps::metrics
