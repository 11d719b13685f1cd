#include "cloudsim/faults/fault_injector.h"

#include <chrono>

#include "gps/json/json.h"
#include "gps/metrics/counters.h"

namespace gps::cloudsim {

std::uint64_t FaultInjector::RandomSeed() {
  std::random_device rd;
  std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return seed & kMaxSeed;
}

FaultInjector::FaultInjector(FaultConfig config, std::uint64_t seed) : seed_(seed & kMaxSeed) {
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    std::seed_seq seq{static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32),
                      static_cast<std::uint32_t>(i)};
    services_[i].rng.seed(seq);
    services_[i].faults = std::move(config.services[i]);
  }
}

double FaultInjector::Draw(PerService& s) { return static_cast<double>(s.rng() >> 11) * 0x1.0p-53; }

FaultAction FaultInjector::Decide(std::size_t service, std::string_view method,
                                  std::string_view path, Instant now) {
  FaultAction action;
  {
    std::lock_guard<std::mutex> lock(mu_);
    PerService& s = services_[service];
    // Always four draws, so a request's draws do not depend on the settings in force.
    FaultDraws draws{Draw(s), Draw(s), Draw(s), Draw(s)};
    FaultDecision d = DecideFault(s.faults, method, path, now, s.window, draws);
    s.window = d.window;
    action = std::move(d.action);
    InjectedCounts& c = s.counts;
    ++c.requests;
    c.delayed += action.latency_ms > 0 ? 1 : 0;
    switch (action.kind) {
      case FaultKind::kNone:
        break;
      case FaultKind::kServerError:
        ++c.server_error;
        break;
      case FaultKind::kThrottle:
        ++c.throttled;
        break;
      case FaultKind::kDrop:
        ++c.dropped;
        break;
      case FaultKind::kHang:
        ++c.hung;
        break;
      case FaultKind::kFail:
        ++c.failed;
        break;
    }
    c.after += action.kind != FaultKind::kNone && action.timing == FaultTiming::kAfter ? 1 : 0;
  }
  if (action.kind != FaultKind::kNone) {
    metrics::Inc("cloudsim." + std::string(kServiceNames[service]) + ".fault_" +
                 std::string(FaultKindName(action.kind)));
  }
  return action;
}

void FaultInjector::Set(FaultConfig config) {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    services_[i].faults = std::move(config.services[i]);
    services_[i].window = RateWindow{};
  }
}

void FaultInjector::SetService(std::size_t service, ServiceFaults faults) {
  std::lock_guard<std::mutex> lock(mu_);
  services_[service].faults = std::move(faults);
  services_[service].window = RateWindow{};
}

FaultConfig FaultInjector::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  FaultConfig c;
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    c.services[i] = services_[i].faults;
  }
  return c;
}

InjectedCounts FaultInjector::counts(std::size_t service) const {
  std::lock_guard<std::mutex> lock(mu_);
  return services_[service].counts;
}

std::string FaultInjector::StatusJson() const {
  FaultConfig c = config();
  std::array<InjectedCounts, kServiceCount> counts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::size_t i = 0; i < kServiceCount; ++i) {
      counts[i] = services_[i].counts;
    }
  }
  auto n = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  json::Writer w;
  w.BeginObject().Field("seed", n(seed_));
  w.Key("faults").Raw(FaultConfigJson(c));
  w.Key("injected").BeginObject();
  for (std::size_t i = 0; i < kServiceCount; ++i) {
    const InjectedCounts& k = counts[i];
    w.Key(kServiceNames[i]).BeginObject();
    w.Field("requests", n(k.requests))
        .Field("delayed", n(k.delayed))
        .Field("5xx", n(k.server_error))
        .Field("429", n(k.throttled))
        .Field("drop", n(k.dropped))
        .Field("hang", n(k.hung))
        .Field("fail", n(k.failed))
        .Field("after", n(k.after));
    w.EndObject();
  }
  w.EndObject().EndObject();
  return w.Take();
}

bool FaultInjector::Sleep(Millis ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ms <= 0) {
    return !stopping_;
  }
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

void FaultInjector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
}

}  // namespace gps::cloudsim
