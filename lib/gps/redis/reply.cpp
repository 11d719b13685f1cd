#include "gps/redis/reply.h"

#include <hiredis/hiredis.h>

namespace gps::redis {

Reply Reply::FromHiredis(const redisReply* r) {
  if (r == nullptr) {
    return Reply(Type::kNil);
  }
  switch (r->type) {
    case REDIS_REPLY_STRING: {
      Reply out(Type::kString);
      out.text_.assign(r->str, r->len);
      return out;
    }
    case REDIS_REPLY_STATUS: {
      Reply out(Type::kStatus);
      out.text_.assign(r->str, r->len);
      return out;
    }
    case REDIS_REPLY_ERROR: {
      Reply out(Type::kError);
      out.text_.assign(r->str, r->len);
      return out;
    }
    case REDIS_REPLY_INTEGER: {
      Reply out(Type::kInteger);
      out.integer_ = r->integer;
      return out;
    }
    case REDIS_REPLY_ARRAY: {
      Reply out(Type::kArray);
      out.elements_.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) {
        out.elements_.push_back(FromHiredis(r->element[i]));
      }
      return out;
    }
    default:
      return Reply(Type::kNil);
  }
}

Status Reply::Unexpected(std::string_view wanted) const {
  if (type_ == Type::kError) {
    return Status::Unavailable("redis error: " + text_);
  }
  static constexpr const char* kNames[] = {"nil", "string", "status", "integer", "array", "error"};
  return Status::Internal("redis: expected " + std::string(wanted) + " reply, got " +
                          kNames[static_cast<int>(type_)]);
}

Result<std::string> Reply::AsString() const {
  if (type_ == Type::kString || type_ == Type::kStatus) {
    return text_;
  }
  return Unexpected("string");
}

Result<std::optional<std::string>> Reply::AsOptionalString() const {
  if (type_ == Type::kNil) {
    return std::optional<std::string>();
  }
  if (type_ == Type::kString || type_ == Type::kStatus) {
    return std::optional<std::string>(text_);
  }
  return Unexpected("string or nil");
}

Result<std::int64_t> Reply::AsInteger() const {
  if (type_ == Type::kInteger) {
    return integer_;
  }
  return Unexpected("integer");
}

Result<std::vector<Reply>> Reply::AsArray() const {
  if (type_ == Type::kArray) {
    return elements_;
  }
  if (type_ == Type::kNil) {
    return std::vector<Reply>();
  }
  return Unexpected("array");
}

}  // namespace gps::redis
