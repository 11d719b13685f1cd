#include "device-client/dry_run.h"

#include "device-client/bundle_files.h"
#include "device-client/certificate_key_store.h"
#include "device-client/file_access.h"
#include "device-client/transport_key_store.h"
#include "gps/config/config.h"
#include "gps/json/json.h"
#include "gps/protocol/topics.h"

namespace gps::device_client {

namespace {

// The kept file's text, nullopt when it does not exist yet.
Result<std::optional<std::string>> ReadKept(const std::string& state_dir, const char* name) {
  Result<std::string> text = config::ReadFile(state_dir + "/" + name);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return std::optional<std::string>();
    }
    return text.status();
  }
  return std::optional<std::string>(std::move(text).value());
}

}  // namespace

Result<std::optional<crypto::TransportKeyPair>> PeekTransportKey(const std::string& state_dir) {
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadKept(state_dir, kTransportKeyFile));
  if (!text) {
    return std::optional<crypto::TransportKeyPair>();
  }
  GPS_ASSIGN_OR_RETURN(crypto::TransportKeyPair key, ParseTransportKeyFile(*text));
  return std::optional<crypto::TransportKeyPair>(std::move(key));
}

Result<std::optional<crypto::PrivateKey>> PeekCertificateKey(const std::string& state_dir) {
  GPS_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadKept(state_dir, kCertificateKeyFile));
  if (!text) {
    return std::optional<crypto::PrivateKey>();
  }
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(*text));
  return std::optional<crypto::PrivateKey>(std::move(key));
}

Result<std::string> DescribeDryRun(const ClientConfig& config, const ClientIdentity& identity,
                                   const DryRunFacts& facts, std::int64_t ts_ms) {
  GPS_ASSIGN_OR_RETURN(std::string announce, SignedAnnounce(identity, ts_ms));
  const std::string& id = identity.device.device_id;
  json::Writer w;
  w.BeginObject();
  w.Field("dryRun", true);
  w.Field("deviceId", id);
  w.Field("checkCode", identity.device.check_code);
  w.Field("fingerprint", identity.device.fingerprint);
  w.Field("mac", identity.mac);
  w.Field("interface", facts.interface.empty() ? "(configured)" : facts.interface);
  w.Key("broker").BeginObject();
  w.Field("uri", config.mqtt_uri);
  w.Field("clientId", id);
  w.Field("username", config.mqtt_username);
  w.Field("caFile", config.mqtt_ca_file);
  w.Key("subscriptions").BeginArray();
  for (const mqtt::Subscription& s : DeviceSubscriptions(id)) {
    w.String(s.filter);
  }
  w.EndArray().EndObject();
  w.Field("transportKey", facts.transport_kept ? "kept" : "would be created");
  if (config.send_csr) {
    w.Field("certificateKey", facts.certificate_kept ? "kept" : "would be created");
  }
  w.Key("announce").BeginObject();
  w.Field("topic", protocol::DeviceTopic(id, protocol::DeviceTopicKind::kAnnounce));
  w.Key("payload").Raw(announce);
  w.EndObject();
  w.Key("files").BeginArray();
  for (const InstalledFile& f : kInstalledFiles) {
    bool secret = f.mode == kSecretMode;
    w.BeginObject();
    w.Field("path", config.output_dir + "/" + f.name);
    w.Field("mode", FormatFileMode(secret ? config.file_access.secret_mode
                                          : config.file_access.public_mode));
    w.Field("owner", config.file_owner.empty() ? "(process)" : config.file_owner);
    w.Field("group", config.file_group.empty() ? "(process)" : config.file_group);
    w.EndObject();
  }
  w.EndArray();
  w.Key("restartCommands").BeginArray();
  for (const std::string& c : config.restart_commands) {
    w.String(c);
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace gps::device_client
