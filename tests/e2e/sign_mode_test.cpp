// End to end, CSR mode: gps-worker-vault signs (GPS_VAULT_MODE=sign) with a token from an AppRole
// login (GPS_VAULT_AUTH=approle, the secret_id from a file), and the gateway makes its own
// certificate key (GPS_CLIENT_CERT_MODE=csr). After approval the client exits 0 with a certificate
// for the key it made itself, chaining to the delivered CA, and no private key of the certificate
// ever crossed the broker: every message on it is watched, and the sealed bundle, opened with
// the gateway's transport key, carries no sealedPrivateKey.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/seal.h"
#include "gps/crypto/x509.h"
#include "gps/json/json.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "tests/support/e2e_helpers.h"
#include "tests/support/message_recorder.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using std::chrono::seconds;

// The AppRole credentials gps-cloudsim accepts by default (cloudsim/README.md).
constexpr char kDemoRoleId[] = "gps-demo-role-id";
constexpr char kDemoSecretId[] = "gps-demo-secret-id";

int FileMode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return -1;
  }
  return static_cast<int>(st.st_mode & 0777);
}

class SignModeTest : public ::testing::Test {
 protected:
  static StackOptions Options(const TempDir& dir) {
    const std::string secret_file = dir.File("vault-secret-id");
    std::ofstream(secret_file) << kDemoSecretId << "\n";
    StackOptions o;
    // A role whose key type is the gateway's (ECDSA P-256); Vault refuses CSRs of another type.
    o.cloudsim_env = {{"GPS_CLOUDSIM_VAULT_KEY_TYPE", "ec"}};
    o.worker_env["vault"] = {
        {"GPS_VAULT_MODE", "sign"},
        {"GPS_VAULT_AUTH", "approle"},
        {"GPS_VAULT_TOKEN", ""},  // the stack's static token: AppRole must do without it
        {"GPS_VAULT_ROLE_ID", kDemoRoleId},
        {"GPS_VAULT_SECRET_ID_FILE", secret_file},
    };
    return o;
  }

  TempDir dir_{"gps-e2e-sign"};
  Stack stack_{dir_, Options(dir_)};
};

