#pragma once
// The three ways an external call (a cloud request, a step attempt) can end:
//   Ok, Retryable{after}, Permanent{reason}.
// Retryable carries the delay the far side asked for (Retry-After), or 0 for "use the policy".
// Plain value type; thread-safe.

#include <string>
#include <string_view>

#include "gps/core/clock.h"

namespace gps {

struct Outcome {
  enum class Kind { kOk, kRetryable, kPermanent };

  static Outcome Ok() { return Outcome{Kind::kOk, 0, ""}; }
  static Outcome Retryable(std::string error, Millis retry_after_ms = 0) {
    return Outcome{Kind::kRetryable, retry_after_ms, std::move(error)};
  }
  static Outcome Permanent(std::string error) {
    return Outcome{Kind::kPermanent, 0, std::move(error)};
  }

  bool ok() const { return kind == Kind::kOk; }
  bool retryable() const { return kind == Kind::kRetryable; }
  bool permanent() const { return kind == Kind::kPermanent; }

  Kind kind = Kind::kOk;
  Millis retry_after_ms = 0;
  std::string error;
};

std::string_view OutcomeKindName(Outcome::Kind kind);
bool ParseOutcomeKind(std::string_view text, Outcome::Kind* out);

}  // namespace gps
