#pragma once
// DecideFault: which fault, if any, one request of one simulated service gets. A pure function of
// the service's fault settings, the request's method and path, the current time, the service's
// rate-limit window and four random draws, so tests replay any sequence exactly; the
// FaultInjector supplies the draws from a seeded generator and keeps the window, and the
// Dispatcher carries the action out (cloudsim/README.md, "Fault injection").
//
// Order: a matching permanent answer ("fail") first, then the rate limit (a request over the
// quota is refused before anything else could happen to it), then one draw that picks drop, hang,
// 5xx or nothing with the configured probabilities. Latency applies to every request.
// Thread-safe (pure).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cloudsim/faults/fault_config.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

// Independent uniform draws in [0, 1).
struct FaultDraws {
  double latency = 0;  // where in [latency_min_ms, latency_max_ms]
  double kind = 0;     // drop, hang, error or nothing
  double timing = 0;   // before or after, when the setting is "either"
  double status = 0;   // which of error_status
};

// The fixed rate-limit window a service is in: window number since the epoch and the requests
// admitted in it.
struct RateWindow {
  std::int64_t index = -1;
  std::int64_t count = 0;
  friend bool operator==(const RateWindow&, const RateWindow&) = default;
};

enum class FaultKind {
  kNone,         // the service answers
  kServerError,  // a 5xx in the service's error shape
  kThrottle,     // 429 with Retry-After (always before processing)
  kDrop,         // the connection is closed without an answer
  kHang,         // held for hang_ms, then closed without an answer
  kFail,         // the permanent answer of a "fail" entry
};
std::string_view FaultKindName(FaultKind kind);

enum class FaultTiming { kBefore, kAfter };

struct FaultAction {
  FaultKind kind = FaultKind::kNone;
  FaultTiming timing = FaultTiming::kBefore;  // kAfter: the service processes the request first
  Millis latency_ms = 0;                      // waited before anything else
  int status = 0;                             // kServerError, kThrottle, kFail
  std::int64_t retry_after_s = 0;             // kThrottle: the Retry-After value
  std::int64_t rate_limit = 0;                // kThrottle: the quota per window
  std::int64_t reset_s = 0;                   // kThrottle: seconds until the window ends
  Millis hang_ms = 0;                         // kHang
  std::string message;                        // kFail: for the service's error body
  std::optional<std::string> body_json;       // kFail: sent verbatim instead
};

struct FaultDecision {
  FaultAction action;
  RateWindow window;  // the window after this request
};

// REQUIRES: every draw in [0, 1); faults validated by the parser (rates sum to at most 1).
FaultDecision DecideFault(const ServiceFaults& faults, std::string_view method,
                          std::string_view path, Instant now, const RateWindow& window,
                          const FaultDraws& draws);

// '*' matches any run of characters (also '/'); everything else matches itself.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace gps::cloudsim
