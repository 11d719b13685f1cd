#pragma once
// Reading the body of a cloud's answer after classifying the exchange: the step every Interpret*
// function of the workers starts with. A 2xx whose body does not parse is permanent: retrying
// would only read the same answer again. Pure; thread-safe.

#include <string>
#include <string_view>
#include <utility>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/core/result.h"
#include "gps/http/client.h"
#include "gps/http/outcome.h"

namespace gps::http {

// Ok with *out = parse(body) for a 2xx answer. Otherwise *out is untouched and the Outcome is how
// the exchange failed (Classify), or permanent "<what>: unreadable answer: <why>" when parse
// refuses the body. parse: Result<T>(std::string_view body).
template <typename T, typename Parse>
Outcome ParseAnswer(const Result<Response>& response, std::string_view what, Instant now,
                    Parse parse, T* out) {
  Outcome outcome = Classify(response, what, now);
  if (!outcome.ok()) {
    return outcome;
  }
  Result<T> parsed = parse(std::string_view(response->body));
  if (!parsed.ok()) {
    return Outcome::Permanent(std::string(what) +
                              ": unreadable answer: " + parsed.status().message());
  }
  *out = std::move(parsed).value();
  return Outcome::Ok();
}

}  // namespace gps::http
