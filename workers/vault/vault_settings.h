#pragma once
// VaultSettings: gps-worker-vault's settings (GPS_VAULT_*), their validation, and the request
// skeleton every Vault call shares (address, namespace, timeout, trust anchors). Plain value
// type; the functions are pure apart from AddVaultSettings filling a config table.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/config/config.h"
#include "gps/core/status.h"
#include "gps/http/client.h"

namespace gps::worker::vault {

// How the worker gets its Vault token (GPS_VAULT_AUTH; vault_auth.h).
enum class VaultAuthMethod {
  kToken,    // GPS_VAULT_TOKEN, or GPS_VAULT_TOKEN_FILE read again whenever it changes
  kAppRole,  // login with GPS_VAULT_ROLE_ID + GPS_VAULT_SECRET_ID, renewed before expiry
};
// Who makes the certificate's key pair (GPS_VAULT_MODE).
enum class VaultMode {
  kIssue,  // Vault (pki/issue); the key reaches the device sealed to its transport key
  kSign,   // the device (pki/sign of the CSR in its announce); the key never leaves it
};

struct VaultSettings {
  std::string addr;                 // GPS_VAULT_ADDR: e.g. https://vault:8200, no trailing '/'
  std::string auth;                 // GPS_VAULT_AUTH: token | approle
  std::string token;                // GPS_VAULT_TOKEN (secret; or GPS_VAULT_TOKEN_FILE)
  std::string token_file;           // GPS_VAULT_TOKEN_FILE: re-read whenever it changes
  std::string approle_mount;        // GPS_VAULT_APPROLE_MOUNT: path of the AppRole auth method
  std::string role_id;              // GPS_VAULT_ROLE_ID
  std::string secret_id;            // GPS_VAULT_SECRET_ID (secret; or GPS_VAULT_SECRET_ID_FILE)
  std::string mode;                 // GPS_VAULT_MODE: issue | sign
  std::string vault_namespace;      // GPS_VAULT_NAMESPACE: X-Vault-Namespace; empty: none
  std::string pki_mount;            // GPS_VAULT_PKI_MOUNT: path of the PKI secrets engine
  std::string role;                 // GPS_VAULT_ROLE: PKI role the certificates are made under
  std::string common_name;          // GPS_VAULT_COMMON_NAME: template; {name} is the device name
  std::string ttl;                  // GPS_VAULT_TTL: certificate lifetime, a Vault duration
  std::int64_t timeout_ms = 10000;  // GPS_HTTP_TIMEOUT_MS: one request, at most
  std::string ca_file;              // GPS_HTTP_CA_FILE: extra trust anchors for https
  int cert_cache_entries = 100000;  // GPS_VAULT_CERT_CACHE_ENTRIES: certificates remembered

  // Set by ValidateVaultSettings from auth and mode.
  VaultAuthMethod auth_method = VaultAuthMethod::kToken;
  VaultMode vault_mode = VaultMode::kIssue;
};

// Declares the settings above in a worker's table, with a check that validates them.
// REQUIRES: s outlives table.Load().
void AddVaultSettings(config::Table& table, VaultSettings* s);
// Normalises addr, sets auth_method and vault_mode, and refuses incomplete or contradictory
// settings (naming the variable). Empty auth and mode mean token and issue.
Status ValidateVaultSettings(VaultSettings* s);

// A request to path below /v1/ (e.g. "auth/token/renew-self"): the settings' address, namespace,
// timeout and trust anchors, Accept and (for POST) Content-Type JSON. No token: VaultClient adds
// the current one when it sends (WithToken).
http::Request VaultRequest(const VaultSettings& s, std::string method, std::string_view path);
// request with X-Vault-Token: token (replacing any earlier one).
http::Request WithToken(http::Request request, std::string_view token);

}  // namespace gps::worker::vault
