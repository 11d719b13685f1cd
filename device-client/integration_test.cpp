// gps-device-client against a real Mosquitto, run as a subprocess. The test plays the engine with
// the shared library: it verifies the announce, builds a real bundle (its own CA and leaf), seals
// it to the announced transport key, publishes it and checks the files, their modes, the signed
// ack and the exit code. Every wait polls with a deadline; nothing depends on timing to pass.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "device-client/file_writer.h"
#include "device-client/testing/test_pki.h"
#include "device-client/transport_key_store.h"
#include "gps/config/config.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/x509.h"
#include "gps/json/json.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/topics.h"
#include "tests/support/services.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::FileMode;
using gps::testing::kBootstrapAccount;
using gps::testing::kEngineAccount;
using gps::testing::MosquittoServer;
using gps::testing::Subprocess;
using gps::testing::TempDir;

constexpr std::chrono::milliseconds kWait{60000};  // generous: only a broken client reaches it
const std::string kName = "gw-berlin-0042";

std::string ReadText(const std::string& path) { return config::ReadFile(path).value_or(""); }

// The value of r, or nullopt after a test failure that says why.
template <typename T>
std::optional<T> ValueOrFail(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) {
    return std::nullopt;
  }
  return std::move(r).value();
}

class DeviceClientIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A broker of its own: the engine side below takes every device message it sees.
    ASSERT_TRUE(EnsureDirectory(dir_.File("broker"), 0755).ok());
    broker_ = std::make_unique<MosquittoServer>(dir_.File("broker"));

    mqtt::ClientOptions o = broker_->Login(kEngineAccount).ClientOptions("engine-under-test");
    o.clean_start = true;
    o.session_expiry_s = 0;
    // Every device message; Receive() picks the kinds it wants.
    o.subscriptions = {{std::string(protocol::kTopicRoot) + "/devices/+/+", 1}};
    engine_ = std::make_unique<mqtt::Client>(o);
    Status st = engine_->Connect();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"empty.conf", "", 0644}).ok());
  }

  std::string Out(const std::string& name) const { return dir_.File("out/" + name); }
  std::string KeyPath() const { return dir_.File("mender/mender-agent.pem"); }
  std::string LogPath() const { return dir_.File("client-" + std::to_string(runs_) + ".log"); }

  std::map<std::string, std::string> BaseEnv() const {
    std::map<std::string, std::string> env = broker_->Login(kBootstrapAccount).Env();
    env.insert({
        {"PATH", "/usr/sbin:/usr/bin:/bin"},
        {"GPS_CONFIG_FILE", dir_.File("empty.conf")},  // hermetic: no /etc/gps file
        {"GPS_CLIENT_KEY_PATH", KeyPath()},
        {"GPS_CLIENT_MAC", "02:42:AC:11:00:02"},
        {"GPS_CLIENT_OUTPUT_DIR", dir_.File("out")},
        {"GPS_CLIENT_STATE_DIR", dir_.File("state")},
        {"GPS_CLIENT_RESTART_COMMAND", ""},
        {"GPS_CLIENT_ANNOUNCE_INTERVAL_S", "1"},
        {"GPS_LOG_LEVEL", "debug"},
    });
    return env;
  }

  // Starts the client with BaseEnv() overridden by env, and extra flags.
  std::unique_ptr<Subprocess> StartClient(const std::map<std::string, std::string>& env = {},
                                          const std::vector<std::string>& flags = {}) {
    std::map<std::string, std::string> all = BaseEnv();
    for (const auto& [k, v] : env) {
      all[k] = v;
    }
    std::vector<std::string> argv = {GPS_DEVICE_CLIENT_BINARY};
    argv.insert(argv.end(), flags.begin(), flags.end());
    ++runs_;
    return std::make_unique<Subprocess>("gps-device-client", argv, all, LogPath());
  }

  // Writes a fresh P-256 Mender key (the non-generating path).
  void WriteDeviceKey() {
    Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
    ASSERT_TRUE(key.ok());
    Result<std::string> pem = key->ToPkcs8Pem();
    ASSERT_TRUE(pem.ok());
    ASSERT_TRUE(EnsureDirectory(dir_.File("mender"), 0700).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.File("mender"), {"mender-agent.pem", *pem, 0600}).ok());
  }

  // Starts the client with a key written beforehand, overriding BaseEnv() with env.
  std::unique_ptr<Subprocess> StartWithKey(const std::map<std::string, std::string>& env = {}) {
    WriteDeviceKey();
    return StartClient(env);
  }

  // A client under test and the first announce the engine side got from it.
  struct Announced {
    std::unique_ptr<Subprocess> client;
    protocol::VerifiedAnnounce verified;
    const protocol::Announce& announce() const { return verified.announce; }
  };

  // StartWithKey(), then its announce; nullopt after a test failure.
  std::optional<Announced> StartAnnounced() {
    std::unique_ptr<Subprocess> client = StartWithKey();
    std::optional<protocol::VerifiedAnnounce> verified = ReceiveAnnounce();
    if (!verified) {
      return std::nullopt;
    }
    return Announced{std::move(client), *std::move(verified)};
  }

  // The next message the engine side receives of this kind, within the deadline; a test failure
  // naming `what` when none comes.
  std::optional<mqtt::Message> Receive(protocol::DeviceTopicKind kind, std::string_view what) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      std::optional<mqtt::Event> e = engine_->Next(200);
      if (!e || e->kind != mqtt::EventKind::kMessage) {
        continue;
      }
      std::optional<protocol::ParsedDeviceTopic> t = protocol::ParseDeviceTopic(e->message.topic);
      if (t && t->kind == kind) {
        return e->message;
      }
    }
    ADD_FAILURE() << "no " << what;
    return std::nullopt;
  }

  // Receives an announce and verifies it as the engine does.
  std::optional<protocol::VerifiedAnnounce> ReceiveAnnounce() {
    std::optional<mqtt::Message> m = Receive(protocol::DeviceTopicKind::kAnnounce, "announce");
    std::optional<protocol::Announce> a =
        m ? ValueOrFail(protocol::ParseAnnounce(m->payload)) : std::nullopt;
    if (!a) {
      return std::nullopt;
    }
    return ValueOrFail(
        protocol::VerifyAnnounce(*std::move(a), protocol::ParseDeviceTopic(m->topic)->device_id));
  }

  std::optional<protocol::Ack> ReceiveAck() {
    std::optional<mqtt::Message> m = Receive(protocol::DeviceTopicKind::kAck, "ack");
    std::optional<protocol::Ack> a = m ? ValueOrFail(protocol::ParseAck(m->payload)) : std::nullopt;
    if (a) {
      EXPECT_EQ(protocol::ParseDeviceTopic(m->topic)->device_id, a->device_id);
    }
    return a;
  }

  void Publish(const std::string& device_id, protocol::DeviceTopicKind kind, std::string payload) {
    mqtt::Message m;
    m.topic = protocol::DeviceTopic(device_id, kind);
    m.payload = std::move(payload);
    m.qos = 1;
    Status st = engine_->Publish(m);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void PublishCredentials(const protocol::CredentialsMessage& c) {
    Publish(c.device_id, protocol::DeviceTopicKind::kCredentials, protocol::EncodeCredentials(c));
  }

  // Delivers a bundle as the engine does (sealed to the announced transport key) and receives
  // the client's ack; nullopt after a test failure.
  std::optional<protocol::Ack> Deliver(const testing::BundleParts& parts,
                                       const std::string& transport_key) {
    std::optional<protocol::CredentialsMessage> sealed =
        ValueOrFail(testing::SealParts(parts, transport_key));
    if (!sealed) {
      return std::nullopt;
    }
    PublishCredentials(*sealed);
    return ReceiveAck();
  }

  void PublishStatus(const std::string& device_id, const std::string& state) {
    protocol::StatusMessage s;
    s.device_id = device_id;
    s.state = state;
    s.message = "set by the test";
    s.ts_ms = 1;
    Publish(device_id, protocol::DeviceTopicKind::kStatus, protocol::EncodeStatus(s));
  }

  // How many log lines of the latest run carry this msg (the log is one JSON object per line).
  int CountLogLines(const std::string& msg, const std::string& path = "") {
    std::string text = ReadText(path.empty() ? LogPath() : path);
    int n = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos = end == std::string::npos ? text.size() : end + 1;
      Result<json::Document> doc = json::ParseObject(line, 1 << 20, "log line");
      if (doc.ok() && doc->Root().GetString("msg").value_or("") == msg) {
        ++n;
      }
    }
    return n;
  }

  // Files of the output directory.
  std::vector<std::string> OutputEntries() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_.File("out"), ec)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  TempDir dir_{"gps-device-client-test"};
  std::unique_ptr<MosquittoServer> broker_;
  std::unique_ptr<mqtt::Client> engine_;
  int runs_ = 0;
};

