#pragma once
// A Redis reply as a plain value, converted from hiredis' redisReply (which is freed at once), with
// typed accessors that refuse an unexpected reply type instead of misreading it.
// Value type; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gps/core/result.h"

struct redisReply;

namespace gps::redis {

class Reply {
 public:
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };

  // Deep-copies a hiredis reply (does not free it).
  static Reply FromHiredis(const redisReply* r);
  static Reply Nil() { return Reply(Type::kNil); }

  Type type() const { return type_; }
  bool IsNil() const { return type_ == Type::kNil; }
  bool IsError() const { return type_ == Type::kError; }
  // The error text of an error reply ("NOSCRIPT No matching script ...").
  const std::string& error() const { return text_; }

  // Bulk or status string.
  Result<std::string> AsString() const;
  // Nil gives nullopt; a string its value.
  Result<std::optional<std::string>> AsOptionalString() const;
  Result<std::int64_t> AsInteger() const;
  Result<std::vector<Reply>> AsArray() const;

 private:
  explicit Reply(Type t) : type_(t) {}
  Status Unexpected(std::string_view wanted) const;

  Type type_ = Type::kNil;
  std::string text_;
  std::int64_t integer_ = 0;
  std::vector<Reply> elements_;
};

}  // namespace gps::redis
