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

// ---- finding and revoking a device's certificates ----

constexpr std::int64_t kNowS = 1'763'880'000;

StoredCertificate Stored(std::string cn, std::int64_t not_after = kNowS + 3600,
                         bool revoked = false, std::string key = "k1") {
  return StoredCertificate{std::move(cn), not_after, std::move(key), revoked};
}

TEST(VaultModeTest, SignNeedsACsrAndIssueRefusesOne) {
  EXPECT_TRUE(CheckModeFitsJob(VaultMode::kIssue, false).ok());
  EXPECT_TRUE(CheckModeFitsJob(VaultMode::kSign, true).ok());

  Status no_csr = CheckModeFitsJob(VaultMode::kSign, false);
  EXPECT_TRUE(no_csr.IsFailedPrecondition()) << no_csr.ToString();
  EXPECT_NE(no_csr.message().find("needs a CSR in the gateway's announce"), std::string::npos);
  EXPECT_NE(no_csr.message().find("GPS_CLIENT_CERT_MODE=csr"), std::string::npos);

  Status csr = CheckModeFitsJob(VaultMode::kIssue, true);
  EXPECT_TRUE(csr.IsFailedPrecondition()) << csr.ToString();
  EXPECT_NE(csr.message().find("GPS_VAULT_MODE=sign"), std::string::npos);
  EXPECT_NE(csr.message().find("its own key"), std::string::npos);
}

TEST(VaultSweepTest, CertificatesBelongToADeviceByCommonNameOrCsrKey) {
  DeviceCertificates issue{"gw-1.devices.example.com", ""};
  EXPECT_TRUE(BelongsTo(Stored("gw-1.devices.example.com"), issue));
  EXPECT_TRUE(BelongsTo(Stored("GW-1.Devices.Example.com"), issue));  // DNS names ignore case
  EXPECT_FALSE(BelongsTo(Stored("gw-10.devices.example.com"), issue));
  EXPECT_FALSE(BelongsTo(Stored("gw-1"), issue));
  EXPECT_FALSE(BelongsTo(Stored(""), issue));

  DeviceCertificates sign{"gw-1", "k-device"};
  EXPECT_TRUE(BelongsTo(Stored("gw-1"), sign));
  // Signed from the CSR's own CN (use_csr_common_name): still the device's key.
  EXPECT_TRUE(BelongsTo(Stored("whatever-the-csr-said", kNowS + 60, false, "k-device"), sign));
  EXPECT_FALSE(BelongsTo(Stored("gw-2", kNowS + 60, false, "k-other"), sign));
  // No key to compare in issue mode: an empty digest matches nothing.
  EXPECT_FALSE(BelongsTo(Stored("gw-2", kNowS + 60, false, ""), issue));
}

TEST(VaultSweepTest, OnlyLiveCertificatesOfTheDeviceAreRevoked) {
  DeviceCertificates device{"gw-1", ""};
  EXPECT_TRUE(ShouldRevoke(Stored("gw-1"), device, kNow));
  EXPECT_FALSE(ShouldRevoke(Stored("gw-1", kNowS + 3600, true), device, kNow));  // revoked
  EXPECT_FALSE(ShouldRevoke(Stored("gw-1", kNowS), device, kNow));               // expired
  EXPECT_FALSE(ShouldRevoke(Stored("gw-2"), device, kNow));                      // not ours
}

TEST(VaultSweepTest, RetriesAndLaterApprovalsLookForEarlierCertificates) {
  protocol::JobId id;
  id.generation = 1;
  id.attempt = 1;
  EXPECT_FALSE(MayFollowEarlierCertificates(id));
  id.attempt = 2;
  EXPECT_TRUE(MayFollowEarlierCertificates(id));
  id.attempt = 1;
  id.generation = 2;
  EXPECT_TRUE(MayFollowEarlierCertificates(id));
}

TEST(VaultSweepTest, SerialFromFacts) {
  EXPECT_EQ(SerialFromFacts("{}").value(), "");
  EXPECT_EQ(SerialFromFacts(R"({"serial":null})").value(), "");
  EXPECT_EQ(SerialFromFacts(R"({"serial":"39-DD-2E","menderDeviceId":"x"})").value(), "39:dd:2e");
  EXPECT_FALSE(SerialFromFacts(R"({"serial":"../sys"})").ok());
  EXPECT_FALSE(SerialFromFacts(R"({"serial":7})").ok());
  EXPECT_FALSE(SerialFromFacts("[]").ok());
}

TEST(VaultSweepTest, ListAnswers) {
  constexpr std::string_view kList = "vault: list certificates";
  ListAnswer ok =
      InterpretList(MakeResponse(200, R"({"data":{"keys":["01:02","03-04"]}})"), kList, kNow);
  ASSERT_TRUE(ok.outcome.ok()) << ok.outcome.error;
  EXPECT_EQ(ok.serials, (std::vector<std::string>{"01:02", "03:04"}));

  ListAnswer empty = InterpretList(MakeResponse(404, R"({"errors":[]})"), kList, kNow);
  EXPECT_TRUE(empty.outcome.ok());
  EXPECT_TRUE(empty.serials.empty());

  ListAnswer no_mount = InterpretList(
      MakeResponse(404,
                   R"({"errors":["no handler for route \"pki2/certs\". route entry not found."]})"),
      kList, kNow);
  EXPECT_TRUE(no_mount.outcome.permanent());
  EXPECT_NE(no_mount.outcome.error.find("no handler for route"), std::string::npos);

  EXPECT_TRUE(InterpretList(MakeResponse(403, R"({"errors":["permission denied"]})"), kList, kNow)
                  .outcome.permanent());
  EXPECT_TRUE(
      InterpretList(MakeResponse(412, R"({"errors":[]})"), kList, kNow).outcome.retryable());
  EXPECT_TRUE(InterpretList(MakeResponse(503, R"({"errors":["sealed"]})"), kList, kNow)
                  .outcome.retryable());
  EXPECT_TRUE(
      InterpretList(Status::Unavailable("connection refused"), kList, kNow).outcome.retryable());
  EXPECT_TRUE(InterpretList(MakeResponse(200, "{}"), kList, kNow).outcome.permanent());
}