TEST_F(DeviceClientIntegrationTest, ProvisionsTheGatewayEndToEnd) {
  std::string restarts = dir_.File("restarts.log");
  std::unique_ptr<Subprocess> client =
      StartClient({{"GPS_CLIENT_RESTART_COMMAND",
                    "echo one >> " + restarts + "\nexit 7\necho three >> " + restarts}},
                  {"--generate-key"});
  std::optional<protocol::VerifiedAnnounce> announce = ReceiveAnnounce();
  ASSERT_TRUE(announce);
  const std::string device_id = announce->announce.device_id;
  EXPECT_EQ(announce->announce.mac, "02:42:ac:11:00:02");
  EXPECT_EQ(announce->key_type, crypto::KeyType::kRsa) << "--generate-key makes RSA 3072";

  // The generated Mender key: 0600, and it is the announced identity.
  EXPECT_EQ(FileMode(KeyPath()), 0600);
  Result<crypto::PrivateKey> mender_key = crypto::PrivateKey::FromPem(ReadText(KeyPath()));
  ASSERT_TRUE(mender_key.ok());
  EXPECT_EQ(crypto::DeviceIdFromSpki(mender_key->Public()->spki_der()), device_id);
  // The kept transport key: 0600, and it is the announced one.
  std::string transport_path = dir_.File("state/transport.key");
  EXPECT_EQ(FileMode(transport_path), 0600);
  Result<crypto::TransportKeyPair> kept = ParseTransportKeyFile(ReadText(transport_path));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->public_raw(), announce->announce.transport_key);

  Result<testing::BundleParts> parts = testing::MakeValidParts(device_id, "g1", kName);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  std::optional<protocol::Ack> ack = Deliver(*parts, announce->announce.transport_key);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->device_id, device_id);
  EXPECT_EQ(ack->bundle_id, "g1");
  EXPECT_TRUE(protocol::VerifyAck(*ack, device_id, announce->announce.pubkey_pem).ok());
  // The ack is sent after every file is on disk.
  EXPECT_TRUE(std::filesystem::exists(Out("provisioned")));

  PublishStatus(device_id, "provisioned");
  std::optional<int> code = client->Wait(kWait);
  ASSERT_TRUE(code.has_value()) << "the client did not exit";
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(CountLogLines("finished"), 1);
  EXPECT_NE(ReadText(LogPath()).find("the engine confirmed the ack"), std::string::npos);

  // The files, their modes and contents.
  EXPECT_EQ(OutputEntries(), (std::vector<std::string>{"ca-chain.crt", "device-name", "device.crt",
                                                       "device.key", "dps.env", "provisioned"}));
  EXPECT_EQ(FileMode(dir_.File("out")), 0755);
  EXPECT_EQ(FileMode(dir_.File("state")), 0700);
  EXPECT_EQ(FileMode(Out("device-name")), 0644);
  EXPECT_EQ(FileMode(Out("device.crt")), 0644);
  EXPECT_EQ(FileMode(Out("device.key")), 0600);
  EXPECT_EQ(FileMode(Out("ca-chain.crt")), 0644);
  EXPECT_EQ(FileMode(Out("dps.env")), 0600);
  EXPECT_EQ(FileMode(Out("provisioned")), 0644);
  EXPECT_EQ(ReadText(Out("device-name")), kName + "\n");
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(ReadText(Out("device.crt")));
  ASSERT_TRUE(cert.ok());
  Result<crypto::Certificate> sent = crypto::Certificate::FromPem(parts->certificate_pem);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(cert->Pem(), sent->Pem());
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(ReadText(Out("device.key")));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *key).ok());
  Result<std::vector<crypto::Certificate>> chain =
      crypto::Certificate::ChainFromPem(ReadText(Out("ca-chain.crt")));
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2u);
  std::vector<crypto::Certificate> intermediates;
  intermediates.push_back(std::move((*chain)[0]));
  std::vector<crypto::Certificate> roots;
  roots.push_back(std::move((*chain)[1]));
  EXPECT_TRUE(crypto::VerifyChain(*cert, intermediates, roots).ok());
  EXPECT_EQ(ReadText(Out("dps.env")),
            "DPS_REGISTRATION_ID=" + kName + "\nDPS_SYMMETRIC_KEY=" + parts->dps_symmetric_key +
                "\nDPS_ID_SCOPE=" + parts->dps_id_scope +
                "\nDPS_GLOBAL_ENDPOINT=" + parts->dps_global_endpoint +
                "\nMENDER_DEVICE_ID=" + parts->mender_device_id + "\nDEVICE_NAME=" + kName + "\n");
  Result<json::Document> marker = json::ParseObject(ReadText(Out("provisioned")), 4096, "marker");
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(marker->Root().GetString("bundleId").value_or(""), "g1");
  EXPECT_EQ(marker->Root().GetString("deviceId").value_or(""), device_id);

  // The transport key is forgotten; the restart commands all ran, in order, despite the failure.
  EXPECT_FALSE(std::filesystem::exists(transport_path));
  EXPECT_EQ(ReadText(restarts), "one\nthree\n");
  EXPECT_EQ(CountLogLines("restart command failed"), 1);
  EXPECT_EQ(CountLogLines("restart command done"), 2);
  // The secrets never reach the log.
  std::string log = ReadText(LogPath());
  EXPECT_EQ(log.find(parts->dps_symmetric_key), std::string::npos);
  EXPECT_EQ(log.find("PRIVATE KEY"), std::string::npos);

  // A second start finds the marker and exits 0 without a broker.
  std::unique_ptr<Subprocess> again =
      StartClient({{"GPS_MQTT_URI", "mqtts://127.0.0.1:1"}}, {"--generate-key"});
  EXPECT_EQ(again->Wait(kWait), std::optional<int>(0));
  EXPECT_EQ(CountLogLines("already provisioned"), 1);
  EXPECT_EQ(CountLogLines("connected"), 0);
}

