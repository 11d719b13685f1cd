#include "cloudsim/mender/mender_api.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <vector>

#include "cloudsim/mender/identity.h"
#include "cloudsim/mender/mender_common.h"
#include "cloudsim/server/ids.h"
#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/keys.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

constexpr std::string_view kStatuses[] = {"pending", "accepted", "rejected", "preauthorized",
                                          "noauth"};

bool IsKnownStatus(std::string_view s) {
  return std::find(std::begin(kStatuses), std::end(kStatuses), s) != std::end(kStatuses);
}

const std::string kStatusError =
    "filter status must be one of: accepted, pending, rejected, preauthorized or noauth";

MenderDevice* FindActive(MenderData& m, const std::string& id) {
  auto it = m.devices.find(id);
  if (it == m.devices.end() || it->second.decommissioned) {
    return nullptr;
  }
  return &it->second;
}

MenderDevice* FindByIdentityHash(MenderData& m, const std::string& hash) {
  for (auto& [id, d] : m.devices) {
    if (!d.decommissioned && d.identity_hash == hash) {
      return &d;
    }
  }
  return nullptr;
}

// Devices matching the status / id filters, oldest first.
std::vector<const MenderDevice*> Filter(const MenderData& m, const std::vector<std::string>& status,
                                        const std::vector<std::string>& ids) {
  std::vector<const MenderDevice*> out;
  for (const auto& [id, d] : m.devices) {
    if (d.decommissioned) {
      continue;
    }
    if (!status.empty() && std::find(status.begin(), status.end(), d.status) == status.end()) {
      continue;
    }
    if (!ids.empty() && std::find(ids.begin(), ids.end(), d.id) == ids.end()) {
      continue;
    }
    out.push_back(&d);
  }
  std::sort(out.begin(), out.end(),
            [](const MenderDevice* a, const MenderDevice* b) { return a->seq < b->seq; });
  return out;
}

ApiResponse DeviceList(const ApiRequest& request, const std::vector<const MenderDevice*>& devices,
                       const mender::Paging& paging, const std::string& request_id) {
  std::size_t skip = static_cast<std::size_t>((paging.page - 1) * paging.per_page);
  std::size_t limit = static_cast<std::size_t>(paging.per_page);
  json::Writer w;
  w.BeginArray();
  for (std::size_t i = skip; i < devices.size() && i < skip + limit; ++i) {
    mender::WriteDevice(w, *devices[i], true);
  }
  w.EndArray();
  ApiResponse r = mender::JsonOk(200, w.Take(), request_id);
  for (const std::string& link :
       mender::PagingLinks(request, paging, devices.size() > skip + limit)) {
    r.headers.push_back({"Link", link});
  }
  return r;
}

// A string or an array of strings, as DeviceFilter.UnmarshalJSON accepts.
Status StringOrStrings(const json::Value& obj, std::string_view key,
                       std::vector<std::string>* out) {
  std::optional<json::Value> v = obj.Find(key);
  if (!v) {
    return Status::Ok();
  }
  std::string err = "invalid JSON type for '" + std::string(key) + "': must be string or []string";
  if (v->IsString()) {
    GPS_ASSIGN_OR_RETURN(std::string s, v->AsString());
    out->push_back(std::move(s));
    return Status::Ok();
  }
  if (!v->IsArray()) {
    return Status::InvalidArgument(err);
  }
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> items, v->AsArray());
  for (const json::Value& item : items) {
    if (!item.IsString()) {
      return Status::InvalidArgument(err);
    }
    GPS_ASSIGN_OR_RETURN(std::string s, item.AsString());
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

}  // namespace

