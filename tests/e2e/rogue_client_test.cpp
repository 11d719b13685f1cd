// End to end, the broker's isolation: a rogue client holds the bootstrap credential every gateway
// image carries and connects with a client id of its own while a real gateway is approved and
// provisioned. It subscribes to everything it can name and receives nothing of anyone else; the
// broker refuses its publishes to jobs, results, commands, replies and another device's topics, so
// none reaches an observer that reads every topic; the engine refuses its announces made with
// another device's id or key, and counts them. The observer (a test-only account) does see the
// gateway's credentials, and cannot open them without the gateway's transport key.

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <string>
#include <vector>

#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/seal.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/topics.h"
#include "tests/support/e2e_helpers.h"
#include "tests/support/message_recorder.h"
#include "tests/support/process_log.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using protocol::DeviceTopic;
using protocol::DeviceTopicKind;
using std::chrono::seconds;

// A device identity made by the test: a Mender key and the id the protocol derives from it.
struct Identity {
  crypto::PrivateKey key;
  std::string id;
  std::string public_pem;
};

Identity NewIdentity() {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  crypto::PublicKey pub = key.Public().value();
  std::string id = crypto::DeviceIdFromSpki(pub.spki_der());
  return Identity{std::move(key), std::move(id), pub.SpkiPem()};
}

std::string TrimmedFile(const std::string& path) {
  std::string text = ReadFileOrEmpty(path);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  return text;
}

class RogueClientTest : public ::testing::Test {
 protected:
  static StackOptions Options() {
    StackOptions o;
    o.engine_env = {{"GPS_STATS_INTERVAL_S", "1"}};  // the rejection counters, in the log
    return o;
  }

  // A client of the bootstrap account with the given client id, as a gateway image would connect.
  mqtt::ClientOptions Bootstrap(const std::string& client_id,
                                std::vector<mqtt::Subscription> subscriptions = {}) {
    mqtt::ClientOptions o = stack_.services().Login(kBootstrapAccount).ClientOptions(client_id);
    o.subscriptions = std::move(subscriptions);
    return o;
  }

  TempDir dir_{"gps-e2e-rogue"};
  Stack stack_{dir_, Options()};
};

