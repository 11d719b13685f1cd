#include "device-client/bundle_files.h"

#include <gtest/gtest.h>

#include "device-client/testing/test_pki.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/seal.h"
#include "gps/crypto/x509.h"
#include "gps/json/json.h"

namespace gps::device_client {
namespace {

using testing::BundleParts;
using testing::MakeValidParts;
using testing::SealParts;

const std::string kDeviceId = std::string(32, '1') + std::string(32, 'f');
const Instant kNow{1763880000123};

class BundleFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<crypto::TransportKeyPair> t = crypto::TransportKeyPair::Generate();
    ASSERT_TRUE(t.ok());
    transport_.emplace(std::move(t).value());
    Result<BundleParts> parts = MakeValidParts(kDeviceId, "g1", "gw-berlin-0042");
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    parts_ = std::move(parts).value();
  }

  Result<InstallPlan> Plan(const BundleParts& parts, const testing::SealContext& context = {},
                           const crypto::PrivateKey* own_certificate_key = nullptr) {
    Result<protocol::CredentialsMessage> m = SealParts(parts, transport_->public_raw(), context);
    if (!m.ok()) {
      return m.status();
    }
    return PlanInstall(*m, kDeviceId, transport_->private_raw(), kNow, own_certificate_key);
  }

  void ExpectRejected(const BundleParts& parts, const std::string& needle) {
    ExpectRejectedWith(parts, {}, needle);
  }

  void ExpectRejectedWith(const BundleParts& parts, const testing::SealContext& context,
                          const std::string& needle) {
    Result<InstallPlan> plan = Plan(parts, context);
    ASSERT_FALSE(plan.ok()) << "expected a rejection mentioning '" << needle << "'";
    EXPECT_NE(plan.status().message().find(needle), std::string::npos) << plan.status().ToString();
  }

  const FileSpec* Find(const InstallPlan& plan, const std::string& name) {
    for (const FileSpec& f : plan.files) {
      if (f.name == name) {
        return &f;
      }
    }
    return nullptr;
  }

  std::optional<crypto::TransportKeyPair> transport_;
  BundleParts parts_;
};

TEST_F(BundleFilesTest, ValidBundleGivesEveryFileInOrderWithTheMarkerLast) {
  Result<InstallPlan> plan = Plan(parts_);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::vector<std::string> names;
  for (const FileSpec& f : plan->files) {
    names.push_back(f.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"device-name", "device.crt", "device.key",
                                             "ca-chain.crt", "dps.env", "provisioned"}));
  EXPECT_EQ(plan->bundle_id, "g1");
  EXPECT_EQ(plan->name, "gw-berlin-0042");
  EXPECT_EQ(plan->certificate_issuer, "GPS Test Issuing CA");
  EXPECT_FALSE(plan->certificate_serial.empty());
}

TEST_F(BundleFilesTest, FileModesKeepSecretsPrivate) {
  Result<InstallPlan> plan = Plan(parts_);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Find(*plan, "device-name")->mode, 0644u);
  EXPECT_EQ(Find(*plan, "device.crt")->mode, 0644u);
  EXPECT_EQ(Find(*plan, "device.key")->mode, 0600u);
  EXPECT_EQ(Find(*plan, "ca-chain.crt")->mode, 0644u);
  EXPECT_EQ(Find(*plan, "dps.env")->mode, 0600u);
  EXPECT_EQ(Find(*plan, "provisioned")->mode, 0644u);
}

TEST_F(BundleFilesTest, FileContents) {
  Result<InstallPlan> plan = Plan(parts_);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(Find(*plan, "device-name")->content, "gw-berlin-0042\n");

  Result<crypto::Certificate> cert =
      crypto::Certificate::FromPem(Find(*plan, "device.crt")->content);
  ASSERT_TRUE(cert.ok());
  EXPECT_EQ(cert->SubjectCommonName(), "gw-berlin-0042");

  const std::string& key_pem = Find(*plan, "device.key")->content;
  EXPECT_NE(key_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos) << "PKCS#8";
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(key_pem);
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *key).ok());

  Result<std::vector<crypto::Certificate>> chain =
      crypto::Certificate::ChainFromPem(Find(*plan, "ca-chain.crt")->content);
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0].SubjectCommonName(), "GPS Test Issuing CA") << "issuing CA first";
  EXPECT_EQ((*chain)[1].SubjectCommonName(), "GPS Test Root CA") << "root last";

  EXPECT_EQ(Find(*plan, "dps.env")->content,
            "DPS_REGISTRATION_ID=gw-berlin-0042\n"
            "DPS_SYMMETRIC_KEY=" +
                parts_.dps_symmetric_key +
                "\n"
                "DPS_ID_SCOPE=0ne00A1B2C3\n"
                "DPS_GLOBAL_ENDPOINT=global.azure-devices-provisioning.net\n"
                "MENDER_DEVICE_ID=6f1c3a52-94b1-4d8e-b0a7-2d1e5c9f8a10\n"
                "DEVICE_NAME=gw-berlin-0042\n");

  Result<json::Document> marker =
      json::ParseObject(Find(*plan, "provisioned")->content, 4096, "marker");
  ASSERT_TRUE(marker.ok()) << marker.status().ToString();
  EXPECT_EQ(marker->Root().GetString("bundleId").value_or(""), "g1");
  EXPECT_EQ(marker->Root().GetString("deviceId").value_or(""), kDeviceId);
  EXPECT_EQ(marker->Root().GetString("name").value_or(""), "gw-berlin-0042");
  EXPECT_EQ(marker->Root().GetString("provisionedAt").value_or(""), FormatRfc3339(kNow));
}

