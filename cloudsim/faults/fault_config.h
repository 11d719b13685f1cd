#pragma once
// Fault injection settings of gps-cloudsim, per simulated service: added latency, a 5xx rate, a
// request quota answered with 429 + Retry-After, dropped connections, hangs, and permanent answers
// for matching requests, each applied before or after the service processed the request.
// The same JSON shape is read from GPS_CLOUDSIM_FAULTS at start, from PUT /_sim/faults at run
// time, and written by GET /_sim/faults (cloudsim/README.md documents it).
//
// Plain values; parsing and writing are pure functions. Unknown fields and out-of-range values
// are refused with a message naming the field ("dps.error_rate: ..."), never ignored.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"

namespace gps::cloudsim {

// The simulated services, in the order of every per-service array below.
inline constexpr std::size_t kServiceCount = 4;
inline constexpr std::array<std::string_view, kServiceCount> kServiceNames = {"mender", "dps",
                                                                              "vault", "hub"};
// Index of a service name in kServiceNames.
std::optional<std::size_t> ServiceIndex(std::string_view name);

// Whether an injected fault is applied before the service processes the request (nothing
// changes) or after it (the change is made, the client still sees the fault), or either at random.
enum class FaultWhen { kBefore, kAfter, kEither };
std::string_view FaultWhenName(FaultWhen when);

// A permanent answer for every matching request, until the faults are changed.
struct PermanentFault {
  int status = 400;                      // 400..599
  std::string message;                   // put into the service's own error body, or
  std::optional<std::string> body_json;  // this JSON value sent verbatim instead
  std::string method;                    // upper case; empty: every method
  std::string path;                      // glob over the raw path ('*': any run); empty: any
  FaultWhen when = FaultWhen::kBefore;

  friend bool operator==(const PermanentFault&, const PermanentFault&) = default;
};

struct ServiceFaults {
  Millis latency_min_ms = 0;  // added before answering, uniform in [min, max]
  Millis latency_max_ms = 0;
  double error_rate = 0;          // fraction answered with one of error_status
  std::vector<int> error_status;  // 5xx statuses to pick from (DefaultErrorStatuses)
  std::int64_t rate_limit = 0;    // requests per window; above it 429 (0: no limit)
  std::int64_t rate_window_s = 1;
  std::optional<std::int64_t> retry_after_s;  // fixed Retry-After (default: until window end)
  double drop_rate = 0;  // fraction whose connection is closed without an answer
  double hang_rate = 0;  // fraction held for hang_ms, then closed without an answer
  Millis hang_ms = 30000;
  FaultWhen when = FaultWhen::kEither;  // for error, drop and hang
  std::vector<PermanentFault> fail;     // the first match wins

  friend bool operator==(const ServiceFaults&, const ServiceFaults&) = default;
};

struct FaultConfig {
  std::array<ServiceFaults, kServiceCount> services;
  friend bool operator==(const FaultConfig&, const FaultConfig&) = default;
};

// The 5xx statuses the real service answers with: Mender 500/503, DPS 500, Vault 500/502/503,
// IoT Hub 500/503.
std::vector<int> DefaultErrorStatuses(std::size_t service);
// No faults for this service (with its default error statuses).
ServiceFaults NoFaults(std::size_t service);
FaultConfig NoFaults();

// {"mender":{...},"dps":{...},...}; absent services get no faults. Empty text is no faults.
Result<FaultConfig> ParseFaultConfig(std::string_view text);
// One service's object, as PUT /_sim/faults/{service} takes it.
Result<ServiceFaults> ParseServiceFaults(std::size_t service, std::string_view text);

// The normalised JSON of a whole configuration or one service (every field written), which the
// parsers read back to the same value.
std::string FaultConfigJson(const FaultConfig& config);
std::string ServiceFaultsJson(const ServiceFaults& faults);

}  // namespace gps::cloudsim
