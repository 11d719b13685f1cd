#include "workers/vault/vault_step.h"

#include <gtest/gtest.h>

#include "gps/json/json.h"
#include "workers/testing/http_test_util.h"
#include "workers/vault/vault_test_support.h"

namespace gps::worker::vault {
namespace {

using testing::CertificatePem;
using testing::CsrPem;
using testing::NewKey;
using worker::testing::MakeResponse;

const Instant kNow{1'763'880'000'000};
constexpr std::string_view kWhat = "vault: issue certificate gw-1";

class VaultStepTest : public ::testing::Test {
 protected:
  std::string IssueAnswer(const crypto::PrivateKey& cert_key, const std::string& private_key_pem) {
    return R"({"data":{"certificate":)" +
           json::Quote(CertificatePem(cert_key, ca_key_, "gw-1", 0x39dd)) + R"(,"issuing_ca":)" +
           json::Quote(ca_) + R"(,"ca_chain":[],"private_key":)" + json::Quote(private_key_pem) +
           R"(,"serial_number":"39:dd","expiration":1654105687},"warnings":null})";
  }

  crypto::PrivateKey ca_key_ = NewKey();
  std::string ca_ = CertificatePem(ca_key_, ca_key_, "Test CA", 1);
};

TEST_F(VaultStepTest, OkAnswerIsParsed) {
  crypto::PrivateKey key = NewKey();
  CertificateAnswer a = InterpretCertificate(
      MakeResponse(200, IssueAnswer(key, key.ToPkcs8Pem().value())), kWhat, kNow);
  ASSERT_TRUE(a.outcome.ok()) << a.outcome.error;
  EXPECT_EQ(a.certificate.serial, "39:dd");
  ASSERT_EQ(a.certificate.ca_chain_pem.size(), 1u);
  EXPECT_EQ(a.certificate.ca_chain_pem[0], ca_);
}

TEST_F(VaultStepTest, PreconditionFailedIsRetryable) {
  CertificateAnswer a = InterpretCertificate(
      MakeResponse(412, R"({"errors":["required index state not present"]})"), kWhat, kNow);
  EXPECT_TRUE(a.outcome.retryable());
  EXPECT_EQ(a.outcome.error, std::string(kWhat) + ": HTTP 412: required index state not present");
}

TEST_F(VaultStepTest, VaultErrorsBecomeTheErrorText) {
  CertificateAnswer a = InterpretCertificate(
      MakeResponse(400, R"({"errors":["common name gw-1 not allowed by this role","second"]})"),
      kWhat, kNow);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error,
            std::string(kWhat) + ": HTTP 400: common name gw-1 not allowed by this role; second");

  EXPECT_TRUE(
      InterpretCertificate(MakeResponse(403, R"({"errors":["permission denied"]})"), kWhat, kNow)
          .outcome.permanent());
  EXPECT_TRUE(
      InterpretCertificate(MakeResponse(503, R"({"errors":["Vault is sealed"]})"), kWhat, kNow)
          .outcome.retryable());
  CertificateAnswer throttled = InterpretCertificate(
      MakeResponse(429, R"({"errors":["rate limit quota exceeded"]})", {{"Retry-After", "2"}}),
      kWhat, kNow);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, 2000);
}

TEST_F(VaultStepTest, UnreadableOkAnswerIsPermanent) {
  CertificateAnswer a =
      InterpretCertificate(MakeResponse(200, R"({"data":{"certificate":"x"}})"), kWhat, kNow);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error.rfind(std::string(kWhat) + ": unreadable answer: ", 0), 0u);
}

TEST_F(VaultStepTest, IssuedCertificateMustCertifyTheReturnedKey) {
  crypto::PrivateKey key = NewKey();
  crypto::PrivateKey other = NewKey();
  CertificateAnswer good = InterpretCertificate(
      MakeResponse(200, IssueAnswer(key, key.ToPkcs8Pem().value())), kWhat, kNow);
  ASSERT_TRUE(good.outcome.ok());
  EXPECT_TRUE(CheckCertificateKey(good.certificate, nullptr).ok());

  CertificateAnswer swapped = InterpretCertificate(
      MakeResponse(200, IssueAnswer(other, key.ToPkcs8Pem().value())), kWhat, kNow);
  ASSERT_TRUE(swapped.outcome.ok());
  Status mismatch = CheckCertificateKey(swapped.certificate, nullptr);
  EXPECT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.message().find("does not certify the returned private key"),
            std::string::npos);

  IssuedCertificate keyless = good.certificate;
  keyless.private_key_pem.clear();
  EXPECT_FALSE(CheckCertificateKey(keyless, nullptr).ok());
}

TEST_F(VaultStepTest, SignedCertificateMustCertifyTheCsrKey) {
  crypto::PrivateKey device = NewKey();
  crypto::PrivateKey other = NewKey();
  Result<crypto::PublicKey> csr_key = CsrPublicKey(CsrPem(device, device, "gw-1"));
  ASSERT_TRUE(csr_key.ok());

  IssuedCertificate signed_cert;
  signed_cert.certificate_pem = CertificatePem(device, ca_key_, "gw-1", 7);
  EXPECT_TRUE(CheckCertificateKey(signed_cert, &*csr_key).ok());

  signed_cert.certificate_pem = CertificatePem(other, ca_key_, "gw-1", 8);
  Status mismatch = CheckCertificateKey(signed_cert, &*csr_key);
  EXPECT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.message().find("CSR"), std::string::npos);
}

}  // namespace
}  // namespace gps::worker::vault