TEST_F(RogueClientTest, BootstrapCredentialReachesOnlyItsOwnSubtree) {
  const std::string mac = "02:42:ac:11:00:41";
  const Identity rogue = NewIdentity();     // publishes
  const Identity listener = NewIdentity();  // subscribes to everything it can name
  const Identity victim = NewIdentity();    // a device that never announces itself

  mqtt::ClientOptions observer_options =
      stack_.services().Login(kObserverAccount).ClientOptions("observer-" + UniqueSuffix());
  observer_options.subscriptions = {{"#", 1}};
  MessageRecorder observer(observer_options);
  ASSERT_TRUE(observer.Start().ok()) << stack_.Logs();

  // Everything the rogue can name, with its own client id: wildcards, every device's topics, and
  // the service topics. The broker may refuse a filter outright or drop each message it may not
  // read; either way nothing of the others may arrive.
  MessageRecorder rogue_reader(
      Bootstrap(listener.id, {{"#", 1},
                              {"gps/v1/#", 1},
                              {"gps/v1/devices/+/+", 1},
                              {protocol::AllDevicesFilter(DeviceTopicKind::kCredentials), 1},
                              {protocol::JobTopic("+"), 1},
                              {protocol::AllResultsFilter(), 1},
                              {protocol::AllCommandsFilter(), 1},
                              {protocol::ReplyTopic("+"), 1}}));
  Status reading = rogue_reader.Start();
  ASSERT_TRUE(reading.ok() || reading.IsPermissionDenied()) << reading.ToString();

  auto gateway = stack_.StartGateway("real", mac);
  DeviceSummary pending = WaitForPending(stack_, mac);
  ASSERT_FALSE(pending.id.empty());
  Result<std::string> transport_key =
      crypto::Base64Decode(TrimmedFile(stack_.GatewayDir("real") + "/state/transport.key"));
  ASSERT_TRUE(transport_key.ok()) << transport_key.status().ToString();

  // A second rogue, now that it knows the gateway's id: that device's own topics by name (its
  // status is retained, so a permitted subscription would get it at once).
  const Identity rogue2 = NewIdentity();
  MessageRecorder targeted(
      Bootstrap(rogue2.id, {{DeviceTopic(pending.id, DeviceTopicKind::kStatus), 1},
                            {DeviceTopic(pending.id, DeviceTopicKind::kCredentials), 1}}));
  Status targeting = targeted.Start();
  ASSERT_TRUE(targeting.ok() || targeting.IsPermissionDenied()) << targeting.ToString();

  ASSERT_TRUE(Approve(stack_, pending.id, "gw-e2e-rogue").ok());
  std::optional<int> exit_code = gateway->Wait(seconds(60));
  ASSERT_EQ(exit_code, std::optional<int>(0)) << stack_.Logs();

  // Publishes the rogue may not make: each is refused by the broker.
  mqtt::Client writer(Bootstrap(rogue.id));
  ASSERT_TRUE(writer.Connect().ok());
  const std::vector<std::string> forbidden = {
      protocol::JobTopic("mender"),
      protocol::ResultTopic("dps"),
      protocol::CommandTopic("approve"),
      protocol::ReplyTopic("ui"),
      DeviceTopic(pending.id, DeviceTopicKind::kAnnounce),
      DeviceTopic(pending.id, DeviceTopicKind::kAck),
      DeviceTopic(pending.id, DeviceTopicKind::kStatus),
      DeviceTopic(victim.id, DeviceTopicKind::kAnnounce),
      DeviceTopic(rogue.id, DeviceTopicKind::kStatus),  // read-only even for itself
      DeviceTopic(rogue.id, DeviceTopicKind::kCredentials),
  };
  for (const std::string& topic : forbidden) {
    mqtt::Message m;
    m.topic = topic;
    m.payload = R"({"v":1,"rogue":")" + topic + "\"}";
    Status published = writer.Publish(m, 5000);
    // MQTT 5: the broker answers the QoS 1 publish with PUBACK 0x87, not authorized.
    EXPECT_TRUE(published.IsPermissionDenied()) << topic << ": " << published.ToString();
    EXPECT_NE(published.message().find("reason code 135"), std::string::npos)
        << published.ToString();
  }

  // Announces on its own topic, which the broker lets through, with another device's id or key:
  // the engine refuses each.
  auto forged = [&](const std::string& device_id, const std::string& pubkey_pem) {
    protocol::Announce a;
    a.mac = "02:42:ac:11:00:42";
    a.transport_key = crypto::TransportKeyPair::Generate().value().public_raw();
    a.ts_ms = 1;
    EXPECT_TRUE(protocol::SignAnnounce(rogue.key, &a).ok());
    // After signing: the rogue claims an id or key it cannot sign for.
    a.device_id = device_id;
    a.pubkey_pem = pubkey_pem;
    mqtt::Message m;
    m.topic = DeviceTopic(rogue.id, DeviceTopicKind::kAnnounce);
    m.payload = protocol::EncodeAnnounce(a);
    EXPECT_TRUE(writer.Publish(m, 5000).ok()) << "the rogue's own announce topic is open to it";
  };
  forged(victim.id, victim.public_pem);  // the victim's id and key, signed by the rogue
  forged(rogue.id, victim.public_pem);   // its own id with the victim's key
  forged(victim.id, rogue.public_pem);   // the victim's id with its own key

  EXPECT_TRUE(WaitUntil(
      [&] { return LastCounter(dir_.File("engine-1.log"), "engine.rejected.announce") >= 3; },
      seconds(15)))
      << "the engine did not count three refused announces\n"
      << stack_.Logs();
  for (const DeviceSummary& d : stack_.ListDevices()) {
    EXPECT_NE(d.id, victim.id) << "a forged announce made the victim a device";
    EXPECT_NE(d.id, rogue.id) << "a forged announce made the rogue a device";
  }

  // Nothing the broker refused reached anyone; the observer saw the real traffic, so it would have.
  std::vector<mqtt::Message> seen = observer.Messages();
  int credentials = 0;
  for (const mqtt::Message& m : seen) {
    EXPECT_EQ(m.payload.find("\"rogue\""), std::string::npos) << "delivered: " << m.topic;
    if (m.topic != DeviceTopic(pending.id, DeviceTopicKind::kCredentials)) {
      continue;
    }
    // All-seeing is not all-knowing: the bundle opens with the gateway's transport key only.
    Result<protocol::CredentialsMessage> c = protocol::ParseCredentials(m.payload);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    const std::string context = protocol::BundleContext(c->device_id, c->bundle_id);
    Result<std::string> with_other = crypto::Open(
        crypto::TransportKeyPair::Generate().value().private_raw(), c->sealed, context);
    EXPECT_TRUE(with_other.status().IsPermissionDenied()) << with_other.status().ToString();
    EXPECT_TRUE(crypto::Open(*transport_key, c->sealed, context).ok());
    ++credentials;
  }
  EXPECT_GE(credentials, 1) << "the observer never saw the gateway's credentials";

  // The rogues received nothing of anyone else's.
  for (const MessageRecorder* reader : {&rogue_reader, &targeted}) {
    for (const mqtt::Message& m : reader->Messages()) {
      EXPECT_TRUE(m.topic.starts_with("gps/v1/devices/" + listener.id + "/") ||
                  m.topic.starts_with("gps/v1/devices/" + rogue2.id + "/"))
          << "a rogue received " << m.topic;
      EXPECT_EQ(m.payload.find(pending.id), std::string::npos) << m.topic;
    }
  }
}

