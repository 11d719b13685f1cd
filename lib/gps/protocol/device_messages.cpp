#include "gps/protocol/device_messages.h"

#include <algorithm>

#include "gps/crypto/encoding.h"
#include "gps/crypto/sign.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"

namespace gps::protocol {

namespace {

constexpr std::size_t kMaxBundleIdLength = 128;

Status CheckVersion(const json::Value& root, std::string_view what) {
  GPS_ASSIGN_OR_RETURN(std::int64_t version, root.GetInt("v"));
  if (version != 1) {
    return Status::InvalidArgument(std::string(what) + ": unsupported version " +
                                   std::to_string(version));
  }
  return Status::Ok();
}

Result<std::string> DeviceIdField(const json::Value& root) {
  GPS_ASSIGN_OR_RETURN(std::string id, root.GetString("deviceId", 64));
  if (!IsDeviceId(id)) {
    return Status::InvalidArgument(root.path() +
                                   ".deviceId: expected 64 lower-case hex characters");
  }
  return id;
}

Result<std::string> Base64Field(const json::Value& root, std::string_view key, std::size_t max) {
  GPS_ASSIGN_OR_RETURN(std::string b64, root.GetString(key, max));
  Result<std::string> raw = crypto::Base64Decode(b64);
  if (!raw.ok()) {
    return Status::InvalidArgument(root.path() + "." + std::string(key) + ": not base64");
  }
  return raw;
}

}  // namespace

std::string BundleContext(std::string_view device_id, std::string_view bundle_id) {
  std::string out = "gps/v1 bundle ";
  out += device_id;
  out += ' ';
  out += bundle_id;
  return out;
}

std::string EncodeBundle(const CredentialBundle& b) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("deviceId", b.device_id)
      .Field("bundleId", b.bundle_id)
      .Field("name", b.name)
      .Key("mender")
      .BeginObject()
      .Field("deviceId", b.mender_device_id)
      .EndObject()
      .Key("dps")
      .BeginObject()
      .Field("registrationId", b.dps_registration_id)
      .Field("idScope", b.dps_id_scope)
      .Field("globalEndpoint", b.dps_global_endpoint)
      .Field("sealedSymmetricKey", crypto::Base64Encode(b.dps_sealed_symmetric_key))
      .EndObject()
      .Key("certificate")
      .BeginObject()
      .Field("pem", b.certificate_pem)
      .Field("serial", b.certificate_serial)
      .Key("caChain")
      .BeginArray();
  for (const std::string& c : b.ca_chain_pem) {
    w.String(c);
  }
  w.EndArray();
  if (!b.sealed_private_key.empty()) {
    w.Field("sealedPrivateKey", crypto::Base64Encode(b.sealed_private_key));
  }
  w.EndObject().EndObject();
  return w.Take();
}

Result<CredentialBundle> ParseBundle(std::string_view plaintext) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(plaintext, kMaxCredentialsBytes, "bundle"));
  json::Value root = doc.Root();
  GPS_RETURN_IF_ERROR(CheckVersion(root, "bundle"));
  CredentialBundle b;
  GPS_ASSIGN_OR_RETURN(b.device_id, DeviceIdField(root));
  GPS_ASSIGN_OR_RETURN(b.bundle_id, root.GetString("bundleId", kMaxBundleIdLength));
  GPS_ASSIGN_OR_RETURN(b.name, root.GetString("name", kMaxNameLength));
  GPS_RETURN_IF_ERROR(ValidateDeviceName(b.name).WithContext("bundle.name"));

  GPS_ASSIGN_OR_RETURN(json::Value mender, root.GetObject("mender"));
  GPS_ASSIGN_OR_RETURN(b.mender_device_id, mender.GetString("deviceId", 128));

  GPS_ASSIGN_OR_RETURN(json::Value dps, root.GetObject("dps"));
  GPS_ASSIGN_OR_RETURN(b.dps_registration_id, dps.GetString("registrationId", 128));
  GPS_ASSIGN_OR_RETURN(b.dps_id_scope, dps.GetString("idScope", 64));
  GPS_ASSIGN_OR_RETURN(b.dps_global_endpoint, dps.GetString("globalEndpoint", 256));
  GPS_ASSIGN_OR_RETURN(b.dps_sealed_symmetric_key, Base64Field(dps, "sealedSymmetricKey", 4096));

  GPS_ASSIGN_OR_RETURN(json::Value cert, root.GetObject("certificate"));
  GPS_ASSIGN_OR_RETURN(b.certificate_pem, cert.GetString("pem", kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(b.certificate_serial, cert.GetString("serial", 128));
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> chain, cert.GetArray("caChain"));
  if (chain.empty() || chain.size() > 8) {
    return Status::InvalidArgument("bundle.certificate.caChain: expected 1 to 8 certificates");
  }
  for (const json::Value& c : chain) {
    GPS_ASSIGN_OR_RETURN(std::string pem, c.AsString(kMaxPemBytes));
    b.ca_chain_pem.push_back(std::move(pem));
  }
  if (cert.Find("sealedPrivateKey")) {
    GPS_ASSIGN_OR_RETURN(b.sealed_private_key, Base64Field(cert, "sealedPrivateKey", 16 * 1024));
  }
  return b;
}

