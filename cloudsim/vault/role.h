#pragma once
// VaultRole: the one PKI role the simulator serves, with the parts of Vault's role policy that
// decide what a certificate may say: key type and size, which names are allowed (allowed_domains
// with bare / subdomain matching, localhost, allow_any_name, enforce_hostnames), TTLs, and
// whether a CSR's common name and SANs win over the request's. Defaults follow Vault's role
// defaults except where cloudsim/README.md says otherwise. Pure value type; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/status.h"

namespace gps::cloudsim::vault {

struct VaultRole {
  std::string name = "gps-device";
  std::string key_type = "rsa";  // rsa | ec | ed25519 | any (any: sign only)
  int key_bits = 2048;           // rsa: minimum for CSRs; ec: exact curve size; ed25519: 0
  std::vector<std::string> allowed_domains;
  bool allow_bare_domains = false;
  bool allow_subdomains = false;
  bool allow_localhost = true;
  bool allow_any_name = false;
  bool enforce_hostnames = true;
  bool allow_ip_sans = true;
  bool use_csr_common_name = true;
  bool use_csr_sans = true;
  bool require_cn = true;
  bool server_flag = true;
  bool client_flag = true;
  std::int64_t ttl_s = 768 * 3600;      // used when a request names no ttl
  std::int64_t max_ttl_s = 768 * 3600;  // longer requests are capped, with a warning
};

// A DNS name as enforce_hostnames wants it: LDH labels of 1..63 characters, 253 in total, an
// optional trailing dot.
bool IsHostname(std::string_view name);

// The first of names the role does not allow, or "" when all are allowed (Vault's
// validateNames). An e-mail address is judged by its domain part.
std::string FirstDisallowedName(const VaultRole& role, const std::vector<std::string>& names);

// Checks the role itself at start-up: key type and bits Vault would accept, ttl <= max_ttl.
Status ValidateRole(const VaultRole& role);

}  // namespace gps::cloudsim::vault