TEST_F(DeviceClientIntegrationTest, DismissedExitsWithFour) {
  std::optional<Announced> run = StartAnnounced();
  ASSERT_TRUE(run);
  EXPECT_EQ(run->verified.key_type, crypto::KeyType::kEcdsaP256);
  PublishStatus(run->announce().device_id, "dismissed");
  EXPECT_EQ(run->client->Wait(kWait), std::optional<int>(4));
  EXPECT_FALSE(std::filesystem::exists(Out("provisioned")));
}

// A device revoked while its client still waits (an operator revoked it between two boots): the
// client stops for good, as for a dismissal, and writes nothing.
TEST_F(DeviceClientIntegrationTest, RevokingAndRevokedExitWithFour) {
  for (const char* state : {"revoking", "revoked"}) {
    SCOPED_TRACE(state);
    std::optional<Announced> run = StartAnnounced();
    ASSERT_TRUE(run);
    PublishStatus(run->announce().device_id, state);
    EXPECT_EQ(run->client->Wait(kWait), std::optional<int>(4));
    EXPECT_FALSE(std::filesystem::exists(Out("provisioned")));
    EXPECT_NE(ReadText(LogPath()).find("\"state\":\"" + std::string(state) + "\""),
              std::string::npos)
        << "the log names why the client stopped";
  }
}

