#include "device-client/client_settings.h"

#include "device-client/mac_address.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/names.h"

namespace gps::device_client {

namespace {

struct Alias {
  std::string_view short_flag;
  std::string_view table_flag;
};
constexpr Alias kAliases[] = {
    {"--generate-key", "--client-generate-key"},
    {"--restart-command", "--client-restart-command"},
};

Status RequireAbsolute(std::string_view env, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument(std::string(env) + ": '" + path + "' must be an absolute path");
  }
  return Status::Ok();
}

}  // namespace

void AddClientSettings(config::Table& table, ClientConfig* cfg) {
  table.SetDefaultFile(kDefaultConfigFile);
  table.Add("GPS_CLIENT_KEY_PATH", &cfg->key_path, "/var/lib/mender/mender-agent.pem",
            "the Mender private key (PEM: RSA, ECDSA P-256 or Ed25519); the device id is the "
            "SHA-256 of its public key");
  table.Add("GPS_CLIENT_GENERATE_KEY", &cfg->generate_key, false,
            "demo and simulator only: create an RSA 3072 key at GPS_CLIENT_KEY_PATH when none "
            "exists (also --generate-key)");
  table.Add("GPS_CLIENT_MAC", &cfg->mac, "",
            "the MAC address to announce (aa:bb:cc:dd:ee:ff); empty: read it from the interface");
  table.Add("GPS_CLIENT_INTERFACE", &cfg->interface, "auto",
            "network interface whose MAC is announced; auto: the Ethernet interface with the "
            "lowest ifindex, as Mender's identity script picks it");
  table.Add("GPS_CLIENT_OUTPUT_DIR", &cfg->output_dir, "/var/lib/gps",
            "where the credentials are written (device-name, device.crt, device.key, ca-chain.crt, "
            "dps.env, provisioned)");
  table.Add("GPS_CLIENT_STATE_DIR", &cfg->state_dir, "/var/lib/gps/state",
            "where the transport key is kept (mode 0700) until the gateway is provisioned");
  table.AddList("GPS_CLIENT_RESTART_COMMAND", &cfg->restart_commands,
                {"systemctl restart mender-authd mender-updated", "iotedge config apply"},
                "commands run with /bin/sh -c, in order, once the files are written: one per line "
                "or one per --restart-command flag; an empty value runs none");
  table.Add("GPS_CLIENT_RESTART_TIMEOUT_S", &cfg->restart_timeout_s, 120,
            "how long each restart command may run before it is killed", 1, 3600);
  table.Add("GPS_CLIENT_ANNOUNCE_INTERVAL_S", &cfg->announce_interval_s, 5,
            "seconds between announces while waiting for an operator", 1, 3600);
  table.Add("GPS_CLIENT_TIMEOUT_S", &cfg->timeout_s, 0,
            "give up (exit code 3) when no credentials arrived within this many seconds; 0 waits "
            "forever",
            0, std::int64_t{10} * 365 * 24 * 3600);
  table.Add("GPS_CLIENT_CERT_MODE", &cfg->cert_mode, "vault-key",
            "who makes the device certificate's key: vault-key (Vault makes it and it arrives "
            "sealed in the bundle; gps-worker-vault GPS_VAULT_MODE=issue) or csr (this client "
            "makes an ECDSA P-256 key, kept in GPS_CLIENT_STATE_DIR until it is installed, and "
            "announces a CSR for it; the key never leaves the gateway; GPS_VAULT_MODE=sign)");

  table.Add("GPS_MQTT_URI", &cfg->mqtt_uri, "mqtt://127.0.0.1:1883",
            "broker URI: mqtt://host:port, or mqtts://host:port for TLS");
  table.Add("GPS_MQTT_USERNAME", &cfg->mqtt_username, "",
            "the bootstrap broker account shared by every gateway image (empty: anonymous)");
  table.AddSecret("GPS_MQTT_PASSWORD", &cfg->mqtt_password, "the bootstrap account's password");
  table.Add("GPS_MQTT_CA_FILE", &cfg->mqtt_ca_file, "",
            "CA certificate(s) to trust for mqtts:// (empty: the system store)");
  table.Add("GPS_MQTT_SESSION_EXPIRY_S", &cfg->mqtt_session_expiry_s, 86400,
            "how long the broker keeps this device's session (and the credentials queued in it) "
            "while the gateway is offline",
            60, 7 * 24 * 3600);
  process::AddLogSettings(table, &cfg->log);

  table.AddCheck([cfg]() -> Status {
    if (!cfg->mac.empty()) {
      std::string canonical;
      GPS_RETURN_IF_ERROR(
          protocol::CanonicalMac(cfg->mac, &canonical).WithContext("GPS_CLIENT_MAC"));
    }
    GPS_RETURN_IF_ERROR(ValidateInterfaceName(cfg->interface).WithContext("GPS_CLIENT_INTERFACE"));
    GPS_RETURN_IF_ERROR(RequireAbsolute("GPS_CLIENT_KEY_PATH", cfg->key_path));
    GPS_RETURN_IF_ERROR(RequireAbsolute("GPS_CLIENT_OUTPUT_DIR", cfg->output_dir));
    GPS_RETURN_IF_ERROR(RequireAbsolute("GPS_CLIENT_STATE_DIR", cfg->state_dir));
    if (cfg->cert_mode != "vault-key" && cfg->cert_mode != "csr") {
      return Status::InvalidArgument("GPS_CLIENT_CERT_MODE: '" + cfg->cert_mode +
                                     "' is not vault-key or csr");
    }
    cfg->send_csr = cfg->cert_mode == "csr";
    std::string uri;
    GPS_RETURN_IF_ERROR(mqtt::NormaliseUri(cfg->mqtt_uri, &uri).WithContext("GPS_MQTT_URI"));
    return Status::Ok();
  });
}

std::vector<std::string> ApplyFlagAliases(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const std::string& a : args) {
    std::string rewritten = a;
    for (const Alias& alias : kAliases) {
      std::string_view view(a);
      if (view == alias.short_flag ||
          (view.substr(0, alias.short_flag.size()) == alias.short_flag &&
           view.size() > alias.short_flag.size() && view[alias.short_flag.size()] == '=')) {
        rewritten = std::string(alias.table_flag) + a.substr(alias.short_flag.size());
      }
    }
    out.push_back(std::move(rewritten));
  }
  return out;
}

}  // namespace gps::device_client
