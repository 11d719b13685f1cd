#include "gps/crypto/sign.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <regex>
#include <string>
#include <vector>

#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/openssl_handles.h"
#include "gps/crypto/x509.h"
#include "gps/testing/test_util.h"

namespace gps::crypto {
namespace {

using testing::Must;

// Keys made with the openssl CLI when this test was written; the ids and fingerprints next to them
// come from `openssl pkey -pubin -outform DER | sha256sum` (and `| openssl dgst -sha256 -binary |
// base64`), the check codes from an independent Python implementation of CheckCodeFromSpki's rule.
constexpr char kEd25519PrivatePem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIDGnZqwl7XxNkT2rCWIOxdahuYpI+ZHAxs7xllGrTepy\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kEd25519PublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAwKEhlrTcteBipUAOiy50Yt5mOSPJtpqEBFCCp+8vngw=\n"
    "-----END PUBLIC KEY-----\n";
constexpr char kEd25519DeviceId[] =
    "954eccfded3305fa32be4cdec97acfc0424b393b1474799b8b10bb2c0226940a";
constexpr char kEd25519Fingerprint[] = "SHA256:lU7M/e0zBfoyvkzeyXrPwEJLOTsUdHmbixC7LAImlAo";
constexpr char kEd25519CheckCode[] = "JN7C-SZFD-6C2Z";

// SEC1 ("EC PRIVATE KEY"), the traditional form the Mender client writes.
constexpr char kEcPrivatePemSec1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIKS3xNDrystssMqwnwRzmv3dMirfKuXGASDXJNSVZTTKoAoGCCqGSM49\n"
    "AwEHoUQDQgAE/EEMxgcEERriAMlhwfa+fxZqlZLUnDluYoBTsw/1COdUzBmkxKH9\n"
    "SOx/fBneALyX0pqZaIp4HVs4ds5FWMjb0w==\n"
    "-----END EC PRIVATE KEY-----\n";
constexpr char kEcPublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/EEMxgcEERriAMlhwfa+fxZqlZLU\n"
    "nDluYoBTsw/1COdUzBmkxKH9SOx/fBneALyX0pqZaIp4HVs4ds5FWMjb0w==\n"
    "-----END PUBLIC KEY-----\n";
constexpr char kEcDeviceId[] = "9be3f0414ce48cebd74fa0cd49d382f96c8c7825f106cf78be1752c8252ee071";
constexpr char kEcFingerprint[] = "SHA256:m+PwQUzkjOvXT6DNSdOC+WyMeCXxBs94vhdSyCUu4HE";
constexpr char kEcCheckCode[] = "KFHZ-0GAC-WJ6E";

constexpr char kRsaPublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmqRrcuQt9Zl6eDqtmI9i\n"
    "hDS9KECmHBQdRAKSvz6FvMXTar2lmOrMPuBGu+ajP0yJsO3vGZ3QgQ81PN16LaXy\n"
    "1zvo7n8NOyiyw0X0Hr21Z8ZqzatCjUxA2rd9VXODTH0LjtPAVpjEMrTsZ9E5CRcm\n"
    "m4qT706hcA6sRxbWAXmPIiEg8a2CBnm70wSU9BvPmaKxbTsvWhQETJgXKh8SJR1h\n"
    "yxhq+EC3fTjuHPUeT53H7P6Epd2GOIRThu4dFKDTugFhfUNJc/qrpnbMXOzAKcXb\n"
    "KFM0jaOWrAUhO1jWyqNLZdPd0pYw73mjMbssoKvar4Gmuz4a9/eOkour/uJ9iGP8\n"
    "PwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
// The same key as PKCS#1 ("RSA PUBLIC KEY"), which Mender does not accept.
constexpr char kRsaPkcs1PublicPem[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAmqRrcuQt9Zl6eDqtmI9ihDS9KECmHBQdRAKSvz6FvMXTar2lmOrM\n"
    "PuBGu+ajP0yJsO3vGZ3QgQ81PN16LaXy1zvo7n8NOyiyw0X0Hr21Z8ZqzatCjUxA\n"
    "2rd9VXODTH0LjtPAVpjEMrTsZ9E5CRcmm4qT706hcA6sRxbWAXmPIiEg8a2CBnm7\n"
    "0wSU9BvPmaKxbTsvWhQETJgXKh8SJR1hyxhq+EC3fTjuHPUeT53H7P6Epd2GOIRT\n"
    "hu4dFKDTugFhfUNJc/qrpnbMXOzAKcXbKFM0jaOWrAUhO1jWyqNLZdPd0pYw73mj\n"
    "MbssoKvar4Gmuz4a9/eOkour/uJ9iGP8PwIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";
constexpr char kRsaDeviceId[] = "c5c49557ce3cc04b6dc6e7687ed633bd76fa4dac56c78a8c22022147ca104361";
constexpr char kRsaCheckCode[] = "RQ29-ANYE-7K04";

constexpr char kRsa1024PublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDREwFvsqk4kafHL6N7eHGcjp0Y\n"
    "DPxrjf99Xyn9UuBIwaG3hVQFP7tmsD0wCwO2GZWZLpLZ8pzvAEE/IF8htlDabipl\n"
    "lmlkZMsXi1FKDEb1z1owDf9GNt8jdqAgZDSUvmqq/PfU7QRhxL3v9pX1/YxNt4sl\n"
    "Km03Lig442r/XF1dXQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

constexpr char kP384PublicPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEqZ7FAPP9Cv6o63vyMZzBr3+1+RHpzFcw\n"
    "bqAeROVrT/phHDd9Bbqyb1XOKFbvb9MD2Bfo6Ovy/fDhqZojEkn5DyZthk/t9FDX\n"
    "jCH+74yn86ONi2MPosFrokcQVKusLS9s\n"
    "-----END PUBLIC KEY-----\n";

// Signatures of kInteropMessage made with `openssl pkeyutl -sign -rawin` (Ed25519) and
// `openssl dgst -sha256 -sign` (ECDSA) using the keys above.
constexpr char kInteropMessage[] = "gps/v1 interop";
constexpr char kEd25519InteropSig[] =
    "WGK/KwuJOjG9Q8nQGlTt2Ug2/Ow3TpthgBW3lZuCei9STO3CS4CVavSCz3F5BKh+Y+SCPFvHX1QqCOJx2BiuAw==";
constexpr char kEcInteropSig[] =
    "MEUCIQCvWWjDQ4P7OJayhs4EFjy2p8yVFlhLy79FYtEOA89sdQIgRavAX+UpvGvEkKt0S7iJkcXPMNDO6mtT3IWGT/"
    "QGDMs=";

std::string B64(std::string_view text) { return Must(Base64Decode(text)); }

PrivateKey Generate(KeyType type) {
  switch (type) {
    case KeyType::kRsa:
      return Must(PrivateKey::GenerateRsa(2048));
    case KeyType::kEcdsaP256:
      return Must(PrivateKey::GenerateEcdsaP256());
    case KeyType::kEd25519:
      return Must(PrivateKey::GenerateEd25519());
  }
  throw std::logic_error("unknown key type");
}

// ---------------------------------------------------------------------------------------------
// Sign / Verify

class SignTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(SignTest, ASignatureVerifiesWithThePublicKey) {
  PrivateKey key = Generate(GetParam());
  EXPECT_EQ(key.type(), GetParam());
  PublicKey pub = Must(key.Public());
  EXPECT_EQ(pub.type(), GetParam());
  std::string sig = Must(Sign(key, "gps/v1 announce\nabc"));
  EXPECT_FALSE(sig.empty());
  Status st = Verify(pub, "gps/v1 announce\nabc", sig);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_P(SignTest, AnAlteredMessageIsRefused) {
  PrivateKey key = Generate(GetParam());
  PublicKey pub = Must(key.Public());
  std::string sig = Must(Sign(key, "ts=1000"));
  EXPECT_TRUE(Verify(pub, "ts=1001", sig).IsPermissionDenied());
  EXPECT_TRUE(Verify(pub, "ts=1000 ", sig).IsPermissionDenied());
  EXPECT_TRUE(Verify(pub, "", sig).IsPermissionDenied());
}

TEST_P(SignTest, AnAlteredSignatureIsRefused) {
  PrivateKey key = Generate(GetParam());
  PublicKey pub = Must(key.Public());
  const std::string sig = Must(Sign(key, "message"));
  for (std::size_t i : {std::size_t{0}, sig.size() / 2, sig.size() - 1}) {
    std::string altered = sig;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_TRUE(Verify(pub, "message", altered).IsPermissionDenied()) << "byte " << i;
  }
  EXPECT_TRUE(Verify(pub, "message", sig.substr(0, sig.size() - 1)).IsPermissionDenied());
  EXPECT_TRUE(Verify(pub, "message", sig + "x").IsPermissionDenied());
  EXPECT_TRUE(Verify(pub, "message", "").IsPermissionDenied());
  EXPECT_TRUE(Verify(pub, "message", std::string(512, '\0')).IsPermissionDenied());
}

TEST_P(SignTest, AnotherKeysSignatureIsRefused) {
  PrivateKey key = Generate(GetParam());
  PrivateKey other = Generate(GetParam());
  std::string sig = Must(Sign(other, "message"));
  EXPECT_TRUE(Verify(Must(key.Public()), "message", sig).IsPermissionDenied());
}

TEST_P(SignTest, PrivateKeySurvivesPkcs8Pem) {
  PrivateKey key = Generate(GetParam());
  std::string pem = Must(key.ToPkcs8Pem());
  EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  PrivateKey back = Must(PrivateKey::FromPem(pem));
  EXPECT_EQ(back.type(), GetParam());
  EXPECT_EQ(Must(back.Public()).spki_der(), Must(key.Public()).spki_der());
  // And the reloaded key signs for the original public key.
  EXPECT_TRUE(Verify(Must(key.Public()), "m", Must(Sign(back, "m"))).ok());
}

TEST_P(SignTest, PublicKeySurvivesSpkiPemAndDer) {
  PublicKey pub = Must(Generate(GetParam()).Public());
  std::string pem = pub.SpkiPem();
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  PublicKey from_pem = Must(PublicKey::FromPem(pem));
  EXPECT_EQ(from_pem.spki_der(), pub.spki_der());
  EXPECT_EQ(from_pem.type(), GetParam());
  PublicKey from_der = Must(PublicKey::FromSpkiDer(pub.spki_der()));
  EXPECT_EQ(from_der.spki_der(), pub.spki_der());
}

INSTANTIATE_TEST_SUITE_P(EveryKeyType, SignTest,
                         ::testing::Values(KeyType::kRsa, KeyType::kEcdsaP256, KeyType::kEd25519),
                         [](const ::testing::TestParamInfo<KeyType>& info) {
                           switch (info.param) {
                             case KeyType::kRsa:
                               return std::string("Rsa2048");
                             case KeyType::kEcdsaP256:
                               return std::string("EcdsaP256");
                             case KeyType::kEd25519:
                               return std::string("Ed25519");
                           }
                           return std::string("Unknown");
                         });

TEST(Sign, Ed25519MatchesTheOpensslCliByteForByte) {
  PrivateKey key = Must(PrivateKey::FromPem(kEd25519PrivatePem));
  EXPECT_EQ(key.type(), KeyType::kEd25519);
  // Ed25519 is deterministic, so our signature must equal the CLI's exactly.
  EXPECT_EQ(Base64Encode(Must(Sign(key, kInteropMessage))), kEd25519InteropSig);
  EXPECT_TRUE(
      Verify(Must(PublicKey::FromPem(kEd25519PublicPem)), kInteropMessage, B64(kEd25519InteropSig))
          .ok());
}

TEST(Sign, EcdsaSignatureFromTheOpensslCliVerifies) {
  PublicKey pub = Must(PublicKey::FromPem(kEcPublicPem));
  EXPECT_EQ(pub.type(), KeyType::kEcdsaP256);
  EXPECT_TRUE(Verify(pub, kInteropMessage, B64(kEcInteropSig)).ok());
  EXPECT_TRUE(Verify(pub, "gps/v1 interop!", B64(kEcInteropSig)).IsPermissionDenied());
}

TEST(Sign, SignatureOfOneKeyTypeDoesNotPassForAnother) {
  std::string ed_sig = B64(kEd25519InteropSig);
  EXPECT_TRUE(
      Verify(Must(PublicKey::FromPem(kEcPublicPem)), kInteropMessage, ed_sig).IsPermissionDenied());
  EXPECT_TRUE(Verify(Must(PublicKey::FromPem(kRsaPublicPem)), kInteropMessage, ed_sig)
                  .IsPermissionDenied());
}

// ---------------------------------------------------------------------------------------------
// Keys

TEST(Keys, SecOneEcPrivateKeyPemIsAccepted) {
  PrivateKey key = Must(PrivateKey::FromPem(kEcPrivatePemSec1));
  EXPECT_EQ(key.type(), KeyType::kEcdsaP256);
  EXPECT_EQ(Must(key.Public()).spki_der(), Must(PublicKey::FromPem(kEcPublicPem)).spki_der());
}

TEST(Keys, PublicPemOfEachTypeIsClassified) {
  EXPECT_EQ(Must(PublicKey::FromPem(kRsaPublicPem)).type(), KeyType::kRsa);
  EXPECT_EQ(Must(PublicKey::FromPem(kEcPublicPem)).type(), KeyType::kEcdsaP256);
  EXPECT_EQ(Must(PublicKey::FromPem(kEd25519PublicPem)).type(), KeyType::kEd25519);
  EXPECT_EQ(KeyTypeName(KeyType::kRsa), "rsa");
  EXPECT_EQ(KeyTypeName(KeyType::kEcdsaP256), "ecdsa-p256");
  EXPECT_EQ(KeyTypeName(KeyType::kEd25519), "ed25519");
}

TEST(Keys, PublicPemRefusesPkcs1RsaPublicKey) {
  Result<PublicKey> key = PublicKey::FromPem(kRsaPkcs1PublicPem);
  EXPECT_FALSE(key.ok());
  EXPECT_TRUE(key.status().IsInvalidArgument()) << key.status().ToString();
}

TEST(Keys, PublicPemRefusesGarbage) {
  const std::string cases[] = {
      "",
      "hello",
      "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
      "-----BEGIN PUBLIC KEY-----\nnot base64 at all!\n-----END PUBLIC KEY-----\n",
      std::string(kEd25519PublicPem).substr(0, 40),
      kEd25519PrivatePem,
      kEcPrivatePemSec1,
  };
  for (const std::string& pem : cases) {
    Result<PublicKey> key = PublicKey::FromPem(pem);
    EXPECT_FALSE(key.ok()) << pem;
    EXPECT_TRUE(key.status().IsInvalidArgument()) << pem << ": " << key.status().ToString();
  }
}

TEST(Keys, RsaUnder2048BitsIsRefused) {
  Result<PublicKey> pub = PublicKey::FromPem(kRsa1024PublicPem);
  EXPECT_FALSE(pub.ok());
  EXPECT_TRUE(pub.status().IsInvalidArgument());
  EXPECT_NE(pub.status().message().find("1024"), std::string::npos) << pub.status().message();

  Result<PrivateKey> generated = PrivateKey::GenerateRsa(1024);
  EXPECT_FALSE(generated.ok());
  EXPECT_TRUE(generated.status().IsInvalidArgument());
}

TEST(Keys, CurvesOtherThanP256AreRefused) {
  Result<PublicKey> pub = PublicKey::FromPem(kP384PublicPem);
  EXPECT_FALSE(pub.ok());
  EXPECT_TRUE(pub.status().IsInvalidArgument());
  EXPECT_NE(pub.status().message().find("P-256"), std::string::npos) << pub.status().message();
}

TEST(Keys, PrivatePemRefusesGarbage) {
  for (const char* pem : {"", "junk", kEd25519PublicPem,
                          "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}) {
    Result<PrivateKey> key = PrivateKey::FromPem(pem);
    EXPECT_FALSE(key.ok()) << pem;
    EXPECT_TRUE(key.status().IsInvalidArgument()) << pem;
  }
}

TEST(Keys, SpkiDerRefusesTrailingBytesAndGarbage) {
  std::string der = Must(PublicKey::FromPem(kEd25519PublicPem)).spki_der();
  EXPECT_TRUE(PublicKey::FromSpkiDer(der + '\0').status().IsInvalidArgument());
  EXPECT_TRUE(PublicKey::FromSpkiDer(der.substr(0, der.size() - 1)).status().IsInvalidArgument());
  EXPECT_TRUE(PublicKey::FromSpkiDer("").status().IsInvalidArgument());
  EXPECT_TRUE(PublicKey::FromSpkiDer("\x30\x03\x02\x01\x01").status().IsInvalidArgument());
}

TEST(Keys, DeviceIdIsTheSha256OfTheDerSpki) {
  EXPECT_EQ(DeviceIdFromSpki(Must(PublicKey::FromPem(kEd25519PublicPem)).spki_der()),
            kEd25519DeviceId);
  EXPECT_EQ(DeviceIdFromSpki(Must(PublicKey::FromPem(kEcPublicPem)).spki_der()), kEcDeviceId);
  EXPECT_EQ(DeviceIdFromSpki(Must(PublicKey::FromPem(kRsaPublicPem)).spki_der()), kRsaDeviceId);
  // sha256sum of empty input, as a plain digest check.
  EXPECT_EQ(DeviceIdFromSpki(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Keys, FingerprintIsUnpaddedBase64OfTheSameHash) {
  EXPECT_EQ(FingerprintFromSpki(Must(PublicKey::FromPem(kEd25519PublicPem)).spki_der()),
            kEd25519Fingerprint);
  EXPECT_EQ(FingerprintFromSpki(Must(PublicKey::FromPem(kEcPublicPem)).spki_der()), kEcFingerprint);
}

TEST(Keys, CheckCodeIsThreeGroupsOfFourCrockfordCharacters) {
  const std::regex format("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$");
  EXPECT_EQ(CheckCodeFromSpki(Must(PublicKey::FromPem(kEd25519PublicPem)).spki_der()),
            kEd25519CheckCode);
  EXPECT_EQ(CheckCodeFromSpki(Must(PublicKey::FromPem(kEcPublicPem)).spki_der()), kEcCheckCode);
  EXPECT_EQ(CheckCodeFromSpki(Must(PublicKey::FromPem(kRsaPublicPem)).spki_der()), kRsaCheckCode);
  for (int i = 0; i < 50; ++i) {
    std::string code = CheckCodeFromSpki("spki " + std::to_string(i));
    EXPECT_TRUE(std::regex_match(code, format)) << code;
    EXPECT_EQ(code, CheckCodeFromSpki("spki " + std::to_string(i)));
  }
  EXPECT_NE(CheckCodeFromSpki("a"), CheckCodeFromSpki("b"));
}

// ---------------------------------------------------------------------------------------------
// X.509, with certificates made here through OpenSSL's own calls.

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  ASSERT_EQ(X509_add_ext(cert, ext, -1), 1);
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::string subject_cn;
  long serial = 1;
  bool is_ca = false;
  long not_before_s = -3600;     // relative to now
  long not_after_s = 24 * 3600;  // relative to now
};

// Issues a certificate for subject_key, signed by issuer_key; a null issuer makes it self-signed.
Certificate Issue(const CertSpec& spec, const PrivateKey& subject_key, const Certificate* issuer,
                  const PrivateKey& issuer_key) {
  X509Ptr x(X509_new());
  EXPECT_TRUE(x);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), spec.serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), spec.not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), spec.not_after_s);
  EXPECT_EQ(X509_set_pubkey(x.get(), subject_key.get()), 1);
  X509_NAME* subject = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.subject_cn.c_str()), -1,
                             -1, 0);
  X509* issuer_x509 = issuer != nullptr ? issuer->get() : x.get();
  EXPECT_EQ(X509_set_issuer_name(x.get(), X509_get_subject_name(issuer_x509)), 1);
  AddExtension(x.get(), issuer_x509, NID_basic_constraints,
               spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExtension(x.get(), issuer_x509, NID_key_usage,
               spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  EXPECT_GT(X509_sign(x.get(), issuer_key.get(), EVP_sha256()), 0);
  BioPtr bio(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_X509(bio.get(), x.get()), 1);
  return Must(Certificate::FromPem(BioContents(bio.get())));
}

struct Pki {
  PrivateKey root_key = Must(PrivateKey::GenerateEcdsaP256());
  Certificate root = Issue({"GPS Test Root", 1, true}, root_key, nullptr, root_key);
  PrivateKey issuing_key = Must(PrivateKey::GenerateEcdsaP256());
  Certificate issuing = Issue({"GPS Test Issuing CA", 2, true}, issuing_key, &root, root_key);
  PrivateKey leaf_key = Must(PrivateKey::GenerateEd25519());
  Certificate leaf = Issue({"gw-berlin-0042", 0x39dd01, false}, leaf_key, &issuing, issuing_key);
};

TEST(X509, ReadsNamesSerialAndKey) {
  Pki pki;
  EXPECT_EQ(pki.leaf.SubjectCommonName(), "gw-berlin-0042");
  EXPECT_EQ(pki.leaf.IssuerCommonName(), "GPS Test Issuing CA");
  EXPECT_EQ(pki.leaf.SerialHex(), "39:dd:01");
  EXPECT_FALSE(pki.leaf.IsSelfIssued());
  EXPECT_TRUE(pki.root.IsSelfIssued());
  EXPECT_EQ(Must(pki.leaf.Key()).spki_der(), Must(pki.leaf_key.Public()).spki_der());
}

TEST(X509, PemRoundTripsAndChainsParseInOrder) {
  Pki pki;
  Certificate again = Must(Certificate::FromPem(pki.leaf.Pem()));
  EXPECT_EQ(again.Pem(), pki.leaf.Pem());
  std::vector<Certificate> chain = Must(Certificate::ChainFromPem(
      "junk before\n" + pki.leaf.Pem() + pki.issuing.Pem() + "\n" + pki.root.Pem()));
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0].SubjectCommonName(), "gw-berlin-0042");
  EXPECT_EQ(chain[1].SubjectCommonName(), "GPS Test Issuing CA");
  EXPECT_EQ(chain[2].SubjectCommonName(), "GPS Test Root");
}

