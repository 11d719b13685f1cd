#include "cloudsim/settings/settings.h"

#include "cloudsim/faults/fault_injector.h"
#include "cloudsim/vault/duration.h"
#include "cloudsim/vault/vault_tokens.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim {

namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',' || c == ' ' || c == '\n') {
      if (!item.empty()) {
        out.push_back(item);
      }
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

Status CheckKey(const std::string& env, const std::string& key) {
  Result<std::string> raw = crypto::Base64Decode(key);
  if (!raw.ok() || raw->empty()) {
    return Status::InvalidArgument(env + ": not a base64 key");
  }
  return Status::Ok();
}

}  // namespace

void AddSettings(config::Table& t, Settings* s) {
  t.Add("GPS_CLOUDSIM_BIND", &s->bind, "127.0.0.1",
        "address all four simulated services listen on");
  t.Add("GPS_CLOUDSIM_MENDER_PORT", &s->mender_port, 0,
        "port of the Mender management API (0: pick a free port)", 0, 65535);
  t.Add("GPS_CLOUDSIM_DPS_PORT", &s->dps_port, 0,
        "port of the Azure DPS service API (0: pick a free port)", 0, 65535);
  t.Add("GPS_CLOUDSIM_VAULT_PORT", &s->vault_port, 0, "port of the Vault API (0: pick a free port)",
        0, 65535);
  t.Add("GPS_CLOUDSIM_HUB_PORT", &s->hub_port, 0,
        "port of the Azure IoT Hub service API (0: pick a free port)", 0, 65535);
  t.Add("GPS_CLOUDSIM_READY_FILE", &s->ready_file, "",
        "when set, {\"mender\":P,\"dps\":P,\"vault\":P,\"hub\":P} is written here (atomically) "
        "once all four servers accept connections");
  t.Add("GPS_CLOUDSIM_MAX_BODY_KIB", &s->max_body_kib, 1024,
        "largest request body accepted (KiB); larger ones get 413", 1, 32 * 1024);
  t.Add("GPS_CLOUDSIM_THREADS", &s->threads, 64,
        "worker threads per port: connections served at once (each keep-alive connection and "
        "each hanging request holds one)",
        8, 1024);
  t.Add("GPS_CLOUDSIM_FAULTS", &s->faults, "",
        "fault injection at start, JSON {\"mender\":{...},\"dps\":{...},\"vault\":{...},"
        "\"hub\":{...}} (cloudsim/README.md; changed at run time over /_sim/faults)");
  t.Add("GPS_CLOUDSIM_FAULT_SEED", &s->fault_seed, -1,
        "seed of the fault injection's random draws, to replay a run (-1: a random seed; the "
        "seed in use is logged and shown by GET /_sim/faults)",
        -1, static_cast<std::int64_t>(FaultInjector::kMaxSeed));

  t.AddSecret("GPS_CLOUDSIM_MENDER_TOKEN", &s->mender_token,
              "Bearer token every Mender management call must carry (default: the demo token "
              "in cloudsim/README.md)");
  t.Add("GPS_CLOUDSIM_MENDER_MAX_TAGS", &s->mender_max_tags, 20,
        "inventory tags allowed per device (Mender's INVENTORY_LIMIT_TAGS)", 1, 1000);

  t.Add("GPS_CLOUDSIM_DPS_HOST", &s->dps_host, "mydps.azure-devices-provisioning.net",
        "DPS host name SAS tokens must be signed for (the production name, not the loopback "
        "address the workers connect to)");
  t.Add("GPS_CLOUDSIM_DPS_POLICY_NAME", &s->dps_policy_name, "provisioningserviceowner",
        "shared access policy DPS tokens must name in skn");
  t.AddSecret("GPS_CLOUDSIM_DPS_POLICY_KEY", &s->dps_policy_key,
              "base64 key of that DPS policy (default: the demo key in cloudsim/README.md)");
  t.Add("GPS_CLOUDSIM_DPS_ID_SCOPE", &s->dps_id_scope, "0ne00000000",
        "ID scope of the simulated DPS instance");

  t.Add("GPS_CLOUDSIM_HUB_HOST", &s->hub_host, "myhub.azure-devices.net",
        "IoT Hub host name SAS tokens must be signed for");
  t.Add("GPS_CLOUDSIM_HUB_POLICY_NAME", &s->hub_policy_name, "iothubowner",
        "shared access policy IoT Hub tokens must name in skn");
  t.AddSecret("GPS_CLOUDSIM_HUB_POLICY_KEY", &s->hub_policy_key,
              "base64 key of that IoT Hub policy (default: the demo key in cloudsim/README.md)");

  t.AddSecret("GPS_CLOUDSIM_VAULT_TOKEN", &s->vault_token,
              "token Vault calls must carry in X-Vault-Token or Authorization: Bearer (default: "
              "the demo token in cloudsim/README.md)");
  t.Add("GPS_CLOUDSIM_VAULT_PKI_MOUNT", &s->vault_mount, "pki", "path of the PKI secrets engine");
  t.Add("GPS_CLOUDSIM_VAULT_APPROLE_MOUNT", &s->vault_approle_mount, "approle",
        "path of the AppRole auth method (login is POST /v1/auth/<mount>/login)");
  t.Add("GPS_CLOUDSIM_VAULT_APPROLE_ROLE_ID", &s->vault_approle_role_id,
        std::string(kDemoVaultRoleId), "the one AppRole role_id accepted");
  t.AddSecret("GPS_CLOUDSIM_VAULT_APPROLE_SECRET_ID", &s->vault_approle_secret_id,
              "the secret_id that role_id must come with (default: the demo one in "
              "cloudsim/README.md)");
  t.Add("GPS_CLOUDSIM_VAULT_TOKEN_TTL", &s->vault_token_ttl, "20m",
        "TTL of a token from an AppRole login and of each renewal (the role's token_ttl)");
  t.Add("GPS_CLOUDSIM_VAULT_TOKEN_MAX_TTL", &s->vault_token_max_ttl, "4h",
        "how long such a token may be renewed at most (the role's token_max_ttl)");
  t.Add("GPS_CLOUDSIM_VAULT_ROLE", &s->vault_role, "gps-device", "name of the PKI role");
  t.Add("GPS_CLOUDSIM_VAULT_KEY_TYPE", &s->vault_key_type, "rsa",
        "role key_type: rsa, ec, ed25519, or any (any: CSRs of any type; issue is refused)");
  t.Add("GPS_CLOUDSIM_VAULT_KEY_BITS", &s->vault_key_bits, 0,
        "role key_bits (0: 2048 for rsa, 256 for ec); for rsa the minimum a CSR must have", 0,
        8192);
  t.Add("GPS_CLOUDSIM_VAULT_ALLOWED_DOMAINS", &s->vault_allowed_domains, "",
        "role allowed_domains, comma-separated");
  t.Add("GPS_CLOUDSIM_VAULT_ALLOW_SUBDOMAINS", &s->vault_allow_subdomains, false,
        "role allow_subdomains: names under an allowed domain are allowed");
  t.Add("GPS_CLOUDSIM_VAULT_ALLOW_BARE_DOMAINS", &s->vault_allow_bare_domains, false,
        "role allow_bare_domains: an allowed domain itself is allowed");
  t.Add("GPS_CLOUDSIM_VAULT_ALLOW_ANY_NAME", &s->vault_allow_any_name, true,
        "role allow_any_name (on for the demo, whose common names are bare device names)");
  t.Add("GPS_CLOUDSIM_VAULT_ALLOW_LOCALHOST", &s->vault_allow_localhost, true,
        "role allow_localhost");
  t.Add("GPS_CLOUDSIM_VAULT_ENFORCE_HOSTNAMES", &s->vault_enforce_hostnames, true,
        "role enforce_hostnames: common names and DNS SANs must be valid host names");
  t.Add("GPS_CLOUDSIM_VAULT_TTL", &s->vault_ttl, "768h",
        "role ttl: validity when a request names none");
  t.Add("GPS_CLOUDSIM_VAULT_MAX_TTL", &s->vault_max_ttl, "8760h",
        "role max_ttl: longer requests are capped to it, with a warning");
  process::AddLogSettings(t, &s->log);

  t.AddCheck([s]() -> Status {
    // Unset secrets get the documented demo values.
    if (s->mender_token.empty()) {
      s->mender_token = kDemoMenderToken;
    }
    if (s->dps_policy_key.empty()) {
      s->dps_policy_key = kDemoDpsPolicyKey;
    }
    if (s->hub_policy_key.empty()) {
      s->hub_policy_key = kDemoHubPolicyKey;
    }
    if (s->vault_token.empty()) {
      s->vault_token = kDemoVaultToken;
    }
    GPS_RETURN_IF_ERROR(CheckKey("GPS_CLOUDSIM_DPS_POLICY_KEY", s->dps_policy_key));
    GPS_RETURN_IF_ERROR(CheckKey("GPS_CLOUDSIM_HUB_POLICY_KEY", s->hub_policy_key));
    for (const auto& [env, value] :
         {std::pair<const char*, const std::string*>{"GPS_CLOUDSIM_BIND", &s->bind},
          {"GPS_CLOUDSIM_DPS_HOST", &s->dps_host},
          {"GPS_CLOUDSIM_DPS_POLICY_NAME", &s->dps_policy_name},
          {"GPS_CLOUDSIM_HUB_HOST", &s->hub_host},
          {"GPS_CLOUDSIM_HUB_POLICY_NAME", &s->hub_policy_name},
          {"GPS_CLOUDSIM_VAULT_PKI_MOUNT", &s->vault_mount},
          {"GPS_CLOUDSIM_VAULT_ROLE", &s->vault_role}}) {
      if (value->empty()) {
        return Status::InvalidArgument(std::string(env) + ": must not be empty");
      }
    }
    if (s->vault_mount.find('/') != std::string::npos ||
        s->vault_role.find('/') != std::string::npos) {
      return Status::InvalidArgument(
          "GPS_CLOUDSIM_VAULT_PKI_MOUNT and GPS_CLOUDSIM_VAULT_ROLE are single path segments");
    }
    GPS_RETURN_IF_ERROR(ToFaultConfig(*s).status());
    return ToVaultConfig(*s).status();
  });
}

