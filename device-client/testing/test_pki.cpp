#include "device-client/testing/test_pki.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/openssl_handles.h"
#include "gps/crypto/seal.h"
#include "gps/protocol/job.h"

namespace gps::device_client::testing {

namespace {

std::atomic<long> g_serial{4096};

using ExtPtr = std::unique_ptr<X509_EXTENSION, crypto::Deleter<X509_EXTENSION_free>>;

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return crypto::OpenSslError("test pki: extension");
  }
  return Status::Ok();
}

// Makes a certificate for subject_key; self-signed when issuer_pem is empty.
Result<std::string> MakeCertificate(const std::string& common_name, EVP_PKEY* subject_key,
                                    const std::string& issuer_pem, EVP_PKEY* issuer_key,
                                    bool is_ca) {
  crypto::X509Ptr issuer;
  if (!issuer_pem.empty()) {
    crypto::BioPtr bio = crypto::MemoryBio(issuer_pem);
    issuer.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!issuer) {
      return crypto::OpenSslError("test pki: issuer");
    }
  }
  crypto::X509Ptr cert(X509_new());
  if (!cert) {
    return crypto::OpenSslError("test pki: X509_new");
  }
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), g_serial.fetch_add(1));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer.get()) : name);
  X509* signer = issuer ? issuer.get() : cert.get();
  GPS_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_basic_constraints,
                                   is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  GPS_RETURN_IF_ERROR(AddExtension(
      cert.get(), signer, NID_key_usage,
      is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment"));
  GPS_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return crypto::OpenSslError("test pki: sign");
  }
  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1) {
    return crypto::OpenSslError("test pki: write PEM");
  }
  return crypto::BioContents(out.get());
}

}  // namespace

Result<CertifiedKey> MakeRootCa(const std::string& common_name) {
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::GenerateEcdsaP256());
  GPS_ASSIGN_OR_RETURN(std::string pem,
                       MakeCertificate(common_name, key.get(), "", key.get(), /*is_ca=*/true));
  return CertifiedKey{std::move(pem), std::move(key)};
}

Result<CertifiedKey> MakeIntermediateCa(const std::string& common_name,
                                        const CertifiedKey& issuer) {
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::GenerateEcdsaP256());
  GPS_ASSIGN_OR_RETURN(std::string pem, MakeCertificate(common_name, key.get(), issuer.cert_pem,
                                                        issuer.key.get(), /*is_ca=*/true));
  return CertifiedKey{std::move(pem), std::move(key)};
}

Result<std::string> MakeLeaf(const std::string& common_name, const crypto::PrivateKey& subject_key,
                             const CertifiedKey& issuer) {
  return MakeCertificate(common_name, subject_key.get(), issuer.cert_pem, issuer.key.get(),
                         /*is_ca=*/false);
}

Result<BundleParts> MakeValidParts(const std::string& device_id, const std::string& bundle_id,
                                   const std::string& name) {
  GPS_ASSIGN_OR_RETURN(CertifiedKey root, MakeRootCa("GPS Test Root CA"));
  GPS_ASSIGN_OR_RETURN(CertifiedKey issuing, MakeIntermediateCa("GPS Test Issuing CA", root));
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey leaf_key, crypto::PrivateKey::GenerateEcdsaP256());
  GPS_ASSIGN_OR_RETURN(std::string leaf_pem, MakeLeaf(name, leaf_key, issuing));
  GPS_ASSIGN_OR_RETURN(std::string key_pem, leaf_key.ToPkcs8Pem());
  GPS_ASSIGN_OR_RETURN(std::string dps_key_raw, crypto::RandomBytes(64));

  BundleParts p;
  p.device_id = device_id;
  p.bundle_id = bundle_id;
  p.name = name;
  p.dps_registration_id = name;
  p.dps_symmetric_key = crypto::Base64Encode(dps_key_raw);
  p.certificate_pem = std::move(leaf_pem);
  p.private_key_pem = std::move(key_pem);
  p.ca_chain_pem = {issuing.cert_pem, root.cert_pem};
  return p;
}

Result<protocol::CredentialsMessage> SealParts(const BundleParts& parts,
                                               const std::string& transport_public_raw,
                                               const SealContext& context) {
  protocol::CredentialBundle b;
  b.device_id = parts.device_id;
  b.bundle_id = parts.bundle_id;
  b.name = parts.name;
  b.mender_device_id = parts.mender_device_id;
  b.dps_registration_id = parts.dps_registration_id;
  b.dps_id_scope = parts.dps_id_scope;
  b.dps_global_endpoint = parts.dps_global_endpoint;
  GPS_ASSIGN_OR_RETURN(
      b.dps_sealed_symmetric_key,
      crypto::Seal(transport_public_raw, parts.dps_symmetric_key,
                   protocol::SecretContext(parts.device_id, protocol::Step::kDps, "symmetricKey")));
  b.certificate_pem = parts.certificate_pem;
  b.ca_chain_pem = parts.ca_chain_pem;
  b.certificate_serial = "00:01";
  if (!parts.private_key_pem.empty()) {
    GPS_ASSIGN_OR_RETURN(b.sealed_private_key,
                         crypto::Seal(transport_public_raw, parts.private_key_pem,
                                      protocol::SecretContext(
                                          parts.device_id, protocol::Step::kVault, "privateKey")));
  }
  protocol::CredentialsMessage m;
  m.device_id = context.device_id.empty() ? parts.device_id : context.device_id;
  m.bundle_id = context.bundle_id.empty() ? parts.bundle_id : context.bundle_id;
  GPS_ASSIGN_OR_RETURN(m.sealed, crypto::Seal(transport_public_raw, protocol::EncodeBundle(b),
                                              protocol::BundleContext(m.device_id, m.bundle_id)));
  return m;
}

Result<std::string> TraditionalPem(const crypto::PrivateKey& key) {
  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PrivateKey_traditional(out.get(), key.get(), nullptr, nullptr, 0,
                                                   nullptr, nullptr) != 1) {
    return crypto::OpenSslError("test pki: traditional PEM");
  }
  return crypto::BioContents(out.get());
}

}  // namespace gps::device_client::testing
