// The device half of MenderApi: POST /api/devices/v1/authentication/auth_requests, answered in
// the order mender-server's SubmitAuthRequestHandler and DevAuth.SubmitAuthRequest work (see
// cloudsim/README.md, "Mender device authentication").
#include "cloudsim/mender/device_auth.h"

#include <algorithm>

#include "cloudsim/mender/identity.h"
#include "cloudsim/mender/mender_api.h"
#include "cloudsim/mender/mender_common.h"
#include "cloudsim/server/ids.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/sign.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace mender {

std::string DeviceStatusFromAuthSets(const std::vector<MenderAuthSet>& auth_sets) {
  auto any = [&](std::string_view status) {
    return std::any_of(auth_sets.begin(), auth_sets.end(),
                       [&](const MenderAuthSet& a) { return a.status == status; });
  };
  for (std::string_view status : {"accepted", "preauthorized", "pending", "rejected"}) {
    if (any(status)) {
      return std::string(status);
    }
  }
  return "noauth";
}

std::string Base64Url(std::string_view bytes) {
  std::string out = crypto::Base64EncodeUnpadded(bytes);
  for (char& c : out) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

std::string DeviceJwt(std::string_view key, std::string_view device_id,
                      std::string_view auth_set_id, std::int64_t now_s) {
  json::Writer claims;
  claims.BeginObject()
      .Field("jti", auth_set_id)
      .Field("sub", device_id)
      .Field("iss", "Mender")
      .Field("iat", now_s)
      .Field("exp", now_s + kDeviceTokenSeconds)
      .Field("mender.device", true)
      .Field("mender.plan", "enterprise")
      .EndObject();
  std::string input = Base64Url(R"({"alg":"HS256","typ":"JWT"})") + "." + Base64Url(claims.Take());
  // HmacSha256 fails only when OpenSSL cannot allocate; the token is then unsigned garbage that no
  // one verifies anyway.
  std::string mac = crypto::HmacSha256(key, input).value_or(std::string(32, '\0'));
  return input + "." + Base64Url(mac);
}

}  // namespace mender

namespace {

MenderDevice* FindActiveByIdentityHash(MenderData& m, const std::string& hash) {
  for (auto& [id, d] : m.devices) {
    if (!d.decommissioned && d.identity_hash == hash) {
      return &d;
    }
  }
  return nullptr;
}

// deviceauth's updateDeviceStatus: the device takes the status its auth sets give it; inventory
// (identity/status) follows, as the status workflow makes it do.
void RefreshStatus(MenderData& m, MenderDevice& d, const std::string& now) {
  std::string status = mender::DeviceStatusFromAuthSets(d.auth_sets);
  if (status == d.status) {
    return;
  }
  d.status = status;
  d.updated_ts = now;
  auto inv = m.inventory.find(d.id);
  if (inv == m.inventory.end()) {
    return;
  }
  for (InventoryAttribute& a : inv->second.attributes) {
    if (a.scope == "identity" && a.name == "status") {
      a.value_json = json::Quote(status);
    }
  }
  inv->second.updated_ts = now;
}

// A device Mender has not seen: recorded with its identity and a pending auth set, so an operator
// can accept it (getDeviceFromAuthRequest + processAuthRequest); inventory gets its identity.
MenderDevice& AddUnknownDevice(MenderData& m, const mender::CanonicalIdentity& identity,
                               const std::string& hash, const std::string& now) {
  MenderDevice d;
  d.id = NewUuid();
  d.identity_json = identity.text;
  d.identity_hash = hash;
  d.status = "pending";
  d.created_ts = now;
  d.updated_ts = now;
  d.seq = m.next_seq++;
  InventoryDevice inv;
  inv.id = d.id;
  inv.updated_ts = now;
  inv.seq = d.seq;
  for (const auto& [name, value] : identity.attributes) {
    inv.attributes.push_back({"identity", name, value, std::nullopt, std::nullopt});
  }
  inv.attributes.push_back(
      {"identity", "status", json::Quote(d.status), std::nullopt, std::nullopt});
  inv.attributes.push_back({"system", "created_ts", json::Quote(now), std::nullopt, std::nullopt});
  m.inventory[d.id] = std::move(inv);
  std::string id = d.id;
  return m.devices[id] = std::move(d);
}

// The outcome of one authentication request on the state.
struct Admission {
  bool accepted = false;  // a token is due (before the signature is checked)
  std::string device_id;
  std::string auth_set_id;
  std::string status;  // the auth set's status, for the log
};

Admission Admit(MenderData& m, const mender::CanonicalIdentity& identity, const std::string& hash,
                const std::string& pubkey_pem, const std::string& now) {
  MenderDevice* d = FindActiveByIdentityHash(m, hash);
  // processPreAuthRequest: a preauthorized auth set with this identity and key is accepted at
  // once; the device's other accepted sets are rejected (RejectAuthSetsForDevice).
  if (d != nullptr) {
    auto set = std::find_if(d->auth_sets.begin(), d->auth_sets.end(), [&](const MenderAuthSet& a) {
      return a.pubkey_pem == pubkey_pem && a.status == "preauthorized";
    });
    if (set != d->auth_sets.end()) {
      for (MenderAuthSet& other : d->auth_sets) {
        if (&other != &*set && other.status == "accepted") {
          other.status = "rejected";
        }
      }
      set->status = "accepted";
      RefreshStatus(m, *d, now);
      return {true, d->id, set->id, set->status};
    }
  }
  // processAuthRequest: record the device and the auth set (pending) unless known, then answer by
  // the auth set's status.
  if (d == nullptr) {
    d = &AddUnknownDevice(m, identity, hash, now);
  }
  auto set = std::find_if(d->auth_sets.begin(), d->auth_sets.end(),
                          [&](const MenderAuthSet& a) { return a.pubkey_pem == pubkey_pem; });
  if (set == d->auth_sets.end()) {
    d->auth_sets.push_back({NewUuid(), pubkey_pem, "pending", now});
    set = d->auth_sets.end() - 1;
  }
  RefreshStatus(m, *d, now);
  return {set->status == "accepted", d->id, set->id, set->status};
}

}  // namespace

