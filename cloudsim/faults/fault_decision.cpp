#include "cloudsim/faults/fault_decision.h"

#include <algorithm>

namespace gps::cloudsim {

namespace {

FaultTiming PickTiming(FaultWhen when, double draw) {
  switch (when) {
    case FaultWhen::kBefore:
      return FaultTiming::kBefore;
    case FaultWhen::kAfter:
      return FaultTiming::kAfter;
    case FaultWhen::kEither:
      break;
  }
  return draw < 0.5 ? FaultTiming::kBefore : FaultTiming::kAfter;
}

// floor(draw * n) kept inside [0, n - 1] whatever rounding does. REQUIRES: n > 0.
std::size_t Pick(double draw, std::size_t n) {
  auto i = static_cast<std::size_t>(std::max(0.0, draw) * static_cast<double>(n));
  return std::min(i, n - 1);
}

bool Matches(const PermanentFault& f, std::string_view method, std::string_view path) {
  if (!f.method.empty() && f.method != method) {
    return false;
  }
  return f.path.empty() || GlobMatch(f.path, path);
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNone:
      return "none";
    case FaultKind::kServerError:
      return "5xx";
    case FaultKind::kThrottle:
      return "429";
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kHang:
      return "hang";
    case FaultKind::kFail:
      return "fail";
  }
  return "none";
}

FaultDecision DecideFault(const ServiceFaults& faults, std::string_view method,
                          std::string_view path, Instant now, const RateWindow& window,
                          const FaultDraws& draws) {
  FaultDecision d;
  d.window = window;
  FaultAction& a = d.action;
  if (faults.latency_max_ms > faults.latency_min_ms) {
    auto span = static_cast<std::size_t>(faults.latency_max_ms - faults.latency_min_ms + 1);
    a.latency_ms = faults.latency_min_ms + static_cast<Millis>(Pick(draws.latency, span));
  } else {
    a.latency_ms = faults.latency_min_ms;
  }

  for (const PermanentFault& f : faults.fail) {
    if (Matches(f, method, path)) {
      a.kind = FaultKind::kFail;
      a.timing = PickTiming(f.when, draws.timing);
      a.status = f.status;
      a.message = f.message;
      a.body_json = f.body_json;
      return d;
    }
  }

  if (faults.rate_limit > 0) {
    Millis window_ms = std::max<std::int64_t>(1, faults.rate_window_s) * 1000;
    std::int64_t index = now.ms / window_ms;
    if (index != d.window.index) {
      d.window = RateWindow{index, 0};
    }
    if (d.window.count >= faults.rate_limit) {
      Millis reset_ms = (index + 1) * window_ms - now.ms;
      std::int64_t reset_s = std::max<std::int64_t>(1, (reset_ms + 999) / 1000);
      a.kind = FaultKind::kThrottle;
      a.status = 429;
      a.rate_limit = faults.rate_limit;
      a.reset_s = reset_s;
      a.retry_after_s = faults.retry_after_s.value_or(reset_s);
      return d;
    }
    ++d.window.count;
  }

  double u = draws.kind;
  if (u < faults.drop_rate) {
    a.kind = FaultKind::kDrop;
  } else if (u < faults.drop_rate + faults.hang_rate) {
    a.kind = FaultKind::kHang;
    a.hang_ms = faults.hang_ms;
  } else if (u < faults.drop_rate + faults.hang_rate + faults.error_rate) {
    a.kind = FaultKind::kServerError;
    a.status = faults.error_status.empty()
                   ? 500
                   : faults.error_status[Pick(draws.status, faults.error_status.size())];
  } else {
    return d;
  }
  a.timing = PickTiming(faults.when, draws.timing);
  return d;
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matching with backtracking to the last '*': linear in practice, no recursion.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace gps::cloudsim
