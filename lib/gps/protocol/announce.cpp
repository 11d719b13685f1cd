#include "gps/protocol/announce.h"

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/seal.h"
#include "gps/crypto/sign.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"

namespace gps::protocol {

std::string AnnounceSigningString(const Announce& a) {
  std::string s = "gps/v1 announce\n";
  s += a.device_id;
  s += '\n';
  s += a.mac;
  s += '\n';
  s += crypto::Base64Encode(a.transport_key);
  s += '\n';
  s += std::to_string(a.ts_ms);
  s += '\n';
  if (!a.csr_pem.empty()) {
    s += crypto::HexEncode(crypto::Sha256(a.csr_pem));
  }
  return s;
}

std::string EncodeAnnounce(const Announce& a) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("deviceId", a.device_id)
      .Field("mac", a.mac)
      .Field("pubkey", a.pubkey_pem)
      .Field("transportKey", crypto::Base64Encode(a.transport_key))
      .Field("ts", a.ts_ms);
  if (!a.csr_pem.empty()) {
    w.Field("csr", a.csr_pem);
  }
  w.Field("sig", crypto::Base64Encode(a.signature)).EndObject();
  return w.Take();
}

Result<Announce> ParseAnnounce(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(payload, kMaxAnnounceBytes, "announce"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::int64_t version, root.GetInt("v"));
  if (version != 1) {
    return Status::InvalidArgument("announce: unsupported version " + std::to_string(version));
  }
  Announce a;
  GPS_ASSIGN_OR_RETURN(a.device_id, root.GetString("deviceId", 64));
  if (!IsDeviceId(a.device_id)) {
    return Status::InvalidArgument("announce.deviceId: expected 64 lower-case hex characters");
  }
  GPS_ASSIGN_OR_RETURN(a.mac, root.GetString("mac", 17));
  if (!IsCanonicalMac(a.mac)) {
    return Status::InvalidArgument("announce.mac: expected lower-case aa:bb:cc:dd:ee:ff");
  }
  GPS_ASSIGN_OR_RETURN(a.pubkey_pem, root.GetString("pubkey", kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(std::string tk, root.GetString("transportKey", 64));
  Result<std::string> tk_raw = crypto::Base64Decode(tk);
  if (!tk_raw.ok() || tk_raw->size() != crypto::kTransportKeySize) {
    return Status::InvalidArgument("announce.transportKey: expected base64 of 32 bytes");
  }
  a.transport_key = std::move(tk_raw).value();
  GPS_ASSIGN_OR_RETURN(a.ts_ms, root.GetInt("ts"));
  if (a.ts_ms < 0) {
    return Status::InvalidArgument("announce.ts: negative");
  }
  GPS_ASSIGN_OR_RETURN(a.csr_pem, root.GetStringOr("csr", "", kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(std::string sig, root.GetString("sig", 2048));
  Result<std::string> sig_raw = crypto::Base64Decode(sig);
  if (!sig_raw.ok() || sig_raw->empty()) {
    return Status::InvalidArgument("announce.sig: expected non-empty base64");
  }
  a.signature = std::move(sig_raw).value();
  return a;
}

Result<VerifiedAnnounce> VerifyAnnounce(Announce a, std::string_view topic_device_id) {
  if (a.device_id != topic_device_id) {
    return Status::PermissionDenied("announce for device " + a.device_id.substr(0, 12) +
                                    " arrived on the topic of " +
                                    std::string(topic_device_id.substr(0, 12)));
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(a.pubkey_pem);
  if (!key.ok()) {
    return key.status().WithContext("announce.pubkey");
  }
  if (crypto::DeviceIdFromSpki(key->spki_der()) != a.device_id) {
    return Status::PermissionDenied("announce: deviceId is not the SHA-256 of the public key");
  }
  Status sig = crypto::Verify(*key, AnnounceSigningString(a), a.signature);
  if (!sig.ok()) {
    return sig.WithContext("announce");
  }
  VerifiedAnnounce v;
  v.fingerprint = crypto::FingerprintFromSpki(key->spki_der());
  v.check_code = crypto::CheckCodeFromSpki(key->spki_der());
  v.key_type = key->type();
  // Store the key as the server re-serialises it, so one key has one spelling everywhere.
  a.pubkey_pem = key->SpkiPem();
  v.announce = std::move(a);
  return v;
}

Status SignAnnounce(const crypto::PrivateKey& key, Announce* a) {
  GPS_ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  a->device_id = crypto::DeviceIdFromSpki(pub.spki_der());
  a->pubkey_pem = pub.SpkiPem();
  GPS_ASSIGN_OR_RETURN(a->signature, crypto::Sign(key, AnnounceSigningString(*a)));
  return Status::Ok();
}

}  // namespace gps::protocol