TEST_F(DeviceClientIntegrationTest, TamperedBundlesAreIgnoredAndTheGoodOneIsTaken) {
  std::optional<Announced> run = StartAnnounced();
  ASSERT_TRUE(run);
  const std::string id = run->announce().device_id;
  const std::string& tk = run->announce().transport_key;

  // 1. A flipped bit in the ciphertext.
  Result<testing::BundleParts> good = testing::MakeValidParts(id, "g1", kName);
  ASSERT_TRUE(good.ok());
  Result<protocol::CredentialsMessage> flipped = testing::SealParts(*good, tk);
  ASSERT_TRUE(flipped.ok());
  flipped->sealed[flipped->sealed.size() / 2] ^= 0x20;
  PublishCredentials(*flipped);
  // 2. A certificate from a CA that is not in the chain.
  Result<testing::BundleParts> foreign = testing::MakeValidParts(id, "g1", kName);
  ASSERT_TRUE(foreign.ok());
  testing::BundleParts wrong_ca = *good;
  wrong_ca.certificate_pem = foreign->certificate_pem;
  wrong_ca.private_key_pem = foreign->private_key_pem;
  Result<protocol::CredentialsMessage> m2 = testing::SealParts(wrong_ca, tk);
  ASSERT_TRUE(m2.ok());
  PublishCredentials(*m2);
  // 3. A private key that is not the certificate's.
  testing::BundleParts wrong_key = *good;
  wrong_key.private_key_pem = foreign->private_key_pem;
  Result<protocol::CredentialsMessage> m3 = testing::SealParts(wrong_key, tk);
  ASSERT_TRUE(m3.ok());
  PublishCredentials(*m3);
  // 4. Not even JSON.
  Publish(id, protocol::DeviceTopicKind::kCredentials, "{not json");
  // 5. The good one.
  std::optional<protocol::Ack> ack = Deliver(*good, tk);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->bundle_id, "g1");
  EXPECT_TRUE(protocol::VerifyAck(*ack, id, run->announce().pubkey_pem).ok());
  PublishStatus(id, "provisioned");
  EXPECT_EQ(run->client->Wait(kWait), std::optional<int>(0));

  EXPECT_EQ(CountLogLines("credential bundle rejected"), 3);
  EXPECT_EQ(CountLogLines("credentials message refused"), 1);
  EXPECT_EQ(CountLogLines("credentials installed"), 1);
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(ReadText(Out("device.crt")));
  Result<crypto::Certificate> expected = crypto::Certificate::FromPem(good->certificate_pem);
  ASSERT_TRUE(cert.ok() && expected.ok());
  EXPECT_EQ(cert->Pem(), expected->Pem()) << "the files are the good bundle's";
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(ReadText(Out("device.key")));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(crypto::CertificateMatchesKey(*cert, *key).ok());
}

