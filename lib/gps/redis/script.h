#pragma once
// A Lua script run with EVALSHA. Loaded at start-up with Load(); when Redis answers NOSCRIPT (it
// restarted and lost its script cache) Run() loads it again and retries once.
// Thread-safety: a Script is immutable after construction; share it between threads and pass each
// call its own Connection.

#include <string>
#include <string_view>
#include <vector>

#include "gps/redis/connection.h"

namespace gps::redis {

class Script {
 public:
  Script(std::string name, std::string_view source);

  const std::string& name() const { return name_; }
  const std::string& sha() const { return sha_; }

  Status Load(Connection& conn) const;
  // Error replies from the script come back as Unavailable with the script's name.
  Result<Reply> Run(Connection& conn, const std::vector<std::string>& keys,
                    const std::vector<std::string>& args) const;

 private:
  std::string name_;
  std::string source_;
  std::string sha_;  // SHA-1 of the source, as Redis names scripts
};

}  // namespace gps::redis
