#pragma once
// Helpers shared by the unit tests of lib/gps (gps_lib_test) only; no process includes this.

#include <stdexcept>
#include <string>
#include <utility>

#include "gps/core/result.h"

namespace gps::testing {

// A well-formed device id: the one of the Ed25519 test key of crypto/sign_test.cpp.
inline const std::string kDeviceId =
    "954eccfded3305fa32be4cdec97acfc0424b393b1474799b8b10bb2c0226940a";

// Unwraps a Result the test cannot go on without; gtest reports the exception as this test's
// failure and carries on with the next test.
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    throw std::runtime_error("unexpected error: " + r.status().ToString());
  }
  return std::move(r).value();
}

}  // namespace gps::testing
