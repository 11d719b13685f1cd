#include "gps/crypto/x509.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "gps/crypto/openssl_handles.h"

namespace gps::crypto {

void Certificate::Free::operator()(X509* p) const { X509_free(p); }

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) {
    return OpenSslError("certificate: cannot parse PEM", Status::Code::kInvalidArgument);
  }
  return Certificate(cert);
}

Result<std::vector<Certificate>> Certificate::ChainFromPem(std::string_view text) {
  std::vector<Certificate> out;
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    std::size_t end = text.find(kEnd, pos);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument("certificate chain: unterminated PEM block");
    }
    end += kEnd.size();
    Result<Certificate> cert = FromPem(text.substr(pos, end - pos));
    if (!cert.ok()) {
      return cert.status().WithContext("certificate chain entry " + std::to_string(out.size()));
    }
    out.push_back(std::move(cert).value());
    pos = end;
  }
  if (out.empty()) {
    return Status::InvalidArgument("certificate chain: no CERTIFICATE block");
  }
  return out;
}

std::string CommonNameOf(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) {
    return "";
  }
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    return "";
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string SerialHexOf(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < serial->length; ++i) {
    if (!out.empty()) {
      out += ':';
    }
    out += kDigits[serial->data[i] >> 4];
    out += kDigits[serial->data[i] & 15];
  }
  return out;
}

Result<std::string> PemOf(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("encode certificate");
  }
  return BioContents(bio.get());
}

std::string Certificate::SubjectCommonName() const {
  return CommonNameOf(X509_get_subject_name(cert_.get()));
}

std::string Certificate::IssuerCommonName() const {
  return CommonNameOf(X509_get_issuer_name(cert_.get()));
}

std::string Certificate::SerialHex() const { return SerialHexOf(cert_.get()); }

std::string Certificate::Pem() const { return PemOf(cert_.get()).value_or(""); }

bool Certificate::IsSelfIssued() const {
  return X509_NAME_cmp(X509_get_subject_name(cert_.get()), X509_get_issuer_name(cert_.get())) == 0;
}

Result<PublicKey> Certificate::Key() const {
  EVP_PKEY* pkey = X509_get0_pubkey(cert_.get());
  if (pkey == nullptr) {
    return OpenSslError("certificate: public key", Status::Code::kInvalidArgument);
  }
  return PublicKey::FromPkey(pkey);
}

Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                   const std::vector<Certificate>& roots) {
  if (roots.empty()) {
    return Status::InvalidArgument("certificate verification: no trusted root");
  }
  X509StorePtr store(X509_STORE_new());
  // sk_X509_free is a macro, so it cannot be a Deleter template argument.
  struct StackFree {
    void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
  };
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  if (!store || !untrusted) {
    return OpenSslError("certificate verification: allocate");
  }
  for (const Certificate& root : roots) {
    if (X509_STORE_add_cert(store.get(), root.get()) != 1) {
      return OpenSslError("certificate verification: add root");
    }
  }
  for (const Certificate& c : intermediates) {
    if (sk_X509_push(untrusted.get(), c.get()) <= 0) {
      return OpenSslError("certificate verification: add intermediate");
    }
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    return OpenSslError("certificate verification: init");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Status::PermissionDenied("certificate '" + leaf.SubjectCommonName() +
                                    "' does not verify: " + X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

Status CertificateMatchesKey(const Certificate& cert, const PublicKey& key) {
  EVP_PKEY* cert_key = X509_get0_pubkey(cert.get());
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("certificate '" + cert.SubjectCommonName() +
                                   "' does not carry this key");
  }
  return Status::Ok();
}

Status CertificateMatchesKey(const Certificate& cert, const PrivateKey& key) {
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("certificate '" + cert.SubjectCommonName() +
                                   "' does not match the private key");
  }
  return Status::Ok();
}

Result<std::string> MakeCsrPem(const PrivateKey& key, std::string_view common_name) {
  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    return OpenSslError("CSR: set the public key");
  }
  if (!common_name.empty()) {
    const std::string cn(common_name);
    if (X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) != 1) {
      return OpenSslError("CSR: common name '" + cn + "'", Status::Code::kInvalidArgument);
    }
  }
  // Ed25519 hashes inside the signature algorithm and takes no digest.
  const EVP_MD* digest = key.type() == KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (X509_REQ_sign(req.get(), key.get(), digest) <= 0) {
    return OpenSslError("CSR: sign");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) {
    return OpenSslError("CSR: write PEM");
  }
  return BioContents(out.get());
}

}  // namespace gps::crypto