TEST_F(SignModeTest, GatewayKeepsItsKeyAndGetsACertificateForIt) {
  const std::string mac = "02:42:ac:11:00:31";
  const std::string name = "gw-e2e-csr";
  // Every message published on the broker from now on, through the test-only observer account.
  mqtt::ClientOptions watch_options =
      stack_.services().Login(kObserverAccount).ClientOptions("e2e-watch-" + UniqueSuffix());
  watch_options.subscriptions = {{"#", 1}};
  MessageRecorder watch(watch_options);
  ASSERT_TRUE(watch.Start().ok()) << stack_.Logs();
  auto gateway = stack_.StartGateway("csr", mac, {{"GPS_CLIENT_CERT_MODE", "csr"}});

  std::optional<DeviceSummary> pending;
  WaitUntil(
      [&] {
        for (const DeviceSummary& d : stack_.ListDevices("?state=pending")) {
          if (d.mac == mac) {
            pending = d;
          }
        }
        return pending.has_value();
      },
      seconds(20), std::chrono::milliseconds(200));
  ASSERT_TRUE(pending) << "gateway never became pending\n" << stack_.Logs();

  // The keys the gateway keeps while it waits: the certificate key it made, and the transport key
  // the bundle is sealed to (both are deleted once the credentials are installed).
  const std::string state = stack_.GatewayDir("csr") + "/state/";
  EXPECT_EQ(FileMode(state + "certificate.key"), 0600);
  Result<crypto::PrivateKey> own_key =
      crypto::PrivateKey::FromPem(ReadFileOrEmpty(state + "certificate.key"));
  ASSERT_TRUE(own_key.ok()) << own_key.status().ToString();
  EXPECT_EQ(own_key->type(), crypto::KeyType::kEcdsaP256);
  std::string transport_b64 = ReadFileOrEmpty(state + "transport.key");  // base64 and a newline
  while (!transport_b64.empty() && std::isspace(static_cast<unsigned char>(transport_b64.back()))) {
    transport_b64.pop_back();
  }
  Result<std::string> transport_raw = crypto::Base64Decode(transport_b64);
  ASSERT_TRUE(transport_raw.ok()) << transport_raw.status().ToString();

  Result<http::Response> approve = stack_.PostJson(
      stack_.ui_url() + "/api/devices/" + pending->id + "/approve", R"({"name":")" + name + "\"}");
  ASSERT_TRUE(approve.ok()) << approve.status().ToString();
  ASSERT_EQ(approve->status, 202) << approve->body;
  std::optional<int> exit_code = gateway->Wait(seconds(30));
  ASSERT_TRUE(exit_code.has_value()) << "client still running 30 s after approval\n"
                                     << stack_.Logs();
  ASSERT_EQ(*exit_code, 0) << stack_.Logs();

  // The certificate certifies the gateway's own key, which is now the device key file.
  const std::string out = stack_.GatewayDir("csr") + "/out/";
  EXPECT_EQ(FileMode(out + "device.key"), 0600);
  EXPECT_EQ(ReadFileOrEmpty(out + "device.key"), own_key->ToPkcs8Pem().value());
  EXPECT_FALSE(std::ifstream(state + "certificate.key").good()) << "the kept copy is removed";
  Result<crypto::Certificate> cert =
      crypto::Certificate::FromPem(ReadFileOrEmpty(out + "device.crt"));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *own_key).ok());
  EXPECT_EQ(cert->SubjectCommonName(), name);

  // It chains to the delivered CA, which is cloudsim's.
  Status chains = VerifyAgainstDeliveredChain(ReadFileOrEmpty(out + "device.crt"),
                                              ReadFileOrEmpty(out + "ca-chain.crt"));
  EXPECT_TRUE(chains.ok()) << chains.ToString();
  Status cloudsims = EndsInCloudsimRoot(stack_, ReadFileOrEmpty(out + "ca-chain.crt"));
  EXPECT_TRUE(cloudsims.ok()) << cloudsims.ToString();

  // No private key crossed the broker: none in clear on any topic, and the one bundle carries no
  // sealed key (only the gateway's transport key opens it).
  std::vector<mqtt::Message> messages = watch.Messages();
  int bundles = 0;
  bool announced_csr = false;
  for (const mqtt::Message& m : messages) {
    EXPECT_EQ(m.payload.find("PRIVATE KEY"), std::string::npos) << m.topic;
    EXPECT_EQ(m.payload.find("sealedPrivateKey"), std::string::npos) << m.topic;
    announced_csr = announced_csr || (m.topic.ends_with("/announce") &&
                                      m.payload.find("CERTIFICATE REQUEST") != std::string::npos);
    if (!m.topic.ends_with("/credentials")) {
      continue;
    }
    Result<protocol::CredentialsMessage> c = protocol::ParseCredentials(m.payload);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    Result<std::string> plain = crypto::Open(*transport_raw, c->sealed,
                                             protocol::BundleContext(c->device_id, c->bundle_id));
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    Result<protocol::CredentialBundle> bundle = protocol::ParseBundle(*plain);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    EXPECT_TRUE(bundle->sealed_private_key.empty());
    Result<crypto::Certificate> delivered = crypto::Certificate::FromPem(bundle->certificate_pem);
    ASSERT_TRUE(delivered.ok()) << delivered.status().ToString();
    EXPECT_EQ(delivered->SerialHex(), cert->SerialHex());
    ++bundles;
  }
  EXPECT_TRUE(announced_csr);
  EXPECT_GE(bundles, 1);

  // One certificate in Vault, the one delivered.
  Result<json::Document> sim = stack_.CloudsimState();
  ASSERT_TRUE(sim.ok()) << sim.status().ToString();
  std::vector<json::Value> certificates = ArrayAt(sim->Root(), "vault", "certificates");
  ASSERT_EQ(certificates.size(), 1u);
  EXPECT_EQ(certificates[0].GetString("serial").value_or(""), cert->SerialHex());
}

}  // namespace
}  // namespace gps::testing