ApiResponse MenderApi::AuthRequest(const Call& call) {
  auto bad = [&](const std::string& msg) { return mender::Error(400, msg, call.request_id); };
  constexpr std::string_view kDecode = "failed to decode auth request: ";
  constexpr std::string_view kInvalid = "invalid auth request: ";
  Result<json::Document> doc = mender::ParseBody(call.request.body, "auth request");
  if (!doc.ok()) {
    return bad(std::string(kDecode) + doc.status().message());
  }
  json::Value root = doc->Root();
  if (!root.IsObject()) {
    return bad(std::string(kDecode) + "json: cannot unmarshal " + std::string(root.TypeName()) +
               " into Go value of type model.AuthReq");
  }
  std::string fields[3];
  constexpr std::string_view kNames[3] = {"id_data", "pubkey", "tenant_token"};
  for (int i = 0; i < 3; ++i) {
    std::optional<json::Value> v = root.Find(kNames[i]);
    if (!v) {
      continue;  // absent or null: Go leaves the string empty
    }
    if (!v->IsString()) {
      return bad(std::string(kDecode) +
                 mender::UnmarshalTypeError(*v, "AuthReq." + std::string(kNames[i]), "string"));
    }
    fields[i] = v->AsString(64 * 1024).value_or("");
  }
  const std::string& id_data = fields[0];
  const std::string& pubkey = fields[1];
  // AuthReq.Validate: both required, the key parsed (and re-serialised), the identity sorted.
  if (id_data.empty()) {
    return bad(std::string(kInvalid) + "id_data must be provided");
  }
  if (pubkey.empty()) {
    return bad(std::string(kInvalid) + "pubkey must be provided");
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(pubkey);
  if (!key.ok()) {
    return bad(std::string(kInvalid) + "cannot decode public key");
  }
  Result<mender::CanonicalIdentity> identity = mender::CanonicalizeIdentityText(id_data);
  if (!identity.ok()) {
    return bad(std::string(kInvalid) + identity.status().message());
  }
  std::string signature = call.request.Header("X-MEN-Signature").value_or("");
  if (signature.empty()) {
    return bad("missing request signature header");
  }
  std::string serialized = key->SpkiPem();
  std::string hash = mender::IdentityHash(identity->text);

  Admission admission = state_->Locked(
      [&](SimData& data) { return Admit(data.mender, *identity, hash, serialized, call.now); });
  log::Info("device authentication", {{"service", "mender"},
                                      {"mender_device_id", admission.device_id},
                                      {"status", admission.status}});
  if (!admission.accepted) {
    return mender::Error(401, "dev auth: unauthorized", call.request_id);
  }
  // As in mender-server, the signature is checked only once a token is due, after the auth set
  // was accepted: a bad signature on a preauthorized set still leaves it accepted.
  Result<std::string> raw_signature = crypto::Base64Decode(signature);
  if (!raw_signature.ok() || !crypto::Verify(*key, call.request.body, *raw_signature).ok()) {
    log::Info("request refused", {{"service", "mender"}, {"err", "signature verification failed"}});
    return mender::Error(401, "signature verification failed", call.request_id);
  }
  ApiResponse r = mender::Bare(200, call.request_id);
  r.body = mender::DeviceJwt(jwt_key_, admission.device_id, admission.auth_set_id,
                             clock_->Now().ms / 1000);
  r.SetHeader("Content-Type", "application/jwt");
  return r;
}

}  // namespace gps::cloudsim
