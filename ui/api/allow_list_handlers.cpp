#include "ui/api/allow_list_handlers.h"

#include "gps/json/json.h"
#include "ui/api/requests.h"

namespace gps::ui {

namespace {

void WriteEntry(json::Writer& w, const AllowListEntry& e) {
  w.BeginObject()
      .Field("kind", e.kind)
      .Field("value", e.value)
      .Field("name", e.name)
      .Field("addedBy", e.added_by)
      .Field("addedAt", FormatRfc3339(e.added_at))
      .EndObject();
}

HttpResponse StoreFailure(const Status& st) {
  return ErrorResponse(st.IsUnavailable() ? 503 : 500, st.message());
}

}  // namespace

std::string AllowListHandlers::EntryJson(const AllowListEntry& e) {
  json::Writer w;
  WriteEntry(w, e);
  return w.Take();
}

HttpResponse AllowListHandlers::List(const HttpRequest&) {
  Result<std::vector<AllowListEntry>> entries = store_.List();
  if (!entries.ok()) {
    return StoreFailure(entries.status());
  }
  json::Writer w;
  w.BeginArray();
  for (const AllowListEntry& e : *entries) {
    WriteEntry(w, e);
  }
  w.EndArray();
  return JsonResponse(200, w.Take());
}

HttpResponse AllowListHandlers::Add(const HttpRequest& request, const Caller& caller) {
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxApproveBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  json::Value root = body->Root();
  bool has_mac = root.Has("mac");
  bool has_fingerprint = root.Has("fingerprint");
  if (has_mac == has_fingerprint) {
    return ErrorResponse(
        400,
        R"(send either {"mac": "...", "name": "..."} or {"fingerprint": "...", "name": "..."})");
  }
  const char* kind = has_mac ? "mac" : "fingerprint";
  Result<std::string> value = root.GetString(kind, 128);
  Result<std::string> name = root.GetString("name", 128);
  if (!value.ok() || !name.ok()) {
    return ErrorResponse(400, (value.ok() ? name.status() : value.status()).message());
  }
  Result<AllowListEntry> entry = MakeAllowListEntry(kind, *value, *name);
  if (!entry.ok()) {
    return ErrorResponse(400, entry.status().message());
  }
  entry->added_by = caller.actor;
  entry->added_at = clock_.Now();
  Result<bool> added = store_.Add(*entry);
  if (!added.ok()) {
    return StoreFailure(added.status());
  }
  std::string what = std::string(kind) + " " + entry->value;
  if (!*added) {
    audit_.Append({clock_.Now(), caller.actor, "allowlist-add", "", entry->name, "conflict",
                   what + " is listed already"});
    return ErrorResponse(409, "the " + what + " is on the allow-list already; remove it first");
  }
  audit_.Append({clock_.Now(), caller.actor, "allowlist-add", "", entry->name, "ok", what});
  return JsonResponse(201, EntryJson(*entry));
}

HttpResponse AllowListHandlers::Remove(const HttpRequest& request, const Caller& caller) {
  std::vector<std::string> macs = request.QueryValues("mac");
  std::vector<std::string> fingerprints = request.QueryValues("fingerprint");
  if (macs.size() + fingerprints.size() != 1) {
    return ErrorResponse(400, "give one ?mac=<mac> or ?fingerprint=<fingerprint>");
  }
  bool by_mac = !macs.empty();
  // Any valid name: only the kind and value identify the entry.
  Result<AllowListEntry> key =
      MakeAllowListEntry(by_mac ? "mac" : "fingerprint", by_mac ? macs[0] : fingerprints[0], "x");
  if (!key.ok()) {
    return ErrorResponse(400, key.status().message());
  }
  Result<std::optional<AllowListEntry>> removed = store_.Remove(*key);
  if (!removed.ok()) {
    return StoreFailure(removed.status());
  }
  if (!*removed) {
    return ErrorResponse(404, "the " + key->kind + " " + key->value + " is not on the allow-list");
  }
  audit_.Append({clock_.Now(), caller.actor, "allowlist-remove", "", (*removed)->name, "ok",
                 key->kind + " " + key->value});
  return JsonResponse(200, R"({"status":"removed"})");
}

}  // namespace gps::ui
