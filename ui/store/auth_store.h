#pragma once
// gps-ui's own Redis keys for logins: users, sessions and API tokens, all under the {ui} hash tag
// (docs/design/redis-layout.md). Secrets are never stored: a session or token is kept under its
// id, the SHA-256 of its secret. Sessions expire by themselves (PEXPIRE, renewed while used);
// ending a user's sessions uses the per-user set of session ids.
// Thread-safety: every call borrows its own connection from the pool; safe from many threads.
// Lifetime: the pool must outlive the store.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/redis/keys.h"
#include "gps/redis/script.h"
#include "ui/auth/access.h"
#include "ui/store/redis_pool.h"

namespace gps::ui {

struct UserRecord {
  std::string name;
  Role role = Role::kViewer;
  std::string password_hash;  // crypto::HashPassword's string
  Instant created;
  std::string created_by;
};

struct SessionRecord {
  std::string id;  // SecretId of the cookie's secret
  std::string user;
  std::string csrf_token;
  Instant created;
  Instant expires;  // the absolute end, however active the session is
};

struct TokenRecord {
  std::string id;  // SecretId of the token
  std::string label;
  Role role = Role::kViewer;
  Instant created;
  std::string created_by;
};

class AuthStore {
 public:
  AuthStore(RedisPool& pool, redis::Keys keys);

  // Every call: Unavailable when Redis cannot be asked; InvalidArgument for a record that cannot
  // be read (it names the key's owner, never a secret).

  // false when a user of that name exists.
  Result<bool> CreateUser(const UserRecord& user);
  Result<std::optional<UserRecord>> GetUser(const std::string& name);
  // Sorted by name; unreadable records are left out.
  Result<std::vector<UserRecord>> ListUsers();
  // Changes the role and/or the password hash; false when there is no such user.
  Result<bool> UpdateUser(const std::string& name, std::optional<Role> role,
                          std::optional<std::string> password_hash);
  // Also ends every session of the user. false when there is no such user.
  Result<bool> DeleteUser(const std::string& name);
  // Ends the user's sessions but keep_session_id (empty: all).
  Status EndSessionsOf(const std::string& name, const std::string& keep_session_id = "");

  // Stores the session to expire after idle_ms unless touched (never past session.expires).
  Status CreateSession(const SessionRecord& session, Millis idle_ms);
  // nullopt when there is no such session (ended, or expired by Redis).
  Result<std::optional<SessionRecord>> GetSession(const std::string& id);
  Status TouchSession(const std::string& id, Millis ttl_ms);
  Status DeleteSession(const std::string& id, const std::string& user);

  Status CreateToken(const TokenRecord& token);
  Result<std::optional<TokenRecord>> GetToken(const std::string& id);
  // Oldest first; unreadable records are left out.
  Result<std::vector<TokenRecord>> ListTokens();
  // The token whose id starts with short_id (the API and the CLI show 16 hex digits), if any.
  Result<std::optional<TokenRecord>> FindToken(const std::string& short_id);
  // false when there is no such token.
  Result<bool> DeleteToken(const std::string& id);

  // Failed logins of a user name within the current window.
  Result<std::int64_t> LoginFailures(const std::string& name);
  // Counts one more; the count expires window_ms after the first failure of a window.
  Status CountLoginFailure(const std::string& name, Millis window_ms);
  Status ClearLoginFailures(const std::string& name);

 private:
  Result<redis::Reply> Run(const std::vector<std::string>& command);
  Result<std::vector<redis::Reply>> RunPipeline(const std::vector<std::vector<std::string>>& cmds);
  Result<std::vector<std::string>> Members(const std::string& set_key);
  // HMGET of the fields of every key, in one round trip; a reply that cannot be read gives an
  // empty vector for its key.
  Result<std::vector<std::vector<std::optional<std::string>>>> ReadHashes(
      const std::vector<std::string>& keys, const std::vector<std::string>& fields);

  RedisPool& pool_;
  redis::Keys keys_;
  redis::Script create_user_;
  redis::Script update_user_;
};

}  // namespace gps::ui