TEST_F(VaultStepTest, ReadAnswers) {
  constexpr std::string_view kRead = "vault: read certificate 01:02";
  crypto::PrivateKey key = NewKey();
  const std::string body = R"({"data":{"certificate":)" +
                           json::Quote(CertificatePem(key, ca_key_, "gw-1", 0x0102)) +
                           R"(,"revocation_time":0,"revocation_time_rfc3339":""}})";
  ReadAnswer ok = InterpretRead(MakeResponse(200, body), kRead, kNow);
  ASSERT_TRUE(ok.outcome.ok()) << ok.outcome.error;
  ASSERT_TRUE(ok.certificate.has_value());
  EXPECT_EQ(ok.certificate->common_name, "gw-1");

  ReadAnswer gone = InterpretRead(MakeResponse(404, R"({"errors":[]})"), kRead, kNow);
  EXPECT_TRUE(gone.outcome.ok());
  EXPECT_FALSE(gone.certificate.has_value());
  EXPECT_TRUE(gone.unreadable.empty());

  ReadAnswer odd = InterpretRead(MakeResponse(200, R"({"data":{"certificate":"x"}})"), kRead, kNow);
  EXPECT_TRUE(odd.outcome.ok());
  EXPECT_FALSE(odd.certificate.has_value());
  EXPECT_FALSE(odd.unreadable.empty());

  EXPECT_TRUE(InterpretRead(MakeResponse(500, "{}"), kRead, kNow).outcome.retryable());
  EXPECT_TRUE(InterpretRead(MakeResponse(412, "{}"), kRead, kNow).outcome.retryable());
  ReadAnswer throttled =
      InterpretRead(MakeResponse(429, "{}", {{"Retry-After", "1"}}), kRead, kNow);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, 1000);
  EXPECT_TRUE(InterpretRead(MakeResponse(403, "{}"), kRead, kNow).outcome.permanent());
}

TEST(VaultSweepTest, RevokeAnswers) {
  constexpr std::string_view kRevoke = "vault: revoke 01:02";
  RevokeAnswer now = InterpretRevoke(
      MakeResponse(200, R"({"data":{"revocation_time":1433269787,"state":"revoked"}})"), kRevoke,
      kNow);
  EXPECT_TRUE(now.outcome.ok());
  EXPECT_FALSE(now.unknown);

  RevokeAnswer expired = InterpretRevoke(
      MakeResponse(200,
                   R"({"data":null,"warnings":["certificate with serial 01:02 already expired; )"
                   R"(refusing to add to CRL"]})"),
      kRevoke, kNow);
  EXPECT_TRUE(expired.outcome.ok());
  ASSERT_EQ(expired.warnings.size(), 1u);

  EXPECT_TRUE(InterpretRevoke(MakeResponse(204, ""), kRevoke, kNow).outcome.ok());

  RevokeAnswer unknown = InterpretRevoke(
      MakeResponse(400, R"({"errors":["certificate with serial 01:02 not found"]})"), kRevoke,
      kNow);
  EXPECT_TRUE(unknown.outcome.ok());
  EXPECT_TRUE(unknown.unknown);
  EXPECT_TRUE(
      InterpretRevoke(
          MakeResponse(400, R"({"errors":["certificate with serial 01:02 already revoked"]})"),
          kRevoke, kNow)
          .outcome.ok());

  RevokeAnswer bad = InterpretRevoke(
      MakeResponse(
          400, R"({"errors":["The serial number or certificate to revoke must be provided."]})"),
      kRevoke, kNow);
  EXPECT_TRUE(bad.outcome.permanent());
  EXPECT_TRUE(
      InterpretRevoke(MakeResponse(403, R"({"errors":["permission denied"]})"), kRevoke, kNow)
          .outcome.permanent());
  EXPECT_TRUE(InterpretRevoke(MakeResponse(502, "{}"), kRevoke, kNow).outcome.retryable());
  EXPECT_TRUE(InterpretRevoke(MakeResponse(412, "{}"), kRevoke, kNow).outcome.retryable());
}

TEST(VaultSweepTest, QuickRetryDelayDoublesAndHonoursRetryAfter) {
  EXPECT_EQ(QuickRetryDelay(1, 0), 100);
  EXPECT_EQ(QuickRetryDelay(2, 0), 200);
  EXPECT_EQ(QuickRetryDelay(3, 0), 400);
  EXPECT_EQ(QuickRetryDelay(1, 1500), 1500);
}

}  // namespace
}  // namespace gps::worker::vault
