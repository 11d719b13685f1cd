#include "workers/vault/vault_client.h"

#include <gtest/gtest.h>

#include "gps/crypto/digest.h"
#include "gps/json/json.h"
#include "workers/testing/http_test_util.h"
#include "workers/vault/vault_test_support.h"

namespace gps::worker::vault {
namespace {

using testing::CertificatePem;
using testing::CsrPem;
using testing::NewKey;
using worker::testing::HasHeader;
using worker::testing::Header;

VaultSettings Settings() { return testing::TestSettings(); }

// A Vault issue answer around the given data members.
std::string Answer(const std::string& data_members, const std::string& warnings = "null") {
  return R"({"request_id":"r-1","lease_id":"","renewable":false,"lease_duration":0,"data":{)" +
         data_members + R"(},"wrap_info":null,"warnings":)" + warnings + R"(,"auth":null})";
}

TEST(VaultRequestTest, CommonNameTemplate) {
  VaultSettings s = Settings();
  EXPECT_EQ(CommonNameFor(s, "gw-1"), "gw-1");
  s.common_name = "{name}.devices.example.com";
  EXPECT_EQ(CommonNameFor(s, "gw-1"), "gw-1.devices.example.com");
  s.common_name = "{name}-{name}";
  EXPECT_EQ(CommonNameFor(s, "gw-1"), "gw-1-gw-1");
  s.common_name = "fixed.example.com";
  EXPECT_EQ(CommonNameFor(s, "gw-1"), "fixed.example.com");
}

TEST(VaultRequestTest, IssueAsksForPemAndPkcs8) {
  http::Request r = IssueRequest(Settings(), "gw-1.devices.example.com");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://vault:8200/v1/pki/issue/gps-device");
  // The client adds the token it holds when it sends (VaultAuth).
  EXPECT_FALSE(HasHeader(r, "X-Vault-Token"));
  EXPECT_EQ(Header(WithToken(r, "hvs.current"), "X-Vault-Token"), "hvs.current");
  EXPECT_EQ(Header(WithToken(WithToken(r, "hvs.old"), "hvs.new"), "X-Vault-Token"), "hvs.new");
  EXPECT_EQ(Header(r, "Content-Type"), "application/json");
  EXPECT_FALSE(HasHeader(r, "X-Vault-Namespace"));
  EXPECT_EQ(r.timeout_ms, 9000);
  EXPECT_FALSE(r.idempotent) << "a silent resend by libcurl would mint a second certificate";
  EXPECT_EQ(r.body, R"({"common_name":"gw-1.devices.example.com","ttl":"8760h","format":"pem",)"
                    R"("private_key_format":"pkcs8"})");
}

TEST(VaultRequestTest, SignSendsTheCsrAndNamespace) {
  VaultSettings s = Settings();
  s.vault_namespace = "team/iot/";
  s.pki_mount = "pki/devices";
  s.role = "edge";
  http::Request r = SignRequest(s, "gw-1", "-----BEGIN CERTIFICATE REQUEST-----\nMII\n");
  EXPECT_EQ(r.method, "POST");
  EXPECT_FALSE(r.idempotent);
  EXPECT_EQ(r.url, "https://vault:8200/v1/pki/devices/sign/edge");
  EXPECT_EQ(Header(r, "X-Vault-Namespace"), "team/iot/");
  EXPECT_EQ(r.body, R"({"csr":"-----BEGIN CERTIFICATE REQUEST-----\nMII\n","common_name":"gw-1",)"
                    R"("ttl":"8760h","format":"pem"})");
}

class VaultAnswerTest : public ::testing::Test {
 protected:
  crypto::PrivateKey ca_key_ = NewKey();
  crypto::PrivateKey leaf_key_ = NewKey();
  std::string ca_ = CertificatePem(ca_key_, ca_key_, "Test CA", 1);
  std::string root_ = CertificatePem(ca_key_, ca_key_, "Test Root", 2);
  std::string leaf_ = CertificatePem(leaf_key_, ca_key_, "gw-1", 0x39dd);
};

TEST_F(VaultAnswerTest, IssueAnswerWithIntegerExpiration) {
  Result<std::string> pkcs8 = leaf_key_.ToPkcs8Pem();
  ASSERT_TRUE(pkcs8.ok());
  Result<IssuedCertificate> c = ParseCertificateAnswer(
      Answer(R"("certificate":)" + json::Quote(leaf_) + R"(,"issuing_ca":)" + json::Quote(ca_) +
             R"(,"ca_chain":[)" + json::Quote(ca_) + "," + json::Quote(root_) +
             R"(],"private_key":)" + json::Quote(*pkcs8) +
             R"(,"private_key_type":"ec","serial_number":"39:dd","expiration":1654105687)"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->certificate_pem, leaf_);
  ASSERT_EQ(c->ca_chain_pem.size(), 2u);
  EXPECT_EQ(c->ca_chain_pem[0], ca_);
  EXPECT_EQ(c->ca_chain_pem[1], root_);
  EXPECT_EQ(c->serial, "39:dd");
  EXPECT_EQ(c->expiration, 1654105687);
  EXPECT_EQ(c->private_key_pem, *pkcs8);
  EXPECT_TRUE(c->warnings.empty());
}

TEST_F(VaultAnswerTest, StringExpirationAndEmptyChainFallBack) {
  const std::string common = R"("certificate":)" + json::Quote(leaf_) + R"(,"issuing_ca":)" +
                             json::Quote(ca_) +
                             R"(,"serial_number":"39:dd","expiration":"1654105687")";
  for (const std::string chain : {R"(,"ca_chain":[])", R"(,"ca_chain":null)", ""}) {
    Result<IssuedCertificate> c = ParseCertificateAnswer(Answer(common + chain));
    ASSERT_TRUE(c.ok()) << chain << ": " << c.status().ToString();
    EXPECT_EQ(c->expiration, 1654105687);
    ASSERT_EQ(c->ca_chain_pem.size(), 1u) << chain;
    EXPECT_EQ(c->ca_chain_pem[0], ca_);
    EXPECT_TRUE(c->private_key_pem.empty());
  }
}

TEST_F(VaultAnswerTest, WarningsAreCollected) {
  Result<IssuedCertificate> c = ParseCertificateAnswer(
      Answer(R"("certificate":)" + json::Quote(leaf_) + R"(,"issuing_ca":)" + json::Quote(ca_) +
                 R"(,"serial_number":"39:dd","expiration":1)",
             R"(["TTL of \"9000h\" is greater than max_ttl; capping"])"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_EQ(c->warnings[0], R"(TTL of "9000h" is greater than max_ttl; capping)");
}

TEST_F(VaultAnswerTest, MalformedAnswersAreRefused) {
  const std::string cert = R"("certificate":)" + json::Quote(leaf_);
  const std::string ca = R"(,"issuing_ca":)" + json::Quote(ca_);
  const std::string rest = R"(,"serial_number":"39:dd","expiration":1)";
  EXPECT_FALSE(ParseCertificateAnswer(R"({"errors":["permission denied"]})").ok());
  EXPECT_FALSE(ParseCertificateAnswer(Answer(ca.substr(1) + rest)).ok());  // no certificate
  EXPECT_FALSE(ParseCertificateAnswer(Answer(R"("certificate":"not pem")" + ca + rest)).ok());
  EXPECT_FALSE(ParseCertificateAnswer(Answer(cert + rest)).ok());  // no CA at all
  EXPECT_FALSE(
      ParseCertificateAnswer(Answer(cert + ca + R"(,"serial_number":"39:dd","expiration":"soon")"))
          .ok());
  EXPECT_FALSE(
      ParseCertificateAnswer(Answer(cert + ca + R"(,"serial_number":"39:dd","expiration":1.5)"))
          .ok());
  EXPECT_FALSE(ParseCertificateAnswer(Answer(cert + ca + R"(,"expiration":1)")).ok());
  std::string nine = R"(,"ca_chain":[)";
  for (int i = 0; i < 9; ++i) {
    nine += (i ? "," : "") + json::Quote(ca_);
  }
  EXPECT_FALSE(ParseCertificateAnswer(Answer(cert + ca + nine + "]" + rest)).ok());
}

TEST(VaultRequestTest, SerialsAreColonOrHyphenHex) {
  EXPECT_TRUE(IsSerial("39:dd:2e:90"));
  EXPECT_TRUE(IsSerial("39-DD-2e"));
  EXPECT_TRUE(IsSerial("01"));
  for (std::string bad : {std::string(), std::string(":01"), std::string("01:"),
                          std::string("01::02"), std::string("0g"), std::string("01/02"),
                          std::string("../x"), std::string("01 02"), std::string(129, 'a')}) {
    EXPECT_FALSE(IsSerial(bad)) << bad;
  }
  EXPECT_EQ(NormalizeSerial("39-DD:2e"), "39:dd:2e");
}

TEST(VaultRequestTest, ListReadAndRevokeRequests) {
  VaultSettings s = Settings();
  s.vault_namespace = "team/";
  http::Request list = ListCertificatesRequest(s);
  EXPECT_EQ(list.method, "GET");
  EXPECT_EQ(list.url, "https://vault:8200/v1/pki/certs?list=true");
  EXPECT_EQ(Header(list, "X-Vault-Namespace"), "team/");
  EXPECT_FALSE(HasHeader(list, "Content-Type"));
  EXPECT_TRUE(list.body.empty());

  http::Request read = ReadCertificateRequest(s, "39-DD-2E");
  EXPECT_EQ(read.method, "GET");
  EXPECT_EQ(read.url, "https://vault:8200/v1/pki/cert/39:dd:2e");
  EXPECT_EQ(read.timeout_ms, 9000);

  http::Request revoke = RevokeRequest(s, "39:DD:2e");
  EXPECT_EQ(revoke.method, "POST");
  EXPECT_EQ(revoke.url, "https://vault:8200/v1/pki/revoke");
  EXPECT_EQ(Header(revoke, "Content-Type"), "application/json");
  EXPECT_EQ(revoke.body, R"({"serial_number":"39:dd:2e"})");
}

TEST(VaultAnswerTest2, SerialListKeepsSerialsOnly) {
  Result<std::vector<std::string>> keys =
      ParseSerialList(Answer(R"("keys":["17:67:16:b0","26-0F-76",7,"not a serial","ca"])"));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::vector<std::string>{"17:67:16:b0", "26:0f:76", "ca"}));
  EXPECT_FALSE(ParseSerialList(R"({"errors":[]})").ok());
  EXPECT_FALSE(ParseSerialList(Answer(R"("keys":"17:67")")).ok());
}

TEST_F(VaultAnswerTest, StoredCertificateIsReadForNameExpiryKeyAndRevocation) {
  const std::string cert = R"("certificate":)" + json::Quote(leaf_);
  Result<StoredCertificate> live = ParseStoredCertificate(
      Answer(cert + R"(,"revocation_time":0,"revocation_time_rfc3339":"","issuer_id":"i-1")"));
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->common_name, "gw-1");
  EXPECT_FALSE(live->revoked);
  EXPECT_EQ(live->key_sha256, crypto::Sha256(leaf_key_.Public().value().spki_der()));
  // The test certificate is valid for an hour from its making.
  const std::int64_t now_s = SystemClock().Now().ms / 1000;
  EXPECT_GE(live->not_after, now_s + 3500);
  EXPECT_LE(live->not_after, now_s + 3700);