TEST_F(BundleFilesTest, TraditionalKeyFormatIsWrittenAsPkcs8) {
  // Vault hands out "EC PRIVATE KEY" (SEC1) unless asked for PKCS#8.
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(parts_.private_key_pem);
  ASSERT_TRUE(key.ok());
  Result<std::string> sec1 = testing::TraditionalPem(*key);
  ASSERT_TRUE(sec1.ok());
  ASSERT_EQ(sec1->rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  BundleParts p = parts_;
  p.private_key_pem = *sec1;
  Result<InstallPlan> plan = Plan(p);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const std::string& written = Find(*plan, "device.key")->content;
  EXPECT_EQ(written.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  Result<crypto::PrivateKey> reread = crypto::PrivateKey::FromPem(written);
  ASSERT_TRUE(reread.ok());
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(p.certificate_pem);
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *reread).ok());
}

TEST_F(BundleFilesTest, MessageForAnotherDeviceIsRefused) {
  Result<protocol::CredentialsMessage> m = SealParts(parts_, transport_->public_raw());
  ASSERT_TRUE(m.ok());
  Result<InstallPlan> plan = PlanInstall(*m, std::string(64, 'e'), transport_->private_raw(), kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().IsPermissionDenied());
}

TEST_F(BundleFilesTest, AlteredCiphertextIsRefused) {
  Result<protocol::CredentialsMessage> m = SealParts(parts_, transport_->public_raw());
  ASSERT_TRUE(m.ok());
  m->sealed[m->sealed.size() / 2] ^= 0x01;
  Result<InstallPlan> plan = PlanInstall(*m, kDeviceId, transport_->private_raw(), kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().IsPermissionDenied()) << plan.status().ToString();
}

TEST_F(BundleFilesTest, BundleSealedToAnotherTransportKeyIsRefused) {
  Result<crypto::TransportKeyPair> other = crypto::TransportKeyPair::Generate();
  ASSERT_TRUE(other.ok());
  Result<protocol::CredentialsMessage> m = SealParts(parts_, other->public_raw());
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(PlanInstall(*m, kDeviceId, transport_->private_raw(), kNow).ok());
}

TEST_F(BundleFilesTest, BundleSealedForAnotherDeliveryIsRefused) {
  // The bundle inside says g1, the delivery (message and sealing context) says g2.
  Result<InstallPlan> plan = Plan(parts_, {.device_id = "", .bundle_id = "g2"});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("is not the delivery's"), std::string::npos)
      << plan.status().ToString();
}

TEST_F(BundleFilesTest, BundleNamingAnotherDeviceIsRefused) {
  // Delivered to us and sealed to our key and context, but the bundle inside names another device.
  BundleParts p = parts_;
  p.device_id = std::string(64, 'c');
  ExpectRejectedWith(p, {.device_id = kDeviceId, .bundle_id = ""}, "names another device");
}

TEST_F(BundleFilesTest, MessageSealedUnderAnotherDevicesContextIsRefused) {
  Result<protocol::CredentialsMessage> m = SealParts(parts_, transport_->public_raw());
  ASSERT_TRUE(m.ok());
  Result<protocol::CredentialsMessage> other = SealParts(
      parts_, transport_->public_raw(), {.device_id = std::string(64, 'c'), .bundle_id = ""});
  ASSERT_TRUE(other.ok());
  m->sealed = other->sealed;  // our message, someone else's ciphertext
  Result<InstallPlan> plan = PlanInstall(*m, kDeviceId, transport_->private_raw(), kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().IsPermissionDenied());
}

TEST_F(BundleFilesTest, CertificateFromAForeignCaIsRefused) {
  Result<BundleParts> foreign = MakeValidParts(kDeviceId, "g1", "gw-berlin-0042");
  ASSERT_TRUE(foreign.ok());
  BundleParts p = parts_;
  p.certificate_pem = foreign->certificate_pem;
  p.private_key_pem = foreign->private_key_pem;
  ExpectRejected(p, "does not verify");
}

TEST_F(BundleFilesTest, CertificateNotMatchingTheKeyIsRefused) {
  Result<BundleParts> other = MakeValidParts(kDeviceId, "g1", "gw-berlin-0042");
  ASSERT_TRUE(other.ok());
  BundleParts p = parts_;
  p.private_key_pem = other->private_key_pem;
  ExpectRejected(p, "does not match the private key");
}

TEST_F(BundleFilesTest, CommonNameMustBeTheDeviceName) {
  BundleParts p = parts_;
  p.name = "gw-other";
  p.dps_registration_id = "gw-other";
  ExpectRejected(p, "is not the device name");
}