namespace mender {

void WriteDevice(json::Writer& w, const MenderDevice& d, bool with_auth_sets) {
  w.BeginObject();
  w.Field("id", d.id);
  w.Key("identity_data").Raw(d.identity_json);
  w.Field("status", d.status);
  w.Field("decommissioning", d.decommissioned);
  w.Field("created_ts", d.created_ts);
  w.Field("updated_ts", d.updated_ts);
  w.Key("auth_sets");
  if (!with_auth_sets) {
    w.Null();
  } else {
    w.BeginArray();
    for (const MenderAuthSet& a : d.auth_sets) {
      w.BeginObject();
      w.Field("id", a.id);
      w.Key("identity_data").Raw(d.identity_json);
      w.Field("pubkey", a.pubkey_pem);
      w.Field("device_id", d.id);
      w.Field("ts", a.ts);
      w.Field("status", a.status);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace mender

MenderApi::MenderApi(MenderConfig config, SimState* state, const Clock* clock)
    : config_(std::move(config)),
      state_(state),
      clock_(clock),
      jwt_key_(crypto::RandomBytes(32).value_or(NewUuid())) {}

ApiResponse MenderApi::Handle(const ApiRequest& request) {
  std::string request_id = request.Header("X-MEN-RequestID").value_or("");
  if (request_id.empty()) {
    request_id = NewUuid();
  }
  const std::vector<std::string>& s = request.segments;
  // The device API: no management token; the device proves itself with X-MEN-Signature.
  if (s == std::vector<std::string>{"api", "devices", "v1", "authentication", "auth_requests"} &&
      request.method == "POST") {
    if (!request.body.empty()) {
      MediaType media = ClassifyContentType(request);
      if (media == MediaType::kUnparseable) {
        return mender::Error(400, "Invalid value for Content-Type header: mime: no media type",
                             request_id);
      }
      if (media == MediaType::kOther) {
        return mender::Error(415, "Bad Content-Type, expected 'application/json'", request_id);
      }
    }
    return AuthRequest(Call{request, request_id, FormatRfc3339(clock_->Now())});
  }
  if (s.size() < 2 || s[0] != "api" || s[1] != "management") {
    ApiResponse r = ApiResponse::Empty(404);
    r.body = "404 page not found";
    r.SetHeader("Content-Type", "text/plain");
    return r;
  }
  // The API gateway verifies the token before any route or body is looked at.
  std::string auth = request.Header("Authorization").value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  bool authorised = auth.size() > kBearer.size() &&
                    EqualsIgnoreCase(auth.substr(0, kBearer.size()), kBearer) &&
                    crypto::ConstantTimeEquals(auth.substr(kBearer.size()), config_.token);
  if (!authorised) {
    log::Info("request refused", {{"service", "mender"}, {"err", "missing or wrong bearer token"}});
    return mender::Error(401, "unauthorized", request_id);
  }
  Call call{request, request_id, FormatRfc3339(clock_->Now())};
  const std::string& m = request.method;

  auto is = [&](std::initializer_list<std::string_view> prefix) {
    if (s.size() != prefix.size()) {
      return false;
    }
    std::size_t i = 0;
    for (std::string_view p : prefix) {
      if (!p.empty() && s[i] != p) {
        return false;
      }
      ++i;
    }
    return true;
  };
  bool devauth_search = is({"api", "management", "v2", "devauth", "devices", "search"});
  // mender-server's content-type middleware: only requests that carry a body are checked.
  if (!request.body.empty() && !devauth_search) {
    MediaType media = ClassifyContentType(request);
    if (media == MediaType::kUnparseable) {
      return mender::Error(400, "Invalid value for Content-Type header: mime: no media type",
                           request_id);
    }
    if (media == MediaType::kOther) {
      return mender::Error(415, "Bad Content-Type, expected 'application/json'", request_id);
    }
  }

  if (is({"api", "management", "v2", "devauth", "devices"})) {
    if (m == "POST") {
      return Preauthorize(call);
    }
    if (m == "GET") {
      return ListDevices(call);
    }
  } else if (devauth_search && m == "POST") {
    return SearchDevices(call);
  } else if (is({"api", "management", "v2", "devauth", "devices", ""})) {
    if (m == "GET") {
      return GetDevice(call, s[5]);
    }
    if (m == "DELETE") {
      return Decommission(call, s[5]);
    }
  } else if (is({"api", "management", "v2", "devauth", "devices", "", "auth", ""}) &&
             m == "DELETE") {
    return DeleteAuthSet(call, s[5], s[7]);
  } else if (is({"api", "management", "v1", "inventory", "devices", ""}) && m == "GET") {
    return GetInventoryDevice(call, s[5]);
  } else if (is({"api", "management", "v1", "inventory", "devices", "", "tags"})) {
    if (m == "PUT") {
      return WriteTags(call, s[5], true);
    }
    if (m == "PATCH") {
      return WriteTags(call, s[5], false);
    }
  } else if (is({"api", "management", "v2", "inventory", "filters", "search"}) && m == "POST") {
    return SearchInventory(call);
  }
  // gin answers unknown routes and unknown methods alike with its plain 404.
  ApiResponse r = mender::Bare(404, request_id);
  r.body = "404 page not found";
  r.SetHeader("Content-Type", "text/plain");
  return r;
}

ApiResponse MenderApi::Preauthorize(const Call& call) {
  constexpr std::string_view kPrefix = "failed to decode preauth request: ";
  auto bad = [&](const std::string& msg) {
    return mender::Error(400, std::string(kPrefix) + msg, call.request_id);
  };
  Result<json::Document> doc = mender::ParseBody(call.request.body, "preauth request");
  if (!doc.ok()) {
    return bad(doc.status().message());
  }
  json::Value root = doc->Root();
  if (!root.IsObject()) {
    return bad("json: cannot unmarshal " + std::string(root.TypeName()) +
               " into Go value of type http.preAuthReq");
  }
  std::optional<json::Value> identity = root.Find("identity_data");
  std::optional<json::Value> pubkey = root.Find("pubkey");
  std::optional<json::Value> force = root.Find("force");
  if (identity && !identity->IsObject()) {
    return bad(mender::UnmarshalTypeError(*identity, "preAuthReq.identity_data",
                                          "map[string]interface {}"));
  }
  if (pubkey && !pubkey->IsString()) {
    return bad(mender::UnmarshalTypeError(*pubkey, "preAuthReq.pubkey", "string"));
  }
  bool force_flag = false;
  if (force) {
    Result<bool> f = root.GetBool("force");
    if (!f.ok()) {
      return bad(mender::UnmarshalTypeError(*force, "preAuthReq.force", "bool"));
    }
    force_flag = *f;
  }
  bool identity_blank = !identity || identity->raw()->ObjectEmpty();
  std::string pem = pubkey ? pubkey->AsString(64 * 1024).value_or("") : "";
  std::vector<std::string> blanks;
  if (identity_blank) {
    blanks.push_back("identity_data: cannot be blank");
  }
  if (pem.empty()) {
    blanks.push_back("pubkey: cannot be blank");
  }
  if (!blanks.empty()) {
    std::string msg = blanks[0];
    for (std::size_t i = 1; i < blanks.size(); ++i) {
      msg += "; " + blanks[i];
    }
    return bad(msg + ".");
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) {
    return bad("cannot decode public key (" + key.status().message() + ")");
  }
  std::string serialized = key->SpkiPem();
  Result<mender::CanonicalIdentity> canonical_identity =
      mender::CanonicalizeIdentity(call.request.body);
  if (!canonical_identity.ok()) {
    return bad(canonical_identity.status().message());
  }
  const std::string& canonical = canonical_identity->text;
  const auto& identity_attrs = canonical_identity->attributes;
  std::string hash = mender::IdentityHash(canonical);

  std::string new_device_id = NewUuid();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    MenderData& m = data.mender;
    if (MenderDevice* existing = FindByIdentityHash(m, hash)) {
      if (!force_flag) {
        json::Writer w;
        mender::WriteDevice(w, *existing, false);
        return mender::JsonOk(409, w.Take(), call.request_id);
      }
      // force: add (or refresh) a preauthorized auth set on the existing device. The Location
      // names the freshly generated id, not the existing device, exactly as mender-server does.
      auto set = std::find_if(existing->auth_sets.begin(), existing->auth_sets.end(),
                              [&](const MenderAuthSet& a) { return a.pubkey_pem == serialized; });
      if (set != existing->auth_sets.end()) {
        set->status = "preauthorized";
        set->ts = call.now;
      } else {
        existing->auth_sets.push_back({NewUuid(), serialized, "preauthorized", call.now});
      }
      existing->updated_ts = call.now;
      ApiResponse r = mender::Bare(201, call.request_id);
      r.SetHeader("Location", "devices/" + new_device_id);
      return r;
    }
    MenderDevice d;
    d.id = new_device_id;
    d.identity_json = canonical;
    d.identity_hash = hash;
    d.status = "preauthorized";
    d.created_ts = call.now;
    d.updated_ts = call.now;
    d.auth_sets.push_back({NewUuid(), serialized, "preauthorized", call.now});
    d.seq = m.next_seq++;
    // mender-server fills inventory asynchronously (workflows); the simulator does it at once.
    InventoryDevice inv;
    inv.id = d.id;
    inv.updated_ts = call.now;
    inv.seq = d.seq;
    for (const auto& [name, value] : identity_attrs) {
      inv.attributes.push_back({"identity", name, value, std::nullopt, std::nullopt});
    }
    inv.attributes.push_back(
        {"identity", "status", json::Quote(d.status), std::nullopt, std::nullopt});
    inv.attributes.push_back(
        {"system", "created_ts", json::Quote(call.now), std::nullopt, std::nullopt});
    m.inventory[d.id] = std::move(inv);
    m.devices[d.id] = std::move(d);
    ApiResponse r = mender::Bare(201, call.request_id);
    r.SetHeader("Location", "devices/" + new_device_id);
    return r;
  });
}

ApiResponse MenderApi::GetDevice(const Call& call, const std::string& id) {
  return state_->Locked([&](SimData& data) -> ApiResponse {
    MenderDevice* d = FindActive(data.mender, id);
    if (d == nullptr) {
      return mender::Error(404, "device not found", call.request_id);
    }
    json::Writer w;
    mender::WriteDevice(w, *d, true);
    return mender::JsonOk(200, w.Take(), call.request_id);
  });
}

ApiResponse MenderApi::ListDevices(const Call& call) {
  Result<mender::Paging> paging = mender::ParsePaging(call.request);
  if (!paging.ok()) {
    return mender::Error(400, paging.status().message(), call.request_id);
  }
  std::vector<std::string> status = call.request.QueryAll("status");
  for (const std::string& st : status) {
    if (!IsKnownStatus(st)) {
      return mender::Error(400, kStatusError, call.request_id);
    }
  }
  std::vector<std::string> ids = call.request.QueryAll("id");
  return state_->Locked([&](SimData& data) {
    return DeviceList(call.request, Filter(data.mender, status, ids), *paging, call.request_id);
  });
}

ApiResponse MenderApi::SearchDevices(const Call& call) {
  Result<mender::Paging> paging = mender::ParsePaging(call.request);
  if (!paging.ok()) {
    return mender::Error(400, paging.status().message(), call.request_id);
  }
  std::string content_type = ToLower(call.request.Header("Content-Type").value_or(""));
  if (content_type != "application/json" && !content_type.empty()) {
    return mender::Error(
        415,
        "Content-Type '" + call.request.Header("Content-Type").value_or("") + "' not supported",
        call.request_id);
  }
  std::vector<std::string> status;
  std::vector<std::string> ids;
  Result<json::Document> doc = mender::ParseBody(call.request.body, "device filter");
  if (!doc.ok()) {
    return mender::Error(400, "api: malformed request body: " + doc.status().message(),
                         call.request_id);
  }
  json::Value root = doc->Root();
  if (!root.IsObject()) {
    return mender::Error(400,
                         "api: malformed request body: json: cannot unmarshal " +
                             std::string(root.TypeName()) + " into Go value",
                         call.request_id);
  }
  for (auto [key, out] : {std::pair{"status", &status}, std::pair{"id", &ids}}) {
    Status st = StringOrStrings(root, key, out);
    if (!st.ok()) {
      return mender::Error(400, "api: malformed request body: " + st.message(), call.request_id);
    }
  }
  for (const std::string& st : status) {
    if (!IsKnownStatus(st)) {
      return mender::Error(400, kStatusError, call.request_id);
    }
  }
  return state_->Locked([&](SimData& data) {
    return DeviceList(call.request, Filter(data.mender, status, ids), *paging, call.request_id);
  });
}

ApiResponse MenderApi::Decommission(const Call& call, const std::string& id) {
  return state_->Locked([&](SimData& data) -> ApiResponse {
    MenderDevice* d = FindActive(data.mender, id);
    if (d == nullptr) {
      return mender::Bare(404, call.request_id);
    }
    // The decommission workflow deletes the device everywhere; the simulator finishes it at once
    // and keeps the record, flagged, for the state dump.
    d->decommissioned = true;
    d->updated_ts = call.now;
    data.mender.inventory.erase(id);
    return mender::Bare(204, call.request_id);
  });
}

ApiResponse MenderApi::DeleteAuthSet(const Call& call, const std::string& id,
                                     const std::string& aid) {
  return state_->Locked([&](SimData& data) -> ApiResponse {
    MenderDevice* d = FindActive(data.mender, id);
    if (d == nullptr) {
      return mender::Bare(404, call.request_id);
    }
    auto it = std::find_if(d->auth_sets.begin(), d->auth_sets.end(),
                           [&](const MenderAuthSet& a) { return a.id == aid; });
    if (it == d->auth_sets.end()) {
      return mender::Bare(404, call.request_id);
    }
    d->auth_sets.erase(it);
    d->updated_ts = call.now;
    if (d->auth_sets.empty() && d->status == "preauthorized") {
      d->decommissioned = true;
      data.mender.inventory.erase(id);
    }
    return mender::Bare(204, call.request_id);
  });
}

}  // namespace gps::cloudsim
