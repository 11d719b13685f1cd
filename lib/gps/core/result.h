#pragma once
// Result<T>: either a value of T or a non-ok Status.
//
// Our own small stand-in for std::expected (C++23). Constructing a Result from an ok Status is a
// broken invariant and is turned into an internal error rather than UB.
// Thread-safety: as for T.

#include <optional>
#include <utility>

#include "gps/core/status.h"

namespace gps {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) {
      status_ = Status::Internal("Result constructed from an ok Status without a value");
    }
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace gps

#define GPS_CONCAT_INNER_(a, b) a##b
#define GPS_CONCAT_(a, b) GPS_CONCAT_INNER_(a, b)

// GPS_ASSIGN_OR_RETURN(auto x, Expr()); returns the Status of a failed Result.
#define GPS_ASSIGN_OR_RETURN(lhs, expr) \
  GPS_ASSIGN_OR_RETURN_IMPL_(GPS_CONCAT_(gps_result_, __LINE__), lhs, expr)
#define GPS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) {                                 \
    return tmp.status();                           \
  }                                                \
  lhs = std::move(tmp).value()
