#include "ui/store/auth_store.h"

#include <algorithm>
#include <charconv>

#include "embedded/ui_scripts.h"
#include "gps/metrics/counters.h"

namespace gps::ui {

namespace {

Result<std::vector<std::optional<std::string>>> OptionalStrings(const redis::Reply& reply) {
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, reply.AsArray());
  std::vector<std::optional<std::string>> out;
  for (const redis::Reply& item : items) {
    GPS_ASSIGN_OR_RETURN(std::optional<std::string> value, item.AsOptionalString());
    out.push_back(std::move(value));
  }
  return out;
}

Result<Instant> ParseMs(const std::optional<std::string>& text, const std::string& what) {
  std::int64_t ms = 0;
  if (!text) {
    return Status::InvalidArgument(what + ": missing time");
  }
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
  if (ec != std::errc() || end != text->data() + text->size() || ms < 0) {
    return Status::InvalidArgument(what + ": bad time '" + text->substr(0, 20) + "'");
  }
  return Instant{ms};
}

Result<Role> RoleOf(const std::optional<std::string>& text, const std::string& what) {
  Result<Role> role = ParseRole(text.value_or(""));
  if (!role.ok()) {
    return role.status().WithContext(what);
  }
  return role;
}

// Every reply of a MULTI ... EXEC pipeline must be fine; EXEC's nil means the transaction aborted.
Status CheckTransaction(const std::vector<redis::Reply>& replies, const std::string& what) {
  for (const redis::Reply& r : replies) {
    if (r.IsError()) {
      return Status::Unavailable("redis: " + what + ": " + r.error());
    }
  }
  if (replies.empty() || replies.back().IsNil()) {
    return Status::Unavailable("redis: " + what + ": the transaction did not run");
  }
  return Status::Ok();
}

Result<UserRecord> DecodeUser(const std::string& name,
                              const std::vector<std::optional<std::string>>& f) {
  std::string what = "user " + name;
  UserRecord u;
  u.name = name;
  GPS_ASSIGN_OR_RETURN(u.role, RoleOf(f[0], what));
  if (!f[1] || f[1]->empty()) {
    return Status::InvalidArgument(what + ": no password hash");
  }
  u.password_hash = *f[1];
  GPS_ASSIGN_OR_RETURN(u.created, ParseMs(f[2], what));
  u.created_by = f[3].value_or("");
  return u;
}

Result<TokenRecord> DecodeToken(const std::string& id,
                                const std::vector<std::optional<std::string>>& f) {
  std::string what = "API token " + id.substr(0, 16);
  TokenRecord t;
  t.id = id;
  t.label = f[0].value_or("");
  GPS_ASSIGN_OR_RETURN(t.role, RoleOf(f[1], what));
  GPS_ASSIGN_OR_RETURN(t.created, ParseMs(f[2], what));
  t.created_by = f[3].value_or("");
  return t;
}

const std::vector<std::string> kUserFields = {"role", "hash", "created", "createdBy"};
const std::vector<std::string> kTokenFields = {"label", "role", "created", "createdBy"};

std::vector<std::string> Hmget(const std::string& key, const std::vector<std::string>& fields) {
  std::vector<std::string> cmd = {"HMGET", key};
  cmd.insert(cmd.end(), fields.begin(), fields.end());
  return cmd;
}

}  // namespace

AuthStore::AuthStore(RedisPool& pool, redis::Keys keys)
    : pool_(pool),
      keys_(std::move(keys)),
      create_user_("create_user", scripts::kCreateUser),
      update_user_("update_user", scripts::kUpdateUser) {}

Result<redis::Reply> AuthStore::Run(const std::vector<std::string>& command) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r = conn->Command(command);
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status().WithContext("redis: " + command.front());
  }
  if (r->IsError()) {
    metrics::Inc("ui.redis_errors");
    return Status::Unavailable("redis: " + command.front() + ": " + r->error());
  }
  return r;
}

Result<std::vector<redis::Reply>> AuthStore::RunPipeline(
    const std::vector<std::vector<std::string>>& cmds) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<std::vector<redis::Reply>> r = conn->Pipeline(cmds);
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status().WithContext("redis");
  }
  return r;
}

