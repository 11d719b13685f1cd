#include "gps/core/outcome.h"

namespace gps {

std::string_view OutcomeKindName(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::kOk:
      return "ok";
    case Outcome::Kind::kRetryable:
      return "retryable";
    case Outcome::Kind::kPermanent:
      return "permanent";
  }
  return "permanent";
}

bool ParseOutcomeKind(std::string_view text, Outcome::Kind* out) {
  for (Outcome::Kind k :
       {Outcome::Kind::kOk, Outcome::Kind::kRetryable, Outcome::Kind::kPermanent}) {
    if (text == OutcomeKindName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

}  // namespace gps
