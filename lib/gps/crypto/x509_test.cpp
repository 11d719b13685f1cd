// The raw-OpenSSL readings x509.h and openssl_handles.h offer to adapters (cloudsim's CA), next to
// the Certificate methods they back. sign_test.cpp covers Certificate itself.
#include "gps/crypto/x509.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <string>

#include "gps/crypto/keys.h"
#include "gps/crypto/openssl_handles.h"

namespace gps::crypto {
namespace {

template <typename T>
T Must(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

// A self-signed certificate with the given common name (none when empty) and serial.
X509Ptr SelfSigned(const PrivateKey& key, const std::string& common_name, long serial) {
  X509Ptr x(X509_new());
  EXPECT_TRUE(x);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  EXPECT_EQ(X509_set_pubkey(x.get(), key.get()), 1);
  X509_NAME* name = X509_get_subject_name(x.get());
  if (!common_name.empty()) {
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
  }
  X509_set_issuer_name(x.get(), name);
  // Ed25519 signs without a separate digest.
  const EVP_MD* md = key.type() == KeyType::kEd25519 ? nullptr : EVP_sha256();
  EXPECT_GT(X509_sign(x.get(), key.get(), md), 0);
  return x;
}

TEST(X509Raw, SerialHexOfIsColonSeparatedLowerCaseHex) {
  PrivateKey key = Must(PrivateKey::GenerateEcdsaP256());
  EXPECT_EQ(SerialHexOf(SelfSigned(key, "gw-1", 0x0102ff).get()), "01:02:ff");
  EXPECT_EQ(SerialHexOf(SelfSigned(key, "gw-1", 7).get()), "07");
}

TEST(X509Raw, CommonNameOfReadsUtf8AndIsEmptyWithoutOne) {
  PrivateKey key = Must(PrivateKey::GenerateEcdsaP256());
  X509Ptr named = SelfSigned(key, "gw-m\xC3\xBCnchen", 1);
  EXPECT_EQ(CommonNameOf(X509_get_subject_name(named.get())), "gw-m\xC3\xBCnchen");
  X509Ptr unnamed = SelfSigned(key, "", 1);
  EXPECT_EQ(CommonNameOf(X509_get_subject_name(unnamed.get())), "");
}

TEST(X509Raw, PemOfIsWhatCertificateReadsBack) {
  PrivateKey key = Must(PrivateKey::GenerateEcdsaP256());
  X509Ptr x = SelfSigned(key, "gw-1", 0x39dd01);
  std::string pem = Must(PemOf(x.get()));
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_EQ(pem.back(), '\n');
  Certificate cert = Must(Certificate::FromPem(pem));
  EXPECT_EQ(cert.Pem(), pem);
  EXPECT_EQ(cert.SerialHex(), "39:dd:01");
  EXPECT_EQ(cert.SubjectCommonName(), "gw-1");
}

TEST(X509Raw, EncodeDerIsTheDerOpenSslParses) {
  PrivateKey key = Must(PrivateKey::GenerateEcdsaP256());
  X509Ptr x = SelfSigned(key, "gw-1", 42);
  std::string der = Must(EncodeDer(static_cast<const X509*>(x.get()), i2d_X509, "encode"));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr back(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ASSERT_TRUE(back);
  EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(der.data()) + der.size());
  EXPECT_EQ(X509_cmp(back.get(), x.get()), 0);
}

TEST(PublicKeyFromPkey, IsThePublicHalfOfTheKey) {
  for (Result<PrivateKey> (*generate)() :
       {&PrivateKey::GenerateEcdsaP256, &PrivateKey::GenerateEd25519}) {
    PrivateKey key = Must(generate());
    PublicKey from_pkey = Must(PublicKey::FromPkey(key.get()));
    EXPECT_EQ(from_pkey.spki_der(), Must(key.Public()).spki_der());
    EXPECT_EQ(from_pkey.type(), key.type());
    // A certificate's key, as OpenSSL hands it out, reads the same.
    X509Ptr x = SelfSigned(key, "gw-1", 1);
    EXPECT_EQ(Must(PublicKey::FromPkey(X509_get0_pubkey(x.get()))).spki_der(),
              from_pkey.spki_der());
  }
}

// The CSR's public key after checking its self-signature; fails the test when it does not verify.
PublicKey VerifiedCsrKey(const std::string& pem, std::string* common_name) {
  BioPtr bio = MemoryBio(pem);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_TRUE(req) << pem;
  EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
  EXPECT_EQ(X509_REQ_verify(req.get(), pkey), 1);
  *common_name = CommonNameOf(X509_REQ_get_subject_name(req.get()));
  return Must(PublicKey::FromPkey(pkey));
}

TEST(MakeCsrPem, AsksForTheKeyAndIsSignedByIt) {
  for (Result<PrivateKey> (*generate)() :
       {&PrivateKey::GenerateEcdsaP256, &PrivateKey::GenerateEd25519}) {
    PrivateKey key = Must(generate());
    std::string pem = Must(MakeCsrPem(key, "gw-1"));
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----\n", 0), 0u) << pem;
    std::string cn;
    EXPECT_EQ(VerifiedCsrKey(pem, &cn).spki_der(), Must(key.Public()).spki_der());
    EXPECT_EQ(cn, "gw-1");
  }
}

TEST(MakeCsrPem, EmptyCommonNameLeavesTheSubjectEmpty) {
  PrivateKey key = Must(PrivateKey::GenerateEcdsaP256());
  std::string pem = Must(MakeCsrPem(key, ""));
  BioPtr bio = MemoryBio(pem);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(req);
  EXPECT_EQ(X509_NAME_entry_count(X509_REQ_get_subject_name(req.get())), 0);
  std::string cn = "unset";
  VerifiedCsrKey(pem, &cn);
  EXPECT_EQ(cn, "");
}

}  // namespace
}  // namespace gps::crypto