TEST_F(BundleFilesTest, InvalidNameIsRefused) {
  BundleParts p = parts_;
  p.name = "GW_Berlin";
  Result<InstallPlan> plan = Plan(p);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().IsInvalidArgument());
}

TEST_F(BundleFilesTest, ChainWithoutASelfSignedRootIsRefused) {
  BundleParts p = parts_;
  p.ca_chain_pem.pop_back();  // only the issuing CA
  ExpectRejected(p, "not a self-signed root");
}

TEST_F(BundleFilesTest, ChainInTheWrongOrderIsRefused) {
  BundleParts p = parts_;
  std::swap(p.ca_chain_pem[0], p.ca_chain_pem[1]);
  ExpectRejected(p, "not a self-signed root");
}

TEST_F(BundleFilesTest, ChainEntryWithTwoCertificatesIsRefused) {
  BundleParts p = parts_;
  p.ca_chain_pem = {p.ca_chain_pem[0] + p.ca_chain_pem[1]};
  ExpectRejected(p, "expected one");
}

TEST_F(BundleFilesTest, GarbageCertificateIsRefused) {
  BundleParts p = parts_;
  p.certificate_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  ExpectRejected(p, "certificate.pem");
}

TEST_F(BundleFilesTest, MissingPrivateKeyIsRefused) {
  BundleParts p = parts_;
  p.private_key_pem.clear();
  ExpectRejected(p, "sealedPrivateKey is missing");
}

// CSR mode: the device made the certificate's key itself; the bundle brings only the certificate.
TEST_F(BundleFilesTest, CsrModeTakesACertificateForTheOwnKeyAndWritesThatKey) {
  Result<crypto::PrivateKey> own = crypto::PrivateKey::FromPem(parts_.private_key_pem);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  BundleParts p = parts_;
  p.private_key_pem.clear();  // Vault signed a CSR: no key travels
  Result<InstallPlan> plan = Plan(p, {}, &*own);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const FileSpec* key = Find(*plan, "device.key");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->content, own->ToPkcs8Pem().value());
  EXPECT_EQ(key->mode, 0600u);
}

TEST_F(BundleFilesTest, CsrModeRefusesACertificateForAnotherKey) {
  Result<crypto::PrivateKey> other = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(other.ok());
  BundleParts p = parts_;
  p.private_key_pem.clear();
  Result<InstallPlan> plan = Plan(p, {}, &*other);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("does not match the private key"), std::string::npos)
      << plan.status().ToString();
}

TEST_F(BundleFilesTest, CsrModeRefusesABundleThatBringsAKey) {
  Result<crypto::PrivateKey> own = crypto::PrivateKey::FromPem(parts_.private_key_pem);
  ASSERT_TRUE(own.ok());
  Result<InstallPlan> plan = Plan(parts_, {}, &*own);  // sealedPrivateKey present
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("sealedPrivateKey is present"), std::string::npos)
      << plan.status().ToString();
}

TEST_F(BundleFilesTest, UnparsablePrivateKeyIsRefused) {
  BundleParts p = parts_;
  p.private_key_pem = "not a key";
  ExpectRejected(p, "certificate private key");
}

TEST_F(BundleFilesTest, DpsKeyMustBeBase64) {
  BundleParts p = parts_;
  p.dps_symmetric_key = "not base64!";
  ExpectRejected(p, "symmetricKey");
  p.dps_symmetric_key = "";
  ExpectRejected(p, "symmetricKey");
}

TEST_F(BundleFilesTest, DpsFieldsMustBePresentAndSafe) {
  BundleParts p = parts_;
  p.dps_id_scope = "";
  ExpectRejected(p, "dps.idScope is missing");
  p = parts_;
  p.dps_global_endpoint = "evil\nPATH=/tmp";
  ExpectRejected(p, "dps.globalEndpoint contains characters");
  p = parts_;
  p.dps_registration_id = "";
  ExpectRejected(p, "dps.registrationId is missing");
  p = parts_;
  p.mender_device_id = "";
  ExpectRejected(p, "mender.deviceId is missing");
  p = parts_;
  p.mender_device_id = "$(reboot)";
  ExpectRejected(p, "mender.deviceId contains characters");
}

TEST(EnvSafeTest, Values) {
  EXPECT_TRUE(IsEnvSafe("0ne00A1B2C3"));
  EXPECT_TRUE(IsEnvSafe("global.azure-devices-provisioning.net"));
  EXPECT_TRUE(IsEnvSafe("abc+/def=="));
  EXPECT_TRUE(IsEnvSafe("6f1c3a52-94b1-4d8e-b0a7-2d1e5c9f8a10"));
  EXPECT_FALSE(IsEnvSafe(""));
  EXPECT_FALSE(IsEnvSafe("a b"));
  EXPECT_FALSE(IsEnvSafe("a\nb"));
  EXPECT_FALSE(IsEnvSafe("a\"b"));
  EXPECT_FALSE(IsEnvSafe("a$b"));
  EXPECT_FALSE(IsEnvSafe("a'b"));
  EXPECT_FALSE(IsEnvSafe(std::string(257, 'a')));
}

}  // namespace
}  // namespace gps::device_client
