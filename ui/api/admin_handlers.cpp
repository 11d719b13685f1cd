#include "ui/api/admin_handlers.h"

#include "gps/json/json.h"
#include "ui/api/requests.h"
#include "ui/auth/credentials.h"

namespace gps::ui {

namespace {

constexpr std::size_t kMaxAdminBodyBytes = 4096;

HttpResponse StoreFailure(const Status& st) {
  return ErrorResponse(st.IsUnavailable() ? 503 : 500, st.message());
}

void WriteUser(json::Writer& w, const UserRecord& u) {
  w.BeginObject()
      .Field("username", u.name)
      .Field("role", RoleName(u.role))
      .Field("createdAt", FormatRfc3339(u.created))
      .Field("createdBy", u.created_by)
      .EndObject();
}

void WriteToken(json::Writer& w, const TokenRecord& t) {
  w.BeginObject()
      .Field("id", t.id.substr(0, kTokenIdChars))
      .Field("label", t.label)
      .Field("role", RoleName(t.role))
      .Field("createdAt", FormatRfc3339(t.created))
      .Field("createdBy", t.created_by)
      .EndObject();
}

}  // namespace

AdminHandlers::AdminHandlers(AuthStore& store, AuditLog& audit, const Clock& clock,
                             crypto::ScryptCost cost)
    : store_(store), audit_(audit), clock_(clock), cost_(cost) {}

void AdminHandlers::Audit(const Caller& caller, std::string action, std::string name,
                          std::string outcome, std::string message) {
  audit_.Append({clock_.Now(), caller.actor, std::move(action), "", std::move(name),
                 std::move(outcome), std::move(message)});
}

HttpResponse AdminHandlers::ListUsers(const HttpRequest&, const Caller&) {
  Result<std::vector<UserRecord>> users = store_.ListUsers();
  if (!users.ok()) {
    return StoreFailure(users.status());
  }
  json::Writer w;
  w.BeginArray();
  for (const UserRecord& u : *users) {
    WriteUser(w, u);
  }
  w.EndArray();
  return JsonResponse(200, w.Take());
}

HttpResponse AdminHandlers::AddUser(const HttpRequest& request, const Caller& caller) {
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxAdminBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  json::Value root = body->Root();
  Result<std::string> name = root.GetString("username", 64);
  Result<std::string> password = root.GetString("password", crypto::kMaxPasswordBytes);
  Result<std::string> role_text = root.GetString("role", 16);
  for (const Status& st : {name.status(), password.status(), role_text.status()}) {
    if (!st.ok()) {
      return ErrorResponse(
          400, st.message() + R"(; send {"username": "...", "password": "...", "role": "..."})");
    }
  }
  Result<Role> role = ParseRole(*role_text);
  for (const Status& st :
       {ValidateUsername(*name), ValidateNewPassword(*password), role.status()}) {
    if (!st.ok()) {
      return ErrorResponse(400, st.message());
    }
  }
  Result<std::string> hash = crypto::HashPassword(*password, cost_);
  if (!hash.ok()) {
    return ErrorResponse(500, hash.status().message());
  }
  Result<bool> created = store_.CreateUser({*name, *role, *hash, clock_.Now(), caller.actor});
  if (!created.ok()) {
    return StoreFailure(created.status());
  }
  if (!*created) {
    Audit(caller, "user-add", *name, "conflict", "the user exists");
    return ErrorResponse(409, "a user named " + *name + " exists");
  }
  Audit(caller, "user-add", *name, "ok", "role " + std::string(RoleName(*role)));
  json::Writer w;
  w.BeginObject().Field("username", *name).Field("role", RoleName(*role)).EndObject();
  return JsonResponse(201, w.Take());
}

HttpResponse AdminHandlers::UpdateUser(const HttpRequest& request, const std::string& name,
                                       const Caller& caller) {
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxAdminBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  json::Value root = body->Root();
  Result<std::string> role_text = root.GetStringOr("role", "", 16);
  Result<std::string> password = root.GetStringOr("password", "", crypto::kMaxPasswordBytes);
  if (!role_text.ok() || !password.ok()) {
    return ErrorResponse(400, (role_text.ok() ? password.status() : role_text.status()).message());
  }
  if (role_text->empty() && password->empty()) {
    return ErrorResponse(400,
                         R"(nothing to change; send {"role": "..."} and/or {"password": "..."})");
  }
  std::optional<Role> role;
  if (!role_text->empty()) {
    Result<Role> parsed = ParseRole(*role_text);
    if (!parsed.ok()) {
      return ErrorResponse(400, parsed.status().message());
    }
    if (name == caller.user && *parsed != Role::kAdmin) {
      return ErrorResponse(409, "an admin cannot take the admin role from themselves");
    }
    role = *parsed;
  }
  std::optional<std::string> hash;
  if (!password->empty()) {
    Status valid = ValidateNewPassword(*password);
    if (!valid.ok()) {
      return ErrorResponse(400, valid.message());
    }
    Result<std::string> h = crypto::HashPassword(*password, cost_);
    if (!h.ok()) {
      return ErrorResponse(500, h.status().message());
    }
    hash = *h;
  }
  Result<bool> changed = store_.UpdateUser(name, role, hash);
  if (!changed.ok()) {
    return StoreFailure(changed.status());
  }
  if (!*changed) {
    return ErrorResponse(404, "no user named " + name.substr(0, 64));
  }
  std::string what = role ? "role " + std::string(RoleName(*role)) : "";
  if (hash) {
    // A password set by an admin logs out whoever used the old one.
    Status ended = store_.EndSessionsOf(name, name == caller.user ? caller.session_id : "");
    what += std::string(what.empty() ? "" : ", ") + "password set" +
            (ended.ok() ? "; sessions ended" : "; sessions not ended: " + ended.message());
  }
  Audit(caller, "user-update", name, "ok", what);
  return JsonResponse(200, R"({"status":"changed"})");
}

HttpResponse AdminHandlers::DeleteUser(const HttpRequest&, const std::string& name,
                                       const Caller& caller) {
  if (name == caller.user) {
    return ErrorResponse(409, "an admin cannot delete themselves");
  }
  Result<bool> deleted = store_.DeleteUser(name);
  if (!deleted.ok()) {
    return StoreFailure(deleted.status());
  }
  if (!*deleted) {
    return ErrorResponse(404, "no user named " + name.substr(0, 64));
  }
  Audit(caller, "user-delete", name, "ok", "sessions ended");
  return JsonResponse(200, R"({"status":"deleted"})");
}

HttpResponse AdminHandlers::ListTokens(const HttpRequest&, const Caller&) {
  Result<std::vector<TokenRecord>> tokens = store_.ListTokens();
  if (!tokens.ok()) {
    return StoreFailure(tokens.status());
  }
  json::Writer w;
  w.BeginArray();
  for (const TokenRecord& t : *tokens) {
    WriteToken(w, t);
  }
  w.EndArray();
  return JsonResponse(200, w.Take());
}

HttpResponse AdminHandlers::AddToken(const HttpRequest& request, const Caller& caller) {
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxAdminBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  Result<std::string> label = body->Root().GetString("label", 64);
  Result<std::string> role_text = body->Root().GetString("role", 16);
  if (!label.ok() || !role_text.ok()) {
    return ErrorResponse(400, (label.ok() ? role_text.status() : label.status()).message() +
                                  R"(; send {"label": "...", "role": "..."})");
  }
  Result<Role> role = ParseRole(*role_text);
  for (const Status& st : {ValidateTokenLabel(*label), role.status()}) {
    if (!st.ok()) {
      return ErrorResponse(400, st.message());
    }
  }
  Result<std::string> token = NewApiToken();
  if (!token.ok()) {
    return ErrorResponse(500, token.status().message());
  }
  TokenRecord record{SecretId(*token), *label, *role, clock_.Now(), caller.actor};
  Status stored = store_.CreateToken(record);
  if (!stored.ok()) {
    return StoreFailure(stored);
  }
  Audit(caller, "token-add", *label, "ok",
        "id " + record.id.substr(0, kTokenIdChars) + ", role " + std::string(RoleName(*role)));
  json::Writer w;
  w.BeginObject()
      .Field("id", record.id.substr(0, kTokenIdChars))
      .Field("label", *label)
      .Field("role", RoleName(*role))
      .Field("token", *token)
      .EndObject();
  return JsonResponse(201, w.Take());
}

HttpResponse AdminHandlers::DeleteToken(const HttpRequest&, const std::string& id,
                                        const Caller& caller) {
  if (id.size() != kTokenIdChars) {
    return ErrorResponse(404, "no API token with id " + id.substr(0, 32));
  }
  Result<std::optional<TokenRecord>> found = store_.FindToken(id);
  if (!found.ok()) {
    return StoreFailure(found.status());
  }
  if (!*found) {
    return ErrorResponse(404, "no API token with id " + id);
  }
  Result<bool> deleted = store_.DeleteToken((*found)->id);
  if (!deleted.ok()) {
    return StoreFailure(deleted.status());
  }
  Audit(caller, "token-delete", (*found)->label, "ok", "id " + id);
  return JsonResponse(200, R"({"status":"deleted"})");
}

}  // namespace gps::ui
