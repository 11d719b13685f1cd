#pragma once
// VaultClient: the HashiCorp Vault PKI calls of the vault worker
// (/work/shared/reference/cloud-apis.md section 3): request builders for issue, sign, revoke and
// the certificate store's list and read, a sender, and the parsers of their answers. It knows
// paths, headers and bodies; it decides nothing (412, 404s, the key check, which certificates to
// revoke and sealing are vault_step's business). Every request carries the token VaultAuth
// holds; a 403 gets one fresh token and one more try (RetryWithFreshToken).
//
// Thread-safety: a const VaultClient may be used from several threads at once; each thread sends
// over its own keep-alive connection. The builders and parsers are pure.
// Lifetime: the Clock given to the constructor must outlive the client.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "workers/vault/vault_auth.h"
#include "workers/vault/vault_settings.h"

namespace gps::worker::vault {

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

// A certificate serial as Vault writes and accepts it: hex bytes separated by ':' or '-'.
bool IsSerial(std::string_view s);
// "39:DD-2e" -> "39:dd:2e", the form Vault lists serials in (and the certificate cache's key).
std::string NormalizeSerial(std::string_view serial);

// GET /v1/{mount}/certs?list=true: the serials of every certificate the mount stores (revoked and
// expired ones too, until a tidy removes them). Vault documents GET with list=true as the same
// operation as the LIST verb, which proxies and some HTTP stacks do not pass. Needs the token.
http::Request ListCertificatesRequest(const VaultSettings& s);
// GET /v1/{mount}/cert/{serial}: one stored certificate and its revocation time. Vault serves it
// without a token; the token is sent anyway (harmless, and a proxy in front may want it).
// REQUIRES: IsSerial(serial).
http::Request ReadCertificateRequest(const VaultSettings& s, std::string_view serial);
// POST /v1/{mount}/revoke {"serial_number": serial}. REQUIRES: IsSerial(serial).
http::Request RevokeRequest(const VaultSettings& s, std::string_view serial);

// data.keys of a list answer, normalised; keys that are not serials are left out.
Result<std::vector<std::string>> ParseSerialList(std::string_view body);

// What the worker needs to know of a stored certificate. Everything but `revoked` is fixed for
// the certificate's life, and revoked never goes back to false.
struct StoredCertificate {
  std::string common_name;     // the subject's CN
  std::int64_t not_after = 0;  // Unix seconds
  std::string key_sha256;      // SHA-256 of the certified key's DER SubjectPublicKeyInfo (raw)
  bool revoked = false;        // data.revocation_time is not 0
};
// The data of a read answer: the PEM certificate (read for its CN, notAfter and key) and
// revocation_time (an integer or quoted integer; absent means 0).
Result<StoredCertificate> ParseStoredCertificate(std::string_view body);

// The "warnings" of a Vault answer: a revoke's (data may be null, e.g. for an expired
// certificate), a token renewal's. An empty body (204) has none.
Result<std::vector<std::string>> ParseWarnings(std::string_view body);

// The public key a CSR asks to have certified, after checking the CSR's self-signature.
Result<crypto::PublicKey> CsrPublicKey(std::string_view csr_pem);

class VaultClient {
 public:
  VaultClient(VaultSettings settings, const Clock& clock);

  const VaultSettings& settings() const { return settings_; }
  Instant Now() const { return clock_.Now(); }

  // Each call sends one request, bounded by the settings' timeout and by the job's deadline
  // (DeadlineExceeded without sending when the deadline has passed), and returns the response
  // whatever its status. Issue and Sign are not idempotent: every success mints a new
  // certificate. The others are: reads, and a revoke that Vault answers alike when repeated.
  Result<http::Response> Issue(std::string_view common_name, Instant deadline) const;
  Result<http::Response> Sign(std::string_view common_name, std::string_view csr_pem,
                              Instant deadline) const;
  Result<http::Response> ListCertificates(Instant deadline) const;
  Result<http::Response> ReadCertificate(std::string_view serial, Instant deadline) const;
  Result<http::Response> Revoke(std::string_view serial, Instant deadline) const;

 private:
  // Sends request with the current token; after a 403, once more with a fresh one.
  Result<http::Response> Send(http::Request request, Instant deadline) const;

  VaultSettings settings_;
  const Clock& clock_;
  // Thread-safe; mutable because sending is const (the token is a cache of the login, not the
  // client's state).
  mutable VaultAuth auth_;
};

// A request answered 403 with a token that was not just obtained is sent once more with a fresh
// one: Vault answers an expired or revoked token with 403 "permission denied", like a policy
// that forbids the path, so only a second 403 with a new token tells them apart.
bool RetryWithFreshToken(const Result<http::Response>& response, bool token_was_fresh);

}  // namespace gps::worker::vault