Result<std::vector<std::string>> AuthStore::Members(const std::string& set_key) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, Run({"SMEMBERS", set_key}));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> items, r.AsArray());
  std::vector<std::string> out;
  for (const redis::Reply& item : items) {
    GPS_ASSIGN_OR_RETURN(std::string s, item.AsString());
    out.push_back(std::move(s));
  }
  return out;
}

Result<bool> AuthStore::CreateUser(const UserRecord& user) {
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r =
      create_user_.Run(*conn, {keys_.UiUsers(), keys_.UiUser(user.name)},
                       {user.name, std::string(RoleName(user.role)), user.password_hash,
                        std::to_string(user.created.ms), user.created_by});
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status();
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t created, r->AsInteger());
  return created == 1;
}

Result<std::optional<UserRecord>> AuthStore::GetUser(const std::string& name) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, Run(Hmget(keys_.UiUser(name), kUserFields)));
  GPS_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> f, OptionalStrings(r));
  if (f.size() != kUserFields.size()) {
    return Status::Internal("redis: HMGET returned " + std::to_string(f.size()) + " fields");
  }
  if (std::all_of(f.begin(), f.end(), [](const auto& v) { return !v.has_value(); })) {
    return std::optional<UserRecord>();
  }
  GPS_ASSIGN_OR_RETURN(UserRecord u, DecodeUser(name, f));
  return std::optional<UserRecord>(std::move(u));
}

Result<std::vector<std::vector<std::optional<std::string>>>> AuthStore::ReadHashes(
    const std::vector<std::string>& keys, const std::vector<std::string>& fields) {
  std::vector<std::vector<std::optional<std::string>>> out;
  if (keys.empty()) {
    return out;
  }
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& key : keys) {
    cmds.push_back(Hmget(key, fields));
  }
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, RunPipeline(cmds));
  for (const redis::Reply& reply : replies) {
    Result<std::vector<std::optional<std::string>>> values = OptionalStrings(reply);
    out.push_back(values.ok() && values->size() == fields.size()
                      ? std::move(values).value()
                      : std::vector<std::optional<std::string>>());
  }
  return out;
}

Result<std::vector<UserRecord>> AuthStore::ListUsers() {
  GPS_ASSIGN_OR_RETURN(std::vector<std::string> names, Members(keys_.UiUsers()));
  std::sort(names.begin(), names.end());
  std::vector<std::string> keys;
  for (const std::string& name : names) {
    keys.push_back(keys_.UiUser(name));
  }
  GPS_ASSIGN_OR_RETURN(auto records, ReadHashes(keys, kUserFields));
  std::vector<UserRecord> out;
  for (std::size_t i = 0; i < names.size() && i < records.size(); ++i) {
    Result<UserRecord> u = records[i].empty() ? Result<UserRecord>(Status::InvalidArgument(""))
                                              : DecodeUser(names[i], records[i]);
    if (u.ok()) {
      out.push_back(std::move(u).value());
    }
  }
  return out;
}

Result<bool> AuthStore::UpdateUser(const std::string& name, std::optional<Role> role,
                                   std::optional<std::string> password_hash) {
  std::vector<std::string> args;
  if (role) {
    args.insert(args.end(), {"role", std::string(RoleName(*role))});
  }
  if (password_hash) {
    args.insert(args.end(), {"hash", *password_hash});
  }
  if (args.empty()) {
    return Status::InvalidArgument("nothing to change");
  }
  RedisPool::Lease conn = pool_.Acquire();
  Result<redis::Reply> r = update_user_.Run(*conn, {keys_.UiUser(name)}, args);
  if (!r.ok()) {
    metrics::Inc("ui.redis_errors");
    return r.status();
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t changed, r->AsInteger());
  return changed == 1;
}

Result<bool> AuthStore::DeleteUser(const std::string& name) {
  GPS_ASSIGN_OR_RETURN(std::vector<std::string> sessions, Members(keys_.UiUserSessions(name)));
  std::vector<std::vector<std::string>> cmds = {{"MULTI"}};
  for (const std::string& id : sessions) {
    cmds.push_back({"DEL", keys_.UiSession(id)});
  }
  cmds.push_back({"DEL", keys_.UiUserSessions(name)});
  cmds.push_back({"SREM", keys_.UiUsers(), name});
  cmds.push_back({"DEL", keys_.UiUser(name)});
  cmds.push_back({"EXEC"});
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, RunPipeline(cmds));
  GPS_RETURN_IF_ERROR(CheckTransaction(replies, "delete user"));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> results, replies.back().AsArray());
  if (results.empty()) {
    return Status::Internal("redis: delete user: empty EXEC reply");
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t deleted, results.back().AsInteger());
  return deleted == 1;
}

