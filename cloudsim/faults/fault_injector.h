#pragma once
// FaultInjector: the fault settings of all four services at run time, one seeded random generator
// per service, each service's rate-limit window, the counts of what was injected, and the
// interruptible waits for latency and hangs. Decide() draws, calls the pure DecideFault() and
// counts; the Dispatcher carries the action out.
//
// Each service draws from its own generator (seeded from the one seed and the service), so the
// faults one service injects depend only on the order of that service's requests: replaying a run
// with GPS_CLOUDSIM_FAULT_SEED repeats them for the same request sequence.
//
// Thread-safe: every member may be called from any server thread. Stop() ends every current and
// future Sleep() at once (shutdown must not wait for hanging requests).

#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "cloudsim/faults/fault_config.h"
#include "cloudsim/faults/fault_decision.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

// What was injected into one service's requests since the start.
struct InjectedCounts {
  std::uint64_t requests = 0;  // requests seen (never /_sim/...)
  std::uint64_t delayed = 0;   // given latency
  std::uint64_t server_error = 0;
  std::uint64_t throttled = 0;
  std::uint64_t dropped = 0;
  std::uint64_t hung = 0;
  std::uint64_t failed = 0;  // permanent answers
  std::uint64_t after = 0;   // faults applied after the service processed the request
};

class FaultInjector {
 public:
  // Seeds fit in 53 bits so every JSON reader shows them exactly.
  static constexpr std::uint64_t kMaxSeed = (std::uint64_t{1} << 53) - 1;
  // A seed from std::random_device, for when none is configured.
  static std::uint64_t RandomSeed();

  // REQUIRES: seed <= kMaxSeed.
  FaultInjector(FaultConfig config, std::uint64_t seed);
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // The fault for one request of service (an index into kServiceNames), counted.
  FaultAction Decide(std::size_t service, std::string_view method, std::string_view path,
                     Instant now);

  // Replace the settings (of all services, or one); rate windows of replaced services restart.
  void Set(FaultConfig config);
  void SetService(std::size_t service, ServiceFaults faults);
  FaultConfig config() const;
  InjectedCounts counts(std::size_t service) const;
  std::uint64_t seed() const { return seed_; }

  // {"seed":N,"faults":{<FaultConfigJson>},"injected":{"mender":{"requests":..,"5xx":..},..}}
  std::string StatusJson() const;

  // Waits up to ms; false when Stop() cut it short (or had been called).
  bool Sleep(Millis ms);
  void Stop();

 private:
  struct PerService {
    ServiceFaults faults;
    RateWindow window;
    std::mt19937_64 rng;
    InjectedCounts counts;
  };
  double Draw(PerService& s);  // uniform in [0, 1) from 53 random bits

  const std::uint64_t seed_;
  mutable std::mutex mu_;
  std::array<PerService, kServiceCount> services_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace gps::cloudsim
