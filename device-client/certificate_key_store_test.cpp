#include "device-client/certificate_key_store.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "device-client/file_writer.h"
#include "gps/config/config.h"
#include "gps/crypto/openssl_handles.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::FileMode;
using gps::testing::TempDir;

// The SPKI of the key a CSR asks for, after checking its signature; "" when it does not verify.
std::string CsrKeySpki(const std::string& pem, int* subject_entries) {
  crypto::BioPtr bio = crypto::MemoryBio(pem);
  crypto::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) {
    return "";
  }
  EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
  if (pkey == nullptr || X509_REQ_verify(req.get(), pkey) != 1) {
    return "";
  }
  *subject_entries = X509_NAME_entry_count(X509_REQ_get_subject_name(req.get()));
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPkey(pkey);
  return key.ok() ? key->spki_der() : "";
}

class CertificateKeyStoreTest : public ::testing::Test {
 protected:
  std::string StateDir() const { return dir_.File("var/lib/gps/state"); }
  std::string KeyPath() const { return StateDir() + "/certificate.key"; }
  TempDir dir_;
};

TEST_F(CertificateKeyStoreTest, FirstRunMakesAP256KeyAndANamelessCsrForIt) {
  Result<LoadedCertificateKey> k = LoadOrCreateCertificateKey(StateDir());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->origin, KeptKeyOrigin::kCreated);
  EXPECT_EQ(k->key.type(), crypto::KeyType::kEcdsaP256);
  EXPECT_EQ(FileMode(StateDir()), 0700);
  EXPECT_EQ(FileMode(KeyPath()), 0600);
  EXPECT_EQ(config::ReadFile(KeyPath()).value_or(""), k->key.ToPkcs8Pem().value());
  int entries = -1;
  EXPECT_EQ(CsrKeySpki(k->csr_pem, &entries), k->key.Public().value().spki_der());
  EXPECT_EQ(entries, 0) << "the worker, not the CSR, names the certificate";
}

TEST_F(CertificateKeyStoreTest, ARestartAsksForTheSameKey) {
  Result<LoadedCertificateKey> first = LoadOrCreateCertificateKey(StateDir());
  ASSERT_TRUE(first.ok());
  Result<LoadedCertificateKey> second = LoadOrCreateCertificateKey(StateDir());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->origin, KeptKeyOrigin::kLoaded);
  int entries = -1;
  EXPECT_EQ(CsrKeySpki(second->csr_pem, &entries), first->key.Public().value().spki_der());
}

TEST_F(CertificateKeyStoreTest, CorruptFileIsReplacedAndSaysWhy) {
  ASSERT_TRUE(EnsureDirectory(StateDir(), 0700).ok());
  ASSERT_TRUE(WriteFileAtomic(StateDir(), {"certificate.key", "not a key\n", 0600}).ok());
  Result<LoadedCertificateKey> k = LoadOrCreateCertificateKey(StateDir());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->origin, KeptKeyOrigin::kReplacedCorrupt);
  EXPECT_NE(k->problem.find("certificate key file"), std::string::npos) << k->problem;
  Result<LoadedCertificateKey> again = LoadOrCreateCertificateKey(StateDir());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->origin, KeptKeyOrigin::kLoaded);
}

TEST_F(CertificateKeyStoreTest, TooOpenModeIsTightened) {
  ASSERT_TRUE(LoadOrCreateCertificateKey(StateDir()).ok());
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0640), 0);
  Result<LoadedCertificateKey> k = LoadOrCreateCertificateKey(StateDir());
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->fixed_mode);
  EXPECT_EQ(FileMode(KeyPath()), 0600);
}

TEST_F(CertificateKeyStoreTest, RemoveDeletesTheKey) {
  ASSERT_TRUE(LoadOrCreateCertificateKey(StateDir()).ok());
  EXPECT_TRUE(RemoveCertificateKey(StateDir()).ok());
  EXPECT_FALSE(std::filesystem::exists(KeyPath()));
  EXPECT_TRUE(RemoveCertificateKey(StateDir()).ok()) << "already gone is fine";
}

}  // namespace
}  // namespace gps::device_client
