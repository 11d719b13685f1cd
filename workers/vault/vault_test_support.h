#pragma once
// Test-only: real certificates and CSRs made with OpenSSL for the vault worker's unit tests, so
// the parsers and the key check run on the same kind of PEM Vault returns; and valid settings. No
// shared state, so thread-safe; for tests only (failures of the OpenSSL calls are not reported: a
// broken certificate shows up as a failing assertion in the test that uses it).

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "gps/crypto/keys.h"
#include "gps/crypto/openssl_handles.h"
#include "workers/vault/vault_settings.h"

namespace gps::worker::vault::testing {

// A certificate for subject's public key, signed by issuer (self-signed when they are the same).
inline std::string CertificatePem(const crypto::PrivateKey& subject,
                                  const crypto::PrivateKey& issuer, const std::string& common_name,
                                  long serial) {
  crypto::X509Ptr x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), subject.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x.get(), name);
  X509_sign(x.get(), issuer.get(), EVP_sha256());
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x.get());
  return crypto::BioContents(bio.get());
}

// A CSR for key's public key, signed by signer (a forged CSR when they differ).
inline std::string CsrPem(const crypto::PrivateKey& key, const crypto::PrivateKey& signer,
                          const std::string& common_name) {
  crypto::X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_REQ_set_pubkey(req.get(), key.get());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_REQ_sign(req.get(), signer.get(), EVP_sha256());
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  return crypto::BioContents(bio.get());
}

inline crypto::PrivateKey NewKey() { return crypto::PrivateKey::GenerateEcdsaP256().value(); }

// Valid settings with a fixed token (validated; the test fails otherwise).
inline VaultSettings TestSettings() {
  VaultSettings s;
  s.addr = "https://vault:8200/";
  s.token = "hvs.test-token";
  s.approle_mount = "approle";
  s.pki_mount = "pki";
  s.role = "gps-device";
  s.common_name = "{name}";
  s.ttl = "8760h";
  s.timeout_ms = 9000;
  Status valid = ValidateVaultSettings(&s);
  EXPECT_TRUE(valid.ok()) << valid.ToString();
  return s;
}

}  // namespace gps::worker::vault::testing