TEST(X509, RefusesMalformedPem) {
  Pki pki;
  EXPECT_TRUE(Certificate::FromPem("").status().IsInvalidArgument());
  EXPECT_TRUE(Certificate::FromPem(kEcPublicPem).status().IsInvalidArgument());
  EXPECT_TRUE(Certificate::ChainFromPem("no certificates here").status().IsInvalidArgument());
  std::string pem = pki.leaf.Pem();
  EXPECT_TRUE(
      Certificate::ChainFromPem(pem.substr(0, pem.size() - 10)).status().IsInvalidArgument());
  EXPECT_TRUE(
      Certificate::ChainFromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
          .status()
          .IsInvalidArgument());
}

TEST(X509, AChainToATrustedRootVerifies) {
  Pki pki;
  Status st = VerifyChain(pki.leaf, {}, {});
  EXPECT_TRUE(st.IsInvalidArgument());  // nothing trusted at all
  std::vector<Certificate> intermediates;
  intermediates.push_back(Must(Certificate::FromPem(pki.issuing.Pem())));
  std::vector<Certificate> roots;
  roots.push_back(Must(Certificate::FromPem(pki.root.Pem())));
  st = VerifyChain(pki.leaf, intermediates, roots);
  EXPECT_TRUE(st.ok()) << st.ToString();
  // The issuing CA itself chains directly to the root.
  st = VerifyChain(pki.issuing, {}, roots);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(X509, AChainMissingItsIntermediateDoesNotVerify) {
  Pki pki;
  std::vector<Certificate> roots;
  roots.push_back(Must(Certificate::FromPem(pki.root.Pem())));
  EXPECT_TRUE(VerifyChain(pki.leaf, {}, roots).IsPermissionDenied());
}

TEST(X509, ALeafFromAnotherRootDoesNotVerify) {
  Pki pki;
  Pki other;  // same names, different keys
  std::vector<Certificate> intermediates;
  intermediates.push_back(Must(Certificate::FromPem(other.issuing.Pem())));
  std::vector<Certificate> roots;
  roots.push_back(Must(Certificate::FromPem(pki.root.Pem())));
  Status st = VerifyChain(other.leaf, intermediates, roots);
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();

  // A root with another name as well.
  PrivateKey stranger_key = Must(PrivateKey::GenerateEcdsaP256());
  Certificate stranger = Issue({"Stranger Root", 9, true}, stranger_key, nullptr, stranger_key);
  std::vector<Certificate> stranger_roots;
  stranger_roots.push_back(Must(Certificate::FromPem(stranger.Pem())));
  intermediates.clear();
  intermediates.push_back(Must(Certificate::FromPem(pki.issuing.Pem())));
  EXPECT_TRUE(VerifyChain(pki.leaf, intermediates, stranger_roots).IsPermissionDenied());
}

TEST(X509, AnExpiredLeafDoesNotVerify) {
  Pki pki;
  PrivateKey key = Must(PrivateKey::GenerateEcdsaP256());
  // Valid for one hour, two days ago.
  Certificate expired = Issue({"old", 5, false, -2 * 24 * 3600, -2 * 24 * 3600 + 3600}, key,
                              &pki.issuing, pki.issuing_key);
  std::vector<Certificate> intermediates;
  intermediates.push_back(Must(Certificate::FromPem(pki.issuing.Pem())));
  std::vector<Certificate> roots;
  roots.push_back(Must(Certificate::FromPem(pki.root.Pem())));
  EXPECT_TRUE(VerifyChain(expired, intermediates, roots).IsPermissionDenied());
}

TEST(X509, CertificateMatchesItsOwnKeyOnly) {
  Pki pki;
  EXPECT_TRUE(CertificateMatchesKey(pki.leaf, pki.leaf_key).ok());
  EXPECT_TRUE(CertificateMatchesKey(pki.leaf, Must(pki.leaf_key.Public())).ok());
  EXPECT_TRUE(CertificateMatchesKey(pki.root, pki.root_key).ok());

  PrivateKey other = Must(PrivateKey::GenerateEd25519());
  EXPECT_TRUE(CertificateMatchesKey(pki.leaf, other).IsInvalidArgument());
  EXPECT_TRUE(CertificateMatchesKey(pki.leaf, Must(other.Public())).IsInvalidArgument());
  EXPECT_TRUE(CertificateMatchesKey(pki.leaf, pki.issuing_key).IsInvalidArgument());
  EXPECT_TRUE(CertificateMatchesKey(pki.root, Must(pki.issuing_key.Public())).IsInvalidArgument());
}

}  // namespace
}  // namespace gps::crypto