TEST_F(DeviceClientIntegrationTest, TimesOutWithThree) {
  std::unique_ptr<Subprocess> client = StartWithKey({{"GPS_CLIENT_TIMEOUT_S", "1"}});
  EXPECT_EQ(client->Wait(kWait), std::optional<int>(3));
  EXPECT_FALSE(std::filesystem::exists(Out("provisioned")));
  EXPECT_TRUE(std::filesystem::exists(dir_.File("state/transport.key")))
      << "kept for the next attempt";
}

TEST_F(DeviceClientIntegrationTest, TimesOutWithThreeWhenTheBrokerIsUnreachable) {
  int closed = gps::testing::FreePort();
  std::unique_ptr<Subprocess> client =
      StartWithKey({{"GPS_CLIENT_TIMEOUT_S", "2"},
                    {"GPS_MQTT_URI", "mqtts://127.0.0.1:" + std::to_string(closed)}});
  EXPECT_EQ(client->Wait(kWait), std::optional<int>(3));
  EXPECT_GE(CountLogLines("broker not reachable"), 1);
}

TEST_F(DeviceClientIntegrationTest, ARestartWhileWaitingKeepsTheTransportKey) {
  std::optional<Announced> first = StartAnnounced();
  ASSERT_TRUE(first);
  const protocol::Announce& before = first->announce();
  EXPECT_EQ(first->client->Stop(), 1) << "interrupted before provisioning";

  std::unique_ptr<Subprocess> second = StartClient();
  // Skip announces the first run may still have had in flight.
  std::optional<protocol::VerifiedAnnounce> after;
  do {
    after = ReceiveAnnounce();
    ASSERT_TRUE(after);
  } while (after->announce.ts_ms <= before.ts_ms);
  EXPECT_EQ(after->announce.transport_key, before.transport_key);
  EXPECT_EQ(after->announce.device_id, before.device_id);

  // A bundle sealed to the key of the first run is opened by the second.
  const std::string id = before.device_id;
  Result<testing::BundleParts> parts = testing::MakeValidParts(id, "g7", kName);
  ASSERT_TRUE(parts.ok());
  std::optional<protocol::Ack> ack = Deliver(*parts, before.transport_key);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->bundle_id, "g7");
  PublishStatus(id, "provisioned");
  EXPECT_EQ(second->Wait(kWait), std::optional<int>(0));
}

TEST_F(DeviceClientIntegrationTest, ABrokerRestartWhileWaitingStillDeliversTheBundle) {
  std::optional<Announced> run = StartAnnounced();
  ASSERT_TRUE(run);
  const protocol::Announce& before = run->announce();
  broker_->Restart();
  // The client reconnects on its own backoff and announces again with the same keys.
  std::optional<protocol::VerifiedAnnounce> after;
  do {
    after = ReceiveAnnounce();
    ASSERT_TRUE(after);
  } while (after->announce.ts_ms <= before.ts_ms);
  EXPECT_EQ(after->announce.transport_key, before.transport_key);
  EXPECT_GE(CountLogLines("connection lost"), 1);
  EXPECT_GE(CountLogLines("reconnected"), 1);

  Result<testing::BundleParts> parts = testing::MakeValidParts(before.device_id, "g3", kName);
  ASSERT_TRUE(parts.ok());
  std::optional<protocol::Ack> ack = Deliver(*parts, before.transport_key);
  ASSERT_TRUE(ack);
  PublishStatus(before.device_id, "provisioned");
  EXPECT_EQ(run->client->Wait(kWait), std::optional<int>(0));
  EXPECT_TRUE(std::filesystem::exists(Out("provisioned")));
}

