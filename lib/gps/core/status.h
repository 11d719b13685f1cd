#pragma once
// Status: the outcome of an operation inside our code, as a value (code + message).
//
// Errors are values across the project; exceptions from third-party libraries stop at the adapters
// in lib/gps/{mqtt,json,http,redis}. A Status is cheap to copy when ok (no allocation) and carries
// a message with context when not ("dps: create enrollment gw-1: HTTP 409: ...").
// Thread-safety: a const Status may be read from several threads; it has no shared state.

#include <string>
#include <string_view>
#include <utility>

namespace gps {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,     // bad input from outside: payload, config value, HTTP body
    kNotFound,            // the thing asked for does not exist
    kAlreadyExists,       // a conflicting thing exists (name taken, version moved)
    kFailedPrecondition,  // the request does not fit the current state
    kPermissionDenied,    // authentication or authorisation refused
    kUnavailable,         // a transient fault: network, broker, Redis, cloud 5xx/429
    kDeadlineExceeded,    // a time limit ran out
    kInternal,            // a broken invariant of our own
  };

  Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {Code::kFailedPrecondition, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) {
    return {Code::kDeadlineExceeded, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }
  bool IsFailedPrecondition() const { return code_ == Code::kFailedPrecondition; }
  bool IsPermissionDenied() const { return code_ == Code::kPermissionDenied; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsDeadlineExceeded() const { return code_ == Code::kDeadlineExceeded; }
  bool IsInternal() const { return code_ == Code::kInternal; }

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  Status WithContext(std::string_view context) const;

  // "OK" or "<code name>: <message>".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view CodeName(Status::Code code);

}  // namespace gps

// Propagates a non-ok Status from an expression that yields a Status.
#define GPS_RETURN_IF_ERROR(expr)       \
  do {                                  \
    ::gps::Status gps_status_ = (expr); \
    if (!gps_status_.ok()) {            \
      return gps_status_;               \
    }                                   \
  } while (false)