Status AuthStore::EndSessionsOf(const std::string& name, const std::string& keep_session_id) {
  GPS_ASSIGN_OR_RETURN(std::vector<std::string> sessions, Members(keys_.UiUserSessions(name)));
  std::vector<std::vector<std::string>> cmds = {{"MULTI"}};
  for (const std::string& id : sessions) {
    if (id != keep_session_id) {
      cmds.push_back({"DEL", keys_.UiSession(id)});
      cmds.push_back({"SREM", keys_.UiUserSessions(name), id});
    }
  }
  if (cmds.size() == 1) {
    return Status::Ok();
  }
  cmds.push_back({"EXEC"});
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, RunPipeline(cmds));
  return CheckTransaction(replies, "end sessions");
}

Status AuthStore::CreateSession(const SessionRecord& session, Millis idle_ms) {
  // The user's set also collects ids of sessions Redis has expired since; drop those first, so it
  // stays as small as the user's live sessions.
  GPS_ASSIGN_OR_RETURN(std::vector<std::string> known, Members(keys_.UiUserSessions(session.user)));
  std::vector<std::vector<std::string>> cmds = {{"MULTI"}};
  if (!known.empty()) {
    std::vector<std::vector<std::string>> exists;
    for (const std::string& id : known) {
      exists.push_back({"EXISTS", keys_.UiSession(id)});
    }
    GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> alive, RunPipeline(exists));
    for (std::size_t i = 0; i < known.size() && i < alive.size(); ++i) {
      if (alive[i].AsInteger().value_or(1) == 0) {
        cmds.push_back({"SREM", keys_.UiUserSessions(session.user), known[i]});
      }
    }
  }
  const std::string key = keys_.UiSession(session.id);
  cmds.push_back({"HSET", key, "user", session.user, "csrf", session.csrf_token, "created",
                  std::to_string(session.created.ms), "expires",
                  std::to_string(session.expires.ms)});
  cmds.push_back({"PEXPIRE", key, std::to_string(idle_ms)});
  cmds.push_back({"SADD", keys_.UiUserSessions(session.user), session.id});
  cmds.push_back({"EXEC"});
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, RunPipeline(cmds));
  return CheckTransaction(replies, "create session");
}

Result<std::optional<SessionRecord>> AuthStore::GetSession(const std::string& id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r,
                       Run({"HMGET", keys_.UiSession(id), "user", "csrf", "created", "expires"}));
  GPS_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> f, OptionalStrings(r));
  if (f.size() != 4) {
    return Status::Internal("redis: HMGET returned " + std::to_string(f.size()) + " fields");
  }
  if (!f[0]) {
    return std::optional<SessionRecord>();
  }
  SessionRecord s;
  s.id = id;
  s.user = *f[0];
  s.csrf_token = f[1].value_or("");
  GPS_ASSIGN_OR_RETURN(s.created, ParseMs(f[2], "session of " + s.user));
  GPS_ASSIGN_OR_RETURN(s.expires, ParseMs(f[3], "session of " + s.user));
  return std::optional<SessionRecord>(std::move(s));
}

Status AuthStore::TouchSession(const std::string& id, Millis ttl_ms) {
  return Run({"PEXPIRE", keys_.UiSession(id), std::to_string(std::max<Millis>(ttl_ms, 1))})
      .status();
}

Status AuthStore::DeleteSession(const std::string& id, const std::string& user) {
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies,
                       RunPipeline({{"MULTI"},
                                    {"DEL", keys_.UiSession(id)},
                                    {"SREM", keys_.UiUserSessions(user), id},
                                    {"EXEC"}}));
  return CheckTransaction(replies, "end session");
}

Status AuthStore::CreateToken(const TokenRecord& token) {
  GPS_ASSIGN_OR_RETURN(
      std::vector<redis::Reply> replies,
      RunPipeline({{"MULTI"},
                   {"HSET", keys_.UiToken(token.id), "label", token.label, "role",
                    std::string(RoleName(token.role)), "created", std::to_string(token.created.ms),
                    "createdBy", token.created_by},
                   {"SADD", keys_.UiTokens(), token.id},
                   {"EXEC"}}));
  return CheckTransaction(replies, "create token");
}