TEST_F(DeviceClientIntegrationTest, DryRunPrintsTheAnnounceAndCreatesNothing) {
  WriteDeviceKey();
  std::unique_ptr<Subprocess> client = StartClient(
      {{"GPS_CLIENT_RESTART_COMMAND", "systemctl restart mender-updated"}}, {"--dry-run"});
  EXPECT_EQ(client->Wait(kWait), std::optional<int>(0));
  std::string out = ReadText(LogPath());
  EXPECT_NE(out.find("\"dryRun\":true"), std::string::npos) << out;
  EXPECT_NE(out.find(Out("device.key")), std::string::npos) << out;
  EXPECT_NE(out.find("systemctl restart mender-updated"), std::string::npos) << out;
  EXPECT_NE(out.find("\"transportKey\":\"would be created\""), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("state"))) << "no transport key is created";
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out")));
}

TEST_F(DeviceClientIntegrationTest, MissingExplicitConfigFileIsAConfigurationError) {
  std::unique_ptr<Subprocess> client =
      StartWithKey({{"GPS_CONFIG_FILE", dir_.File("no-such.conf")}});
  EXPECT_EQ(client->Wait(kWait), std::optional<int>(2));
}

TEST_F(DeviceClientIntegrationTest, ExitsZeroWhenTheEngineNeverConfirmsTheAck) {
  std::optional<Announced> run = StartAnnounced();
  ASSERT_TRUE(run);
  Result<testing::BundleParts> parts =
      testing::MakeValidParts(run->announce().device_id, "g1", kName);
  ASSERT_TRUE(parts.ok());
  ASSERT_TRUE(Deliver(*parts, run->announce().transport_key));
  // No "provisioned" status: the client re-sends its ack and gives up waiting after ~10 s.
  EXPECT_EQ(run->client->Wait(kWait), std::optional<int>(0));
  EXPECT_GE(CountLogLines("ack sent"), 1);
  EXPECT_TRUE(std::filesystem::exists(Out("provisioned")));
}

TEST_F(DeviceClientIntegrationTest, MissingKeyIsAConfigurationError) {
  std::unique_ptr<Subprocess> client = StartClient();
  EXPECT_EQ(client->Wait(kWait), std::optional<int>(2));
  EXPECT_EQ(CountLogLines("cannot load the device key"), 1);
}

TEST_F(DeviceClientIntegrationTest, BadSettingIsAConfigurationError) {
  std::unique_ptr<Subprocess> client = StartWithKey({{"GPS_CLIENT_MAC", "nope"}});
  EXPECT_EQ(client->Wait(kWait), std::optional<int>(2));
  EXPECT_NE(ReadText(LogPath()).find("GPS_CLIENT_MAC"), std::string::npos);
}

// The footprint budget (docs/device-client-footprint.md) rests on the link: OpenSSL, Paho C and
// the C++ runtime are in the binary, so the gateway loads only glibc besides it.
TEST(DeviceClientBinaryTest, LoadsOnlyGlibcAtRunTime) {
  TempDir dir("gps-client-linkage");
  Subprocess readelf("readelf", {GPS_READELF, "--dynamic", GPS_DEVICE_CLIENT_BINARY},
                     {{"PATH", "/usr/bin:/bin"}}, dir.File("readelf.log"));
  ASSERT_EQ(readelf.Wait(kWait), std::optional<int>(0)) << readelf.Log();
  std::string dynamic = readelf.Log();
  std::vector<std::string> needed;
  for (std::size_t at = dynamic.find("Shared library: ["); at != std::string::npos;
       at = dynamic.find("Shared library: [", at + 1)) {
    std::size_t begin = at + std::string("Shared library: [").size();
    needed.push_back(dynamic.substr(begin, dynamic.find(']', begin) - begin));
  }
  ASSERT_FALSE(needed.empty()) << dynamic;
  for (const std::string& library : needed) {
    EXPECT_TRUE(library.rfind("libc.so", 0) == 0 || library.rfind("libm.so", 0) == 0 ||
                library.rfind("ld-linux", 0) == 0)
        << library << " is loaded at run time";
  }
  EXPECT_NE(dynamic.find("RELR"), std::string::npos) << "relocations are not packed";
}

}  // namespace
}  // namespace gps::device_client