  for (const std::string revoked :
       {R"(,"revocation_time":1667400107)", R"(,"revocation_time":"1667400107")"}) {
    Result<StoredCertificate> c = ParseStoredCertificate(Answer(cert + revoked));
    ASSERT_TRUE(c.ok()) << revoked;
    EXPECT_TRUE(c->revoked) << revoked;
  }
  // Absent or null: not revoked (older versions write no field for a live certificate).
  EXPECT_FALSE(ParseStoredCertificate(Answer(cert)).value().revoked);
  EXPECT_FALSE(ParseStoredCertificate(Answer(cert + R"(,"revocation_time":null)")).value().revoked);

  EXPECT_FALSE(ParseStoredCertificate(Answer(R"("certificate":"not pem")")).ok());
  EXPECT_FALSE(ParseStoredCertificate(Answer(R"("revocation_time":0)")).ok());
  EXPECT_FALSE(ParseStoredCertificate(Answer(cert + R"(,"revocation_time":"soon")")).ok());
}

TEST(VaultAnswerTest2, Warnings) {
  EXPECT_TRUE(ParseWarnings("").value().empty());
  EXPECT_TRUE(ParseWarnings(Answer(R"("revocation_time":1,"state":"revoked")")).value().empty());
  Result<std::vector<std::string>> expired = ParseWarnings(
      R"({"data":null,"warnings":["certificate with serial 01 already expired; refusing to add to CRL"]})");
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_NE((*expired)[0].find("already expired"), std::string::npos);
  EXPECT_FALSE(ParseWarnings("not json").ok());
}

TEST(VaultCsrTest, PublicKeyOfAValidCsr) {
  crypto::PrivateKey key = NewKey();
  Result<crypto::PublicKey> pub = CsrPublicKey(CsrPem(key, key, "gw-1"));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->spki_der(), key.Public().value().spki_der());
}

TEST(VaultCsrTest, ForgedOrGarbledCsrIsRefused) {
  crypto::PrivateKey key = NewKey();
  crypto::PrivateKey other = NewKey();
  Result<crypto::PublicKey> forged = CsrPublicKey(CsrPem(key, other, "gw-1"));
  EXPECT_FALSE(forged.ok());
  EXPECT_NE(forged.status().message().find("signature"), std::string::npos);
  EXPECT_FALSE(CsrPublicKey("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n").ok());
  EXPECT_FALSE(CsrPublicKey("").ok());
}

}  // namespace
}  // namespace gps::worker::vault
