#pragma once
// The simulated Vault PKI's certificate authority, built with the OpenSSL 3 EVP/X509 APIs:
// a self-signed root and an intermediate signed by it, both EC P-256 with ECDSA-SHA256, made
// fresh at every start (the simulator keeps no state across restarts). The intermediate issues
// every leaf. Also the key and CSR helpers the Vault handlers need.
//
// CertificateAuthority is immutable after Create(); Issue() may be called from several threads
// (signing takes an internal lock, so OpenSSL never sees concurrent use of the CA key).
// Lifetime: EVP_PKEY pointers passed in must outlive the call.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"
#include "gps/crypto/openssl_handles.h"

namespace gps::cloudsim::ca {

// ---- keys ----
struct KeyInfo {
  std::string type;  // rsa | ec | ed25519 (Vault's private_key_type)
  int bits = 0;      // RSA modulus bits, EC curve bits, 0 for Ed25519
};

// type rsa (bits 2048/3072/4096/8192), ec (224/256/384/521) or ed25519.
Result<crypto::PkeyPtr> GenerateKey(std::string_view type, int bits);
Result<KeyInfo> DescribeKey(EVP_PKEY* key);

// The private key as Vault returns it. pkcs8: "PRIVATE KEY"; otherwise the traditional form
// (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY"; Ed25519 has none, so PKCS#8). The PEM has no
// trailing newline, as Vault trims it.
Result<std::string> PrivateKeyPem(EVP_PKEY* key, bool pkcs8);
Result<std::string> PrivateKeyDer(EVP_PKEY* key, bool pkcs8);

// ---- certificate requests ----
struct Csr {
  crypto::PkeyPtr key;
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> emails;
  std::vector<std::string> ip_addresses;  // textual
};
// Parses a PEM CERTIFICATE REQUEST and verifies its self-signature (InvalidArgument otherwise).
Result<Csr> ParseCsr(std::string_view pem);

// ---- issuing ----
struct LeafSpec {
  EVP_PKEY* subject_key = nullptr;  // public half goes into the certificate
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> emails;
  std::vector<std::string> ip_addresses;  // textual IPv4 / IPv6
  std::int64_t not_before = 0;            // Unix seconds
  std::int64_t not_after = 0;
  std::string serial;  // big-endian bytes of a positive integer
  bool server_auth = true;
  bool client_auth = true;
};

struct Issued {
  std::string pem;  // with trailing newline
  std::string der;
  std::string serial_hex;  // colon-separated lower-case hex
};

// Trims trailing whitespace, the way Vault returns PEM blocks.
std::string TrimPem(std::string_view pem);
// PEM to DER of the first CERTIFICATE block.
Result<std::string> CertificateDer(std::string_view pem);

class CertificateAuthority {
 public:
  // Root valid 10 years, intermediate 5 years, both from now_s - 60.
  static Result<std::unique_ptr<CertificateAuthority>> Create(std::int64_t now_s);

  Result<Issued> Issue(const LeafSpec& spec) const;

  const std::string& root_pem() const { return root_pem_; }
  const std::string& intermediate_pem() const { return intermediate_pem_; }
  std::int64_t intermediate_not_after() const { return intermediate_not_after_; }

 private:
  CertificateAuthority() = default;

  crypto::PkeyPtr intermediate_key_;
  crypto::X509Ptr intermediate_;
  std::string root_pem_;
  std::string intermediate_pem_;
  std::int64_t intermediate_not_after_ = 0;
  mutable std::mutex sign_mu_;
};

}  // namespace gps::cloudsim::ca
