#pragma once
// Time as the project passes it around: Instant is milliseconds since the Unix epoch.
//
// Pure code (the saga, backoff) never reads a clock; it is given an Instant. The shells read
// SystemClock, and tests inject a FakeClock, so no test sleeps for correctness.
// Thread-safety: SystemClock is stateless; FakeClock is not thread-safe.

#include <chrono>
#include <cstdint>
#include <string>

namespace gps {

using Millis = std::int64_t;

struct Instant {
  Millis ms = 0;  // since 1970-01-01T00:00:00Z

  friend auto operator<=>(const Instant&, const Instant&) = default;
  Instant operator+(Millis d) const { return Instant{ms + d}; }
  Millis operator-(Instant other) const { return ms - other.ms; }
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    using namespace std::chrono;
    return Instant{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant start) : now_(start) {}
  Instant Now() const override { return now_; }
  void Advance(Millis d) { now_.ms += d; }
  void Set(Instant t) { now_ = t; }

 private:
  Instant now_;
};

// "2026-11-23T07:22:01.123Z"
std::string FormatRfc3339(Instant t);

}  // namespace gps