std::string EncodeCredentials(const CredentialsMessage& m) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("deviceId", m.device_id)
      .Field("bundleId", m.bundle_id)
      .Field("sealed", crypto::Base64Encode(m.sealed))
      .EndObject();
  return w.Take();
}

Result<CredentialsMessage> ParseCredentials(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(payload, kMaxCredentialsBytes, "credentials"));
  json::Value root = doc.Root();
  GPS_RETURN_IF_ERROR(CheckVersion(root, "credentials"));
  CredentialsMessage m;
  GPS_ASSIGN_OR_RETURN(m.device_id, DeviceIdField(root));
  GPS_ASSIGN_OR_RETURN(m.bundle_id, root.GetString("bundleId", kMaxBundleIdLength));
  GPS_ASSIGN_OR_RETURN(m.sealed, Base64Field(root, "sealed", kMaxCredentialsBytes));
  return m;
}

std::string EncodeStatus(const StatusMessage& m) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("deviceId", m.device_id)
      .Field("state", m.state)
      .Field("message", CapText(m.message, kMaxErrorTextBytes))
      .Field("ts", m.ts_ms)
      .EndObject();
  return w.Take();
}

Result<StatusMessage> ParseStatus(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(payload, kMaxStatusBytes, "status"));
  json::Value root = doc.Root();
  GPS_RETURN_IF_ERROR(CheckVersion(root, "status"));
  StatusMessage m;
  GPS_ASSIGN_OR_RETURN(m.device_id, DeviceIdField(root));
  GPS_ASSIGN_OR_RETURN(m.state, root.GetString("state", 32));
  // docs/protocol.md: a receiver refuses unknown enum values.
  if (std::find(std::begin(kDeviceStates), std::end(kDeviceStates), m.state) ==
      std::end(kDeviceStates)) {
    return Status::InvalidArgument("status.state: unknown value");
  }
  GPS_ASSIGN_OR_RETURN(m.message, root.GetStringOr("message", "", kMaxErrorTextBytes));
  GPS_ASSIGN_OR_RETURN(m.ts_ms, root.GetIntOr("ts", 0));
  return m;
}

std::string AckSigningString(const Ack& a) {
  return "gps/v1 ack\n" + a.device_id + "\n" + a.bundle_id + "\n" + std::to_string(a.ts_ms);
}

std::string EncodeAck(const Ack& a) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("deviceId", a.device_id)
      .Field("bundleId", a.bundle_id)
      .Field("ts", a.ts_ms)
      .Field("sig", crypto::Base64Encode(a.signature))
      .EndObject();
  return w.Take();
}

Result<Ack> ParseAck(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(payload, kMaxAckBytes, "ack"));
  json::Value root = doc.Root();
  GPS_RETURN_IF_ERROR(CheckVersion(root, "ack"));
  Ack a;
  GPS_ASSIGN_OR_RETURN(a.device_id, DeviceIdField(root));
  GPS_ASSIGN_OR_RETURN(a.bundle_id, root.GetString("bundleId", kMaxBundleIdLength));
  GPS_ASSIGN_OR_RETURN(a.ts_ms, root.GetInt("ts"));
  GPS_ASSIGN_OR_RETURN(a.signature, Base64Field(root, "sig", 2048));
  return a;
}

Status SignAck(const crypto::PrivateKey& key, Ack* a) {
  GPS_ASSIGN_OR_RETURN(a->signature, crypto::Sign(key, AckSigningString(*a)));
  return Status::Ok();
}

Status VerifyAck(const Ack& a, std::string_view topic_device_id, std::string_view pubkey_pem) {
  if (a.device_id != topic_device_id) {
    return Status::PermissionDenied("ack for another device's topic");
  }
  GPS_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::FromPem(pubkey_pem));
  return crypto::Verify(key, AckSigningString(a), a.signature).WithContext("ack");
}

}  // namespace gps::protocol
