#include "gps/redis/connection.h"

#include <hiredis/hiredis.h>

namespace gps::redis {

namespace {

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval ToTimeval(Millis ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

}  // namespace

void Connection::ContextFree::operator()(redisContext* c) const { redisFree(c); }

Connection::Connection(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}
Connection::~Connection() = default;

Status Connection::IoError(const std::string& what) {
  std::string detail = ctx_ && ctx_->errstr[0] != '\0' ? ctx_->errstr : "connection error";
  ctx_.reset();  // reconnect on the next call
  return Status::Unavailable("redis " + endpoint_.host + ":" + std::to_string(endpoint_.port) +
                             ": " + what + ": " + detail);
}

Status Connection::Connect() {
  ctx_.reset();
  timeval tv = ToTimeval(endpoint_.timeout_ms);
  ctx_.reset(redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv));
  if (!ctx_ || ctx_->err != 0) {
    return IoError("connect");
  }
  if (redisSetTimeout(ctx_.get(), tv) != REDIS_OK) {
    return IoError("set timeout");
  }
  auto run = [&](std::vector<std::string> args) -> Status {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    ReplyPtr r(static_cast<redisReply*>(
        redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (!r) {
      return IoError(args[0]);
    }
    if (r->type == REDIS_REPLY_ERROR) {
      std::string err(r->str, r->len);
      ctx_.reset();
      return Status::PermissionDenied("redis " + args[0] + ": " + err);
    }
    return Status::Ok();
  };
  if (!endpoint_.password.empty()) {
    GPS_RETURN_IF_ERROR(run({"AUTH", endpoint_.password}));
  }
  if (endpoint_.db != 0) {
    GPS_RETURN_IF_ERROR(run({"SELECT", std::to_string(endpoint_.db)}));
  }
  return Status::Ok();
}

Status Connection::EnsureConnected() {
  if (ctx_) {
    return Status::Ok();
  }
  return Connect();
}

Result<Reply> Connection::Command(const std::vector<std::string>& args) {
  GPS_RETURN_IF_ERROR(EnsureConnected());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  ReplyPtr r(static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (!r) {
    return IoError(args.empty() ? "command" : args[0]);
  }
  return Reply::FromHiredis(r.get());
}

Result<std::vector<Reply>> Connection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  GPS_RETURN_IF_ERROR(EnsureConnected());
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(),
                               lens.data()) != REDIS_OK) {
      return IoError("pipeline append");
    }
  }
  std::vector<Reply> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_.get(), &raw) != REDIS_OK) {
      return IoError("pipeline read");
    }
    ReplyPtr r(static_cast<redisReply*>(raw));
    out.push_back(Reply::FromHiredis(r.get()));
  }
  return out;
}

}  // namespace gps::redis
