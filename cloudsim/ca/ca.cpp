#include "cloudsim/ca/ca.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <utility>

#include "gps/crypto/digest.h"
#include "gps/crypto/x509.h"

namespace gps::cloudsim::ca {

namespace {

using crypto::BioPtr;
using crypto::OpenSslError;
using crypto::PemOf;
using crypto::PkeyPtr;
using crypto::SerialHexOf;
using crypto::X509Ptr;

struct NameFree {
  void operator()(X509_NAME* n) const { X509_NAME_free(n); }
};
using NamePtr = std::unique_ptr<X509_NAME, NameFree>;
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;

constexpr std::int64_t kYear = 365 * 24 * 3600;

Result<std::string> DerOf(const X509* cert) {
  return crypto::EncodeDer(cert, i2d_X509, "encode certificate");
}

Result<NamePtr> MakeName(std::string_view common_name, std::string_view organization) {
  NamePtr name(X509_NAME_new());
  if (!name) {
    return OpenSslError("allocate name");
  }
  // A plain UTF8String, without OpenSSL's 64-character table limit for CN (Go does not have
  // one either).
  if (!organization.empty() &&
      X509_NAME_add_entry_by_NID(name.get(), NID_organizationName, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(organization.data()),
                                 static_cast<int>(organization.size()), -1, 0) != 1) {
    return OpenSslError("set organization");
  }
  if (!common_name.empty() &&
      X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return OpenSslError("set common name");
  }
  return name;
}

Status AddGeneralName(GENERAL_NAMES* names, int type, std::string_view value) {
  GENERAL_NAME* gen = GENERAL_NAME_new();
  if (gen == nullptr) {
    return OpenSslError("allocate subject alternative name");
  }
  if (type == GEN_IPADD) {
    unsigned char buf[16];
    int len = 0;
    std::string text(value);
    if (inet_pton(AF_INET, text.c_str(), buf) == 1) {
      len = 4;
    } else if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
      len = 16;
    } else {
      GENERAL_NAME_free(gen);
      return Status::InvalidArgument("'" + text + "' is not an IP address");
    }
    ASN1_OCTET_STRING* ip = ASN1_OCTET_STRING_new();
    if (ip == nullptr || ASN1_OCTET_STRING_set(ip, buf, len) != 1) {
      ASN1_OCTET_STRING_free(ip);
      GENERAL_NAME_free(gen);
      return OpenSslError("set IP address");
    }
    GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
  } else {
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (s == nullptr || ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
      ASN1_IA5STRING_free(s);
      GENERAL_NAME_free(gen);
      return OpenSslError("set subject alternative name");
    }
    GENERAL_NAME_set0_value(gen, type, s);
  }
  if (sk_GENERAL_NAME_push(names, gen) <= 0) {
    GENERAL_NAME_free(gen);
    return OpenSslError("add subject alternative name");
  }
  return Status::Ok();
}

struct CertParams {
  std::string_view serial;  // big-endian bytes
  X509_NAME* subject = nullptr;
  X509_NAME* issuer = nullptr;
  EVP_PKEY* subject_key = nullptr;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  X509* issuer_cert = nullptr;  // null: self-signed
  std::vector<std::pair<int, const char*>> extensions;
  GENERAL_NAMES* alt_names = nullptr;  // may be null or empty
  EVP_PKEY* signing_key = nullptr;
};

Result<X509Ptr> BuildCertificate(const CertParams& p) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return OpenSslError("allocate certificate");
  }
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(p.serial.data()),
                         static_cast<int>(p.serial.size()), nullptr);
  ASN1_INTEGER* serial = bn == nullptr ? nullptr : BN_to_ASN1_INTEGER(bn, nullptr);
  BN_free(bn);
  if (serial == nullptr || X509_set_serialNumber(cert.get(), serial) != 1) {
    ASN1_INTEGER_free(serial);
    return OpenSslError("set serial number");
  }
  ASN1_INTEGER_free(serial);
  if (X509_set_subject_name(cert.get(), p.subject) != 1 ||
      X509_set_issuer_name(cert.get(), p.issuer) != 1) {
    return OpenSslError("set names");
  }
  ASN1_TIME* nb = ASN1_TIME_set(nullptr, static_cast<time_t>(p.not_before));
  ASN1_TIME* na = ASN1_TIME_set(nullptr, static_cast<time_t>(p.not_after));
  bool times_ok = nb != nullptr && na != nullptr && X509_set1_notBefore(cert.get(), nb) == 1 &&
                  X509_set1_notAfter(cert.get(), na) == 1;
  ASN1_TIME_free(nb);
  ASN1_TIME_free(na);
  if (!times_ok) {
    return OpenSslError("set validity");
  }
  if (X509_set_pubkey(cert.get(), p.subject_key) != 1) {
    return OpenSslError("set public key");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, p.issuer_cert != nullptr ? p.issuer_cert : cert.get(), cert.get(), nullptr,
                 nullptr, 0);
  for (const auto& [nid, value] : p.extensions) {
    X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
      return OpenSslError(std::string("build extension ") + OBJ_nid2sn(nid));
    }
    int added = X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
    if (added != 1) {
      return OpenSslError("add extension");
    }
  }
  if (p.alt_names != nullptr && sk_GENERAL_NAME_num(p.alt_names) > 0 &&
      X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, p.alt_names, 0, X509V3_ADD_DEFAULT) !=
          1) {
    return OpenSslError("add subject alternative names");
  }
  if (X509_sign(cert.get(), p.signing_key, EVP_sha256()) <= 0) {
    return OpenSslError("sign certificate");
  }
  return cert;
}