Result<std::optional<TokenRecord>> AuthStore::GetToken(const std::string& id) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, Run(Hmget(keys_.UiToken(id), kTokenFields)));
  GPS_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> f, OptionalStrings(r));
  if (f.size() != kTokenFields.size()) {
    return Status::Internal("redis: HMGET returned " + std::to_string(f.size()) + " fields");
  }
  if (!f[1]) {
    return std::optional<TokenRecord>();
  }
  GPS_ASSIGN_OR_RETURN(TokenRecord t, DecodeToken(id, f));
  return std::optional<TokenRecord>(std::move(t));
}

Result<std::vector<TokenRecord>> AuthStore::ListTokens() {
  GPS_ASSIGN_OR_RETURN(std::vector<std::string> ids, Members(keys_.UiTokens()));
  std::vector<std::string> keys;
  for (const std::string& id : ids) {
    keys.push_back(keys_.UiToken(id));
  }
  GPS_ASSIGN_OR_RETURN(auto records, ReadHashes(keys, kTokenFields));
  std::vector<TokenRecord> out;
  for (std::size_t i = 0; i < ids.size() && i < records.size(); ++i) {
    // A token without a role is one deleted meanwhile.
    Result<TokenRecord> t = records[i].empty() || !records[i][1]
                                ? Result<TokenRecord>(Status::InvalidArgument(""))
                                : DecodeToken(ids[i], records[i]);
    if (t.ok()) {
      out.push_back(std::move(t).value());
    }
  }
  std::sort(out.begin(), out.end(), [](const TokenRecord& a, const TokenRecord& b) {
    return a.created != b.created ? a.created < b.created : a.id < b.id;
  });
  return out;
}

Result<std::optional<TokenRecord>> AuthStore::FindToken(const std::string& short_id) {
  GPS_ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens, ListTokens());
  for (TokenRecord& t : tokens) {
    if (!short_id.empty() && t.id.compare(0, short_id.size(), short_id) == 0) {
      return std::optional<TokenRecord>(std::move(t));
    }
  }
  return std::optional<TokenRecord>();
}

Result<bool> AuthStore::DeleteToken(const std::string& id) {
  GPS_ASSIGN_OR_RETURN(
      std::vector<redis::Reply> replies,
      RunPipeline(
          {{"MULTI"}, {"SREM", keys_.UiTokens(), id}, {"DEL", keys_.UiToken(id)}, {"EXEC"}}));
  GPS_RETURN_IF_ERROR(CheckTransaction(replies, "delete token"));
  GPS_ASSIGN_OR_RETURN(std::vector<redis::Reply> results, replies.back().AsArray());
  if (results.size() != 2) {
    return Status::Internal("redis: delete token: unexpected EXEC reply");
  }
  GPS_ASSIGN_OR_RETURN(std::int64_t deleted, results[1].AsInteger());
  return deleted == 1;
}

Result<std::int64_t> AuthStore::LoginFailures(const std::string& name) {
  GPS_ASSIGN_OR_RETURN(redis::Reply r, Run({"GET", keys_.UiLoginFailures(name)}));
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> text, r.AsOptionalString());
  if (!text) {
    return 0;
  }
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  return ec == std::errc() && end == text->data() + text->size() ? n : 0;
}

Status AuthStore::CountLoginFailure(const std::string& name, Millis window_ms) {
  const std::string key = keys_.UiLoginFailures(name);
  // NX: the window starts at the first failure and is not stretched by later ones.
  GPS_ASSIGN_OR_RETURN(
      std::vector<redis::Reply> replies,
      RunPipeline({{"INCR", key}, {"PEXPIRE", key, std::to_string(window_ms), "NX"}}));
  for (const redis::Reply& r : replies) {
    if (r.IsError()) {
      return Status::Unavailable("redis: count login failure: " + r.error());
    }
  }
  return Status::Ok();
}

Status AuthStore::ClearLoginFailures(const std::string& name) {
  return Run({"DEL", keys_.UiLoginFailures(name)}).status();
}

}  // namespace gps::ui
