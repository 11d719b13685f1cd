#pragma once
// gps-cloudsim's settings: one gps::config::Table of GPS_CLOUDSIM_* variables (plus GPS_LOG_LEVEL)
// and their translation into each simulated service's configuration. Every secret has a fixed,
// documented demo default (cloudsim/README.md) so the simulator runs with no settings at all and
// tests and scripts know the credentials; secrets are never logged.
//
// Not thread-safe; use from main() (or a test) only. The Table keeps pointers into Settings.

#include <cstddef>
#include <cstdint>
#include <string>

#include "cloudsim/dps/dps_api.h"
#include "cloudsim/faults/fault_config.h"
#include "cloudsim/hub/hub_api.h"
#include "cloudsim/mender/mender_api.h"
#include "cloudsim/vault/vault_api.h"
#include "gps/config/config.h"
#include "gps/core/result.h"
#include "gps/process/settings.h"

namespace gps::cloudsim {

// The demo credentials used when the secret settings are left unset.
inline constexpr char kDemoMenderToken[] = "gps-demo-mender-token";
inline constexpr char kDemoDpsPolicyKey[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline constexpr char kDemoHubPolicyKey[] = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
inline constexpr char kDemoVaultToken[] = "gps-demo-vault-token";

struct Settings {
  std::string bind;         // GPS_CLOUDSIM_BIND
  int mender_port = 0;      // GPS_CLOUDSIM_MENDER_PORT (0: a free port)
  int dps_port = 0;         // GPS_CLOUDSIM_DPS_PORT
  int vault_port = 0;       // GPS_CLOUDSIM_VAULT_PORT
  int hub_port = 0;         // GPS_CLOUDSIM_HUB_PORT
  std::string ready_file;   // GPS_CLOUDSIM_READY_FILE
  int max_body_kib = 1024;  // GPS_CLOUDSIM_MAX_BODY_KIB
  int threads = 64;         // GPS_CLOUDSIM_THREADS (per port)

  std::string faults;            // GPS_CLOUDSIM_FAULTS (JSON, see cloudsim/README.md)
  std::int64_t fault_seed = -1;  // GPS_CLOUDSIM_FAULT_SEED (-1: random)

  std::string mender_token;  // GPS_CLOUDSIM_MENDER_TOKEN (secret)
  int mender_max_tags = 20;  // GPS_CLOUDSIM_MENDER_MAX_TAGS

  std::string dps_host;         // GPS_CLOUDSIM_DPS_HOST
  std::string dps_policy_name;  // GPS_CLOUDSIM_DPS_POLICY_NAME
  std::string dps_policy_key;   // GPS_CLOUDSIM_DPS_POLICY_KEY (secret)
  std::string dps_id_scope;     // GPS_CLOUDSIM_DPS_ID_SCOPE

  std::string hub_host;         // GPS_CLOUDSIM_HUB_HOST
  std::string hub_policy_name;  // GPS_CLOUDSIM_HUB_POLICY_NAME
  std::string hub_policy_key;   // GPS_CLOUDSIM_HUB_POLICY_KEY (secret)

  std::string vault_token;            // GPS_CLOUDSIM_VAULT_TOKEN (secret)
  std::string vault_mount;            // GPS_CLOUDSIM_VAULT_PKI_MOUNT
  std::string vault_role;             // GPS_CLOUDSIM_VAULT_ROLE
  std::string vault_key_type;         // GPS_CLOUDSIM_VAULT_KEY_TYPE
  int vault_key_bits = 0;             // GPS_CLOUDSIM_VAULT_KEY_BITS (0: the type's default)
  std::string vault_allowed_domains;  // GPS_CLOUDSIM_VAULT_ALLOWED_DOMAINS (comma list)
  bool vault_allow_subdomains = false;
  bool vault_allow_bare_domains = false;
  bool vault_allow_any_name = true;
  bool vault_allow_localhost = true;
  bool vault_enforce_hostnames = true;
  std::string vault_ttl;                // GPS_CLOUDSIM_VAULT_TTL
  std::string vault_max_ttl;            // GPS_CLOUDSIM_VAULT_MAX_TTL
  std::string vault_approle_mount;      // GPS_CLOUDSIM_VAULT_APPROLE_MOUNT
  std::string vault_approle_role_id;    // GPS_CLOUDSIM_VAULT_APPROLE_ROLE_ID
  std::string vault_approle_secret_id;  // GPS_CLOUDSIM_VAULT_APPROLE_SECRET_ID (secret)
  std::string vault_token_ttl;          // GPS_CLOUDSIM_VAULT_TOKEN_TTL
  std::string vault_token_max_ttl;      // GPS_CLOUDSIM_VAULT_TOKEN_MAX_TTL

  process::LogSettings log;
};

// Declares every setting, its default and help, and the checks run after loading (which also
// put the demo defaults into unset secrets).
void AddSettings(config::Table& table, Settings* s);

MenderConfig ToMenderConfig(const Settings& s);
DpsConfig ToDpsConfig(const Settings& s);
HubConfig ToHubConfig(const Settings& s);
// InvalidArgument naming GPS_CLOUDSIM_FAULTS when the JSON is not valid fault settings.
Result<FaultConfig> ToFaultConfig(const Settings& s);
// The configured seed, or a fresh random one.
std::uint64_t ToFaultSeed(const Settings& s);
// InvalidArgument naming the variable when the role does not make sense.
Result<VaultConfig> ToVaultConfig(const Settings& s);

}  // namespace gps::cloudsim
