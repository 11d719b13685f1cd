#pragma once
// A device id with its score in one of the engine's global sorted sets (the device index: first
// seen; the pending set: when it became pending), as read from Redis. Value type; thread-safe.

#include <string>

#include "gps/core/clock.h"

namespace gps::engine {

struct SetMember {
  std::string id;
  Millis score = 0;
  friend bool operator==(const SetMember&, const SetMember&) = default;
};

}  // namespace gps::engine
