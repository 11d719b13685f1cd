#pragma once
// VaultClient: the HashiCorp Vault PKI calls of the vault worker
// (/work/shared/reference/cloud-apis.md section 3): request builders for issue and sign, a sender,
// and the parser of their answer. It knows paths, headers and bodies; it decides nothing (412,
// the key check and sealing are vault_step's business).
//
// Thread-safety: a const VaultClient may be used from several threads at once; each thread sends
// over its own keep-alive connection. The builders and parsers are pure.
// Lifetime: the Clock given to the constructor must outlive the client.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"

namespace gps::worker::vault {

struct VaultSettings {
  std::string addr;                 // GPS_VAULT_ADDR: e.g. https://vault:8200, no trailing '/'
  std::string token;                // GPS_VAULT_TOKEN (secret)
  std::string vault_namespace;      // GPS_VAULT_NAMESPACE: X-Vault-Namespace; empty: none
  std::string pki_mount;            // GPS_VAULT_PKI_MOUNT: path of the PKI secrets engine
  std::string role;                 // GPS_VAULT_ROLE: PKI role the certificates are made under
  std::string common_name;          // GPS_VAULT_COMMON_NAME: template; {name} is the device name
  std::string ttl;                  // GPS_VAULT_TTL: certificate lifetime, a Vault duration
  std::int64_t timeout_ms = 10000;  // GPS_HTTP_TIMEOUT_MS: one request, at most
  std::string ca_file;              // GPS_HTTP_CA_FILE: extra trust anchors for https
};

// Declares the settings above in a worker's table, with a check that validates them.
// REQUIRES: s outlives table.Load().
void AddVaultSettings(config::Table& table, VaultSettings* s);
Status ValidateVaultSettings(VaultSettings* s);

// The certificate's common name for a device: the template with every {name} replaced.
std::string CommonNameFor(const VaultSettings& s, std::string_view device_name);

// POST /v1/{mount}/issue/{role}: Vault makes the key pair (PKCS#8 PEM) and the certificate.
http::Request IssueRequest(const VaultSettings& s, std::string_view common_name);
// POST /v1/{mount}/sign/{role}: Vault certifies the CSR's key; the private key stays on the device.
http::Request SignRequest(const VaultSettings& s, std::string_view common_name,
                          std::string_view csr_pem);

// The data of an issue or sign answer.
struct IssuedCertificate {
  std::string certificate_pem;
  std::vector<std::string> ca_chain_pem;  // data.ca_chain, or [data.issuing_ca] when it is empty
  std::string serial;                     // colon-separated hex, as Vault writes it
  std::int64_t expiration = 0;            // Unix seconds
  std::string private_key_pem;            // issue only; empty after a sign
  std::vector<std::string> warnings;      // the answer's "warnings", to be logged
};
// Refuses a body of the wrong shape, a certificate or CA that is not PEM, or a chain longer than
// the protocol carries. expiration may be an integer or a quoted integer.
Result<IssuedCertificate> ParseCertificateAnswer(std::string_view body);

// The public key a CSR asks to have certified, after checking the CSR's self-signature.
Result<crypto::PublicKey> CsrPublicKey(std::string_view csr_pem);

class VaultClient {
 public:
  VaultClient(VaultSettings settings, const Clock& clock);

  const VaultSettings& settings() const { return settings_; }
  Instant Now() const { return clock_.Now(); }

  // Each call sends one request, bounded by the settings' timeout and by the job's deadline
  // (DeadlineExceeded without sending when the deadline has passed), and returns the response
  // whatever its status. Neither is idempotent: every success mints a new certificate.
  Result<http::Response> Issue(std::string_view common_name, Instant deadline) const;
  Result<http::Response> Sign(std::string_view common_name, std::string_view csr_pem,
                              Instant deadline) const;

 private:
  VaultSettings settings_;
  const Clock& clock_;
};

}  // namespace gps::worker::vault