Result<std::string> RandomSerial() {
  GPS_ASSIGN_OR_RETURN(std::string bytes, crypto::RandomBytes(20));
  bytes[0] = static_cast<char>((static_cast<unsigned char>(bytes[0]) & 0x7f) | 0x40);
  return bytes;
}

}  // namespace

Result<PkeyPtr> GenerateKey(std::string_view type, int bits) {
  EVP_PKEY* key = nullptr;
  if (type == "rsa") {
    if (bits != 2048 && bits != 3072 && bits != 4096 && bits != 8192) {
      return Status::InvalidArgument("unsupported RSA key size " + std::to_string(bits));
    }
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  } else if (type == "ec") {
    const char* curve = bits == 224   ? "P-224"
                        : bits == 256 ? "P-256"
                        : bits == 384 ? "P-384"
                        : bits == 521 ? "P-521"
                                      : nullptr;
    if (curve == nullptr) {
      return Status::InvalidArgument("unsupported EC key size " + std::to_string(bits));
    }
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve);
  } else if (type == "ed25519") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else {
    return Status::InvalidArgument("unsupported key type " + std::string(type));
  }
  if (key == nullptr) {
    return OpenSslError("generate " + std::string(type) + " key");
  }
  return PkeyPtr(key);
}

Result<KeyInfo> DescribeKey(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    return KeyInfo{"rsa", EVP_PKEY_get_bits(key)};
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    return KeyInfo{"ec", EVP_PKEY_get_bits(key)};
  }
  if (EVP_PKEY_is_a(key, "ED25519")) {
    return KeyInfo{"ed25519", 0};
  }
  return Status::InvalidArgument("unsupported public key algorithm");
}

std::string TrimPem(std::string_view pem) {
  while (!pem.empty() && (pem.back() == '\n' || pem.back() == '\r' || pem.back() == ' ')) {
    pem.remove_suffix(1);
  }
  return std::string(pem);
}

Result<std::string> PrivateKeyPem(EVP_PKEY* key, bool pkcs8) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) {
    return OpenSslError("allocate");
  }
  bool traditional = !pkcs8 && !EVP_PKEY_is_a(key, "ED25519");
  int ok = traditional
               ? PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                                      nullptr)
               : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) {
    return OpenSslError("encode private key");
  }
  return TrimPem(crypto::BioContents(bio.get()));
}

Result<std::string> PrivateKeyDer(EVP_PKEY* key, bool pkcs8) {
  if (!pkcs8 && !EVP_PKEY_is_a(key, "ED25519")) {
    unsigned char* der = nullptr;
    int len = i2d_PrivateKey(key, &der);
    if (len <= 0) {
      return OpenSslError("encode private key");
    }
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_clear_free(der, static_cast<std::size_t>(len));
    return out;
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encode private key");
  }
  return crypto::BioContents(bio.get());
}

Result<Csr> ParseCsr(std::string_view pem) {
  BioPtr bio = crypto::MemoryBio(pem);
  crypto::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) {
    return OpenSslError("certificate request could not be parsed", Status::Code::kInvalidArgument);
  }
  Csr out;
  out.key.reset(X509_REQ_get_pubkey(req.get()));
  if (!out.key) {
    return OpenSslError("certificate request has no usable public key",
                        Status::Code::kInvalidArgument);
  }
  if (X509_REQ_verify(req.get(), out.key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("certificate request signature is invalid");
  }
  out.common_name = crypto::CommonNameOf(X509_REQ_get_subject_name(req.get()));
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req.get());
  if (exts != nullptr) {
    GeneralNamesPtr names(
        static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr)));
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
      if (g->type == GEN_DNS || g->type == GEN_EMAIL) {
        const ASN1_IA5STRING* s = g->type == GEN_DNS ? g->d.dNSName : g->d.rfc822Name;
        std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<std::size_t>(ASN1_STRING_length(s)));
        (g->type == GEN_DNS ? out.dns_names : out.emails).push_back(std::move(v));
      } else if (g->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* ip = g->d.iPAddress;
        char text[INET6_ADDRSTRLEN] = {0};
        int len = ASN1_STRING_length(ip);
        if ((len == 4 || len == 16) &&
            inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text,
                      sizeof(text)) != nullptr) {
          out.ip_addresses.push_back(text);
        }
      }
    }
  }
  ERR_clear_error();
  return out;
}