// Mosquitto 2.0 lets any client join any share group and drops each message a member may not read
// instead of passing it to another member. The services' groups carry a tag derived from their
// account's password, so a rogue joining the groups it can name takes no turn of their messages:
// the approval is answered at once, every job reaches its worker on the first attempt.
TEST_F(RogueClientTest, BootstrapCredentialCannotTakeTheServicesTurns) {
  const std::string mac = "02:42:ac:11:00:43";
  const Identity rogue = NewIdentity();
  std::vector<mqtt::Subscription> groups;
  for (const char* kind : {"announce", "ack"}) {
    groups.push_back({"$share/gps-engine/gps/v1/devices/+/" + std::string(kind), 1});
  }
  groups.push_back({protocol::SharedFilter("gps-engine", protocol::AllCommandsFilter()), 1});
  groups.push_back({protocol::SharedFilter("gps-engine", protocol::AllResultsFilter()), 1});
  for (const char* step : {"mender", "dps", "vault", "hub-manifest"}) {
    groups.push_back(
        {protocol::SharedFilter("gps-worker-" + std::string(step), protocol::JobTopic(step)), 1});
  }
  MessageRecorder member(Bootstrap(rogue.id, groups));
  ASSERT_TRUE(member.Start().ok()) << "the broker grants share-group subscriptions to anyone";

  auto gateway = stack_.StartGateway("turns", mac);
  DeviceSummary pending = WaitForPending(stack_, mac);
  ASSERT_FALSE(pending.id.empty());
  // Each approval is one command message: had the rogue taken its turn, it would go unanswered.
  for (int i = 0; i < 4; ++i) {
    Status dismissed = SendDeviceCommand(stack_, "0" + std::string(63, 'a' + i), "dismiss");
    EXPECT_NE(dismissed.message().find("HTTP 404"), std::string::npos) << dismissed.ToString();
  }
  ASSERT_TRUE(Approve(stack_, pending.id, "gw-e2e-turns").ok()) << stack_.Logs();
  std::optional<int> exit_code = gateway->Wait(seconds(60));
  ASSERT_EQ(exit_code, std::optional<int>(0)) << stack_.Logs();
  for (const char* step : {"mender", "dps", "vault"}) {
    EXPECT_EQ(StepAttempt(stack_, pending.id, step), 1) << step << " needed a second attempt";
  }
  EXPECT_TRUE(member.Messages().empty())
      << "a rogue group member received " << member.Messages().front().topic;
}

}  // namespace
}  // namespace gps::testing