MenderConfig ToMenderConfig(const Settings& s) {
  MenderConfig c;
  c.token = s.mender_token;
  c.max_tags = static_cast<std::size_t>(s.mender_max_tags);
  return c;
}

DpsConfig ToDpsConfig(const Settings& s) {
  return DpsConfig{s.dps_host, s.dps_policy_name, s.dps_policy_key, s.dps_id_scope, s.hub_host};
}

HubConfig ToHubConfig(const Settings& s) {
  return HubConfig{s.hub_host, s.hub_policy_name, s.hub_policy_key};
}

Result<FaultConfig> ToFaultConfig(const Settings& s) {
  Result<FaultConfig> config = ParseFaultConfig(s.faults);
  if (!config.ok()) {
    return Status::InvalidArgument("GPS_CLOUDSIM_FAULTS: " + config.status().message());
  }
  return config;
}

std::uint64_t ToFaultSeed(const Settings& s) {
  return s.fault_seed >= 0 ? static_cast<std::uint64_t>(s.fault_seed) : FaultInjector::RandomSeed();
}

Result<VaultConfig> ToVaultConfig(const Settings& s) {
  VaultConfig c;
  c.token = s.vault_token;
  c.mount = s.vault_mount;
  vault::VaultRole& r = c.role;
  r.name = s.vault_role;
  r.key_type = s.vault_key_type;
  r.key_bits = s.vault_key_bits;
  if (r.key_bits == 0) {
    r.key_bits = r.key_type == "rsa" ? 2048 : r.key_type == "ec" ? 256 : 0;
  }
  r.allowed_domains = SplitList(s.vault_allowed_domains);
  r.allow_subdomains = s.vault_allow_subdomains;
  r.allow_bare_domains = s.vault_allow_bare_domains;
  r.allow_any_name = s.vault_allow_any_name;
  r.allow_localhost = s.vault_allow_localhost;
  r.enforce_hostnames = s.vault_enforce_hostnames;
  Result<std::int64_t> ttl = vault::ParseDurationSeconds(s.vault_ttl);
  if (!ttl.ok()) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_TTL: " + ttl.status().message());
  }
  Result<std::int64_t> max_ttl = vault::ParseDurationSeconds(s.vault_max_ttl);
  if (!max_ttl.ok()) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_MAX_TTL: " + max_ttl.status().message());
  }
  r.ttl_s = *ttl;
  r.max_ttl_s = *max_ttl;
  c.approle.mount = s.vault_approle_mount;
  c.approle.role_id = s.vault_approle_role_id;
  c.approle.secret_id = s.vault_approle_secret_id.empty() ? std::string(kDemoVaultSecretId)
                                                          : s.vault_approle_secret_id;
  Result<std::int64_t> token_ttl = vault::ParseDurationSeconds(s.vault_token_ttl);
  if (!token_ttl.ok() || *token_ttl <= 0) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_TOKEN_TTL: '" + s.vault_token_ttl +
                                   "' is not a positive duration like 20m");
  }
  Result<std::int64_t> token_max_ttl = vault::ParseDurationSeconds(s.vault_token_max_ttl);
  if (!token_max_ttl.ok() || *token_max_ttl < *token_ttl) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_TOKEN_MAX_TTL: '" + s.vault_token_max_ttl +
                                   "' is not a duration at least GPS_CLOUDSIM_VAULT_TOKEN_TTL");
  }
  c.approle.token_ttl_s = *token_ttl;
  c.approle.token_max_ttl_s = *token_max_ttl;
  if (c.approle.mount.empty() || c.approle.mount.find_first_of("/ \t") != std::string::npos) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_APPROLE_MOUNT: '" + c.approle.mount +
                                   "' must be one path segment");
  }
  if (r.ttl_s > r.max_ttl_s) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_TTL: " + s.vault_ttl +
                                   " exceeds GPS_CLOUDSIM_VAULT_MAX_TTL " + s.vault_max_ttl);
  }
  Status valid = vault::ValidateRole(r);
  if (!valid.ok()) {
    return Status::InvalidArgument("GPS_CLOUDSIM_VAULT_KEY_TYPE / GPS_CLOUDSIM_VAULT_KEY_BITS: " +
                                   valid.message());
  }
  return c;
}

}  // namespace gps::cloudsim
