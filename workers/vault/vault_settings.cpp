#include "workers/vault/vault_settings.h"

#include <algorithm>
#include <cctype>

#include "gps/core/text.h"
#include "gps/process/settings.h"

namespace gps::worker::vault {

namespace {

// One path segment of a mount or role: put into the URL as it is, so held to safe characters.
bool IsSegment(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool IsMountPath(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    std::size_t slash = s.find('/', start);
    if (!IsSegment(s.substr(start, slash == std::string_view::npos ? s.npos : slash - start))) {
      return false;
    }
    if (slash == std::string_view::npos) {
      return true;
    }
    start = slash + 1;
  }
}

// A credential sent in a header or a JSON body as it is: one word.
bool IsOneWord(std::string_view s) {
  return !HasControlCharacter(s) && s.find(' ') == std::string_view::npos;
}

Status CheckAuth(VaultSettings* s) {
  if (s->auth.empty() || s->auth == "token") {
    s->auth_method = VaultAuthMethod::kToken;
    if (s->token.empty() && s->token_file.empty()) {
      return Status::InvalidArgument(
          "GPS_VAULT_TOKEN: required with GPS_VAULT_AUTH=token (or GPS_VAULT_TOKEN_FILE, or "
          "GPS_VAULT_AUTH=approle)");
    }
    if (!IsOneWord(s->token)) {
      return Status::InvalidArgument("GPS_VAULT_TOKEN: must be one token without spaces");
    }
    if (HasControlCharacter(s->token_file)) {
      return Status::InvalidArgument("GPS_VAULT_TOKEN_FILE: contains control characters");
    }
    return Status::Ok();
  }
  if (s->auth != "approle") {
    return Status::InvalidArgument("GPS_VAULT_AUTH: '" + s->auth + "' is not token or approle");
  }
  s->auth_method = VaultAuthMethod::kAppRole;
  // Two sources of one token would leave it unclear which one the worker acts with.
  if (!s->token.empty() || !s->token_file.empty()) {
    return Status::InvalidArgument(
        "GPS_VAULT_TOKEN / GPS_VAULT_TOKEN_FILE: set, but GPS_VAULT_AUTH=approle logs in for its "
        "token; unset them");
  }
  if (!IsMountPath(s->approle_mount)) {
    return Status::InvalidArgument("GPS_VAULT_APPROLE_MOUNT: '" + s->approle_mount +
                                   "' is not a mount path like approle or auth-team/approle");
  }
  if (s->role_id.empty() || !IsOneWord(s->role_id)) {
    return Status::InvalidArgument(
        "GPS_VAULT_ROLE_ID: required with GPS_VAULT_AUTH=approle, one word without spaces");
  }
  if (s->secret_id.empty() || !IsOneWord(s->secret_id)) {
    return Status::InvalidArgument(
        "GPS_VAULT_SECRET_ID: required with GPS_VAULT_AUTH=approle (or GPS_VAULT_SECRET_ID_FILE), "
        "one word without spaces");
  }
  return Status::Ok();
}

}  // namespace

void AddVaultSettings(config::Table& table, VaultSettings* s) {
  table.Add("GPS_VAULT_ADDR", &s->addr, "", "Vault address, e.g. https://vault:8200 (required)");
  table.Add("GPS_VAULT_AUTH", &s->auth, "token",
            "how the worker gets its Vault token: token (GPS_VAULT_TOKEN or GPS_VAULT_TOKEN_FILE) "
            "or approle (login with GPS_VAULT_ROLE_ID and GPS_VAULT_SECRET_ID, renewed before it "
            "expires)");
  table.AddSecret("GPS_VAULT_TOKEN", &s->token,
                  "Vault token allowed to use the PKI role's issue and sign paths, revoke, and "
                  "list certs (GPS_VAULT_AUTH=token)");
  // Declared besides the secret's own _FILE form, which reads the file once at start, so the
  // worker also knows the path and reads the file again when an agent rewrites it.
  table.Add("GPS_VAULT_TOKEN_FILE", &s->token_file, "",
            "file holding the Vault token, e.g. a Vault Agent sink; read at start and again "
            "whenever its content changes or Vault refuses the token (GPS_VAULT_AUTH=token)");
  table.Add("GPS_VAULT_APPROLE_MOUNT", &s->approle_mount, "approle",
            "path of the AppRole auth method: login is POST /v1/auth/<mount>/login "
            "(GPS_VAULT_AUTH=approle)");
  table.Add("GPS_VAULT_ROLE_ID", &s->role_id, "", "AppRole role_id (GPS_VAULT_AUTH=approle)");
  table.AddSecret("GPS_VAULT_SECRET_ID", &s->secret_id,
                  "AppRole secret_id (GPS_VAULT_AUTH=approle)");
  table.Add("GPS_VAULT_MODE", &s->mode, "issue",
            "issue: Vault makes the certificate's key pair and the key reaches the gateway "
            "sealed; sign: Vault signs the CSR the gateway announces (gps-device-client "
            "GPS_CLIENT_CERT_MODE=csr) and the key never leaves the gateway");
  table.Add("GPS_VAULT_NAMESPACE", &s->vault_namespace, "",
            "Vault Enterprise/HCP namespace, sent as X-Vault-Namespace (empty: none)");
  table.Add("GPS_VAULT_PKI_MOUNT", &s->pki_mount, "pki", "path of the PKI secrets engine");
  table.Add("GPS_VAULT_ROLE", &s->role, "gps-device", "PKI role the certificates are made under");
  table.Add("GPS_VAULT_COMMON_NAME", &s->common_name, "{name}",
            "certificate common name; {name} is replaced by the device name, e.g. "
            "{name}.devices.example.com");
  table.Add("GPS_VAULT_TTL", &s->ttl, "8760h",
            "certificate lifetime as a Vault duration (at most the role's max_ttl)");
  process::AddHttpClientSettings(table, "Vault", &s->timeout_ms, &s->ca_file);
  table.Add("GPS_VAULT_CERT_CACHE_ENTRIES", &s->cert_cache_entries, 100000,
            "stored certificates whose name, expiry and revocation this process remembers, so a "
            "retried provision reads each one once (about 250 bytes each; 0: read every time)",
            0, 10000000);
  table.AddCheck([s] { return ValidateVaultSettings(s); });
}

Status ValidateVaultSettings(VaultSettings* s) {
  while (!s->addr.empty() && s->addr.back() == '/') {
    s->addr.pop_back();
  }
  if ((s->addr.rfind("https://", 0) != 0 && s->addr.rfind("http://", 0) != 0) ||
      HasControlCharacter(s->addr)) {
    return Status::InvalidArgument("GPS_VAULT_ADDR: required, e.g. https://vault:8200");
  }
  GPS_RETURN_IF_ERROR(CheckAuth(s));
  if (s->mode.empty() || s->mode == "issue") {
    s->vault_mode = VaultMode::kIssue;
  } else if (s->mode == "sign") {
    s->vault_mode = VaultMode::kSign;
  } else {
    return Status::InvalidArgument("GPS_VAULT_MODE: '" + s->mode + "' is not issue or sign");
  }
  if (HasControlCharacter(s->vault_namespace)) {
    return Status::InvalidArgument("GPS_VAULT_NAMESPACE: contains control characters");
  }
  if (!IsMountPath(s->pki_mount)) {
    return Status::InvalidArgument("GPS_VAULT_PKI_MOUNT: '" + s->pki_mount +
                                   "' is not a mount path like pki or pki/devices");
  }
  if (!IsSegment(s->role)) {
    return Status::InvalidArgument("GPS_VAULT_ROLE: '" + s->role +
                                   "' may hold only letters, digits, '-', '_' and '.'");
  }
  if (s->common_name.empty() || HasControlCharacter(s->common_name)) {
    return Status::InvalidArgument("GPS_VAULT_COMMON_NAME: required, e.g. {name}");
  }
  if (s->ttl.empty() || !std::all_of(s->ttl.begin(), s->ttl.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
      })) {
    return Status::InvalidArgument("GPS_VAULT_TTL: '" + s->ttl + "' is not a duration like 8760h");
  }
  return Status::Ok();
}

http::Request VaultRequest(const VaultSettings& s, std::string method, std::string_view path) {
  http::Request r;
  r.method = std::move(method);
  r.url = s.addr + "/v1/" + std::string(path);
  if (!s.vault_namespace.empty()) {
    r.headers.push_back({"X-Vault-Namespace", s.vault_namespace});
  }
  if (r.method == "POST") {
    r.headers.push_back({"Content-Type", "application/json"});
  }
  r.headers.push_back({"Accept", "application/json"});
  r.timeout_ms = s.timeout_ms;
  r.ca_file = s.ca_file;
  return r;
}

http::Request WithToken(http::Request request, std::string_view token) {
  std::erase_if(request.headers,
                [](const http::Header& h) { return EqualsIgnoreCase(h.name, "X-Vault-Token"); });
  request.headers.push_back({"X-Vault-Token", std::string(token)});
  return request;
}

}  // namespace gps::worker::vault
