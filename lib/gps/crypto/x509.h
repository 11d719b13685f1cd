#pragma once
// X.509 certificates as the device client, the workers and the tests need them: parse PEM, read
// the subject and serial, check that a certificate belongs to a key, and verify a chain to trusted
// roots. The same readings of a raw X509 serve cloudsim's CA, which builds certificates itself.
// Move-only owners; const objects are safe to read from several threads.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"

typedef struct x509_st X509;
typedef struct X509_name_st X509_NAME;

namespace gps::crypto {

class Certificate {
 public:
  static Result<Certificate> FromPem(std::string_view pem);
  // Every CERTIFICATE block in text, in order; at least one.
  static Result<std::vector<Certificate>> ChainFromPem(std::string_view text);

  std::string SubjectCommonName() const;
  std::string IssuerCommonName() const;
  // Colon-separated lower-case hex, as Vault prints serial numbers.
  std::string SerialHex() const;
  std::string Pem() const;
  bool IsSelfIssued() const;
  Result<PublicKey> Key() const;

  X509* get() const { return cert_.get(); }

 private:
  struct Free {
    void operator()(X509* p) const;
  };
  explicit Certificate(X509* cert) : cert_(cert) {}
  std::unique_ptr<X509, Free> cert_;
};

// Ok when leaf chains to one of roots through intermediates, at the current time.
Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                   const std::vector<Certificate>& roots);
// Ok when cert carries the public half of key.
Status CertificateMatchesKey(const Certificate& cert, const PrivateKey& key);
Status CertificateMatchesKey(const Certificate& cert, const PublicKey& key);

// A PKCS#10 certificate request (PEM) for key's public key, signed with key (SHA-256; Ed25519
// signs without a separate digest). An empty common_name leaves the subject empty, so a CA that
// prefers the CSR's name (Vault's use_csr_common_name) takes the name the request gives instead.
Result<std::string> MakeCsrPem(const PrivateKey& key, std::string_view common_name);

// ---- readings of a raw X509, for code that builds certificates with OpenSSL itself ----
// Colon-separated lower-case hex of the serial number.
std::string SerialHexOf(const X509* cert);
// The certificate as a PEM block with a trailing newline.
Result<std::string> PemOf(const X509* cert);
// The (first) common name as UTF-8; "" when there is none.
std::string CommonNameOf(const X509_NAME* name);

}  // namespace gps::crypto