Result<std::string> CertificateDer(std::string_view pem) {
  BioPtr bio = crypto::MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return OpenSslError("certificate could not be parsed", Status::Code::kInvalidArgument);
  }
  return DerOf(cert.get());
}

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::Create(std::int64_t now_s) {
  std::unique_ptr<CertificateAuthority> ca(new CertificateAuthority());
  GPS_ASSIGN_OR_RETURN(PkeyPtr root_key, GenerateKey("ec", 256));
  GPS_ASSIGN_OR_RETURN(NamePtr root_name, MakeName("gps-cloudsim Root CA", "gps-cloudsim"));
  GPS_ASSIGN_OR_RETURN(std::string root_serial, RandomSerial());
  CertParams root;
  root.serial = root_serial;
  root.subject = root_name.get();
  root.issuer = root_name.get();
  root.subject_key = root_key.get();
  root.not_before = now_s - 60;
  root.not_after = now_s + 10 * kYear;
  root.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                     {NID_key_usage, "critical,keyCertSign,cRLSign"},
                     {NID_subject_key_identifier, "hash"}};
  root.signing_key = root_key.get();
  GPS_ASSIGN_OR_RETURN(X509Ptr root_cert, BuildCertificate(root));

  GPS_ASSIGN_OR_RETURN(ca->intermediate_key_, GenerateKey("ec", 256));
  GPS_ASSIGN_OR_RETURN(NamePtr inter_name,
                       MakeName("gps-cloudsim Intermediate CA", "gps-cloudsim"));
  GPS_ASSIGN_OR_RETURN(std::string inter_serial, RandomSerial());
  CertParams inter;
  inter.serial = inter_serial;
  inter.subject = inter_name.get();
  inter.issuer = root_name.get();
  inter.subject_key = ca->intermediate_key_.get();
  inter.not_before = now_s - 60;
  inter.not_after = now_s + 5 * kYear;
  inter.issuer_cert = root_cert.get();
  inter.extensions = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                      {NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"},
                      {NID_subject_key_identifier, "hash"},
                      {NID_authority_key_identifier, "keyid:always"}};
  inter.signing_key = root_key.get();
  GPS_ASSIGN_OR_RETURN(ca->intermediate_, BuildCertificate(inter));
  ca->intermediate_not_after_ = inter.not_after;
  GPS_ASSIGN_OR_RETURN(ca->root_pem_, PemOf(root_cert.get()));
  GPS_ASSIGN_OR_RETURN(ca->intermediate_pem_, PemOf(ca->intermediate_.get()));
  return ca;
}

Result<Issued> CertificateAuthority::Issue(const LeafSpec& spec) const {
  if (spec.subject_key == nullptr || spec.serial.empty()) {
    return Status::Internal("issue: subject key and serial are required");
  }
  GPS_ASSIGN_OR_RETURN(NamePtr subject, MakeName(spec.common_name, ""));
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) {
    return OpenSslError("allocate subject alternative names");
  }
  for (const std::string& dns : spec.dns_names) {
    GPS_RETURN_IF_ERROR(AddGeneralName(names.get(), GEN_DNS, dns));
  }
  for (const std::string& email : spec.emails) {
    GPS_RETURN_IF_ERROR(AddGeneralName(names.get(), GEN_EMAIL, email));
  }
  for (const std::string& ip : spec.ip_addresses) {
    GPS_RETURN_IF_ERROR(AddGeneralName(names.get(), GEN_IPADD, ip));
  }
  CertParams p;
  p.serial = spec.serial;
  p.subject = subject.get();
  p.issuer = X509_get_subject_name(intermediate_.get());
  p.subject_key = spec.subject_key;
  p.not_before = spec.not_before;
  p.not_after = spec.not_after;
  p.issuer_cert = intermediate_.get();
  p.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                  {NID_key_usage, "critical,digitalSignature,keyEncipherment,keyAgreement"},
                  {NID_subject_key_identifier, "hash"},
                  {NID_authority_key_identifier, "keyid:always"}};
  if (spec.server_auth && spec.client_auth) {
    p.extensions.push_back({NID_ext_key_usage, "serverAuth,clientAuth"});
  } else if (spec.server_auth) {
    p.extensions.push_back({NID_ext_key_usage, "serverAuth"});
  } else if (spec.client_auth) {
    p.extensions.push_back({NID_ext_key_usage, "clientAuth"});
  }
  p.alt_names = names.get();
  p.signing_key = intermediate_key_.get();
  X509Ptr cert;
  {
    std::lock_guard<std::mutex> lock(sign_mu_);
    GPS_ASSIGN_OR_RETURN(cert, BuildCertificate(p));
  }
  Issued out;
  GPS_ASSIGN_OR_RETURN(out.pem, PemOf(cert.get()));
  GPS_ASSIGN_OR_RETURN(out.der, DerOf(cert.get()));
  out.serial_hex = SerialHexOf(cert.get());
  return out;
}

}  // namespace gps::cloudsim::ca
