#include "engine/shell/inbound.h"

#include <gtest/gtest.h>

#include "gps/crypto/keys.h"
#include "gps/protocol/topics.h"

namespace gps::engine {
namespace {

mqtt::Message SignedAnnounce(const crypto::PrivateKey& key, protocol::Announce* out = nullptr) {
  protocol::Announce a;
  a.mac = "02:00:00:00:00:01";
  a.transport_key = std::string(32, 'k');
  a.ts_ms = 1;
  EXPECT_TRUE(protocol::SignAnnounce(key, &a).ok());
  if (out != nullptr) {
    *out = a;
  }
  mqtt::Message m;
  m.topic = protocol::DeviceTopic(a.device_id, protocol::DeviceTopicKind::kAnnounce);
  m.payload = protocol::EncodeAnnounce(a);
  return m;
}

TEST(ParseInbound, VerifiedAnnounceIsAccepted) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  Result<Inbound> in = ParseInbound(SignedAnnounce(key));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_TRUE(std::holds_alternative<InboundAnnounce>(*in));
}

TEST(ParseInbound, AnnounceOnAnotherDevicesTopicIsRefused) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEd25519().value();
  mqtt::Message m = SignedAnnounce(key);
  m.topic = protocol::DeviceTopic(std::string(64, 'f'), protocol::DeviceTopicKind::kAnnounce);
  EXPECT_TRUE(ParseInbound(m).status().IsPermissionDenied());
}

TEST(ParseInbound, AnnounceSignedByAnotherKeyIsRefused) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEd25519().value();
  crypto::PrivateKey other = crypto::PrivateKey::GenerateEd25519().value();
  protocol::Announce a;
  SignedAnnounce(key, &a);
  protocol::Announce forged = a;
  protocol::Announce by_other = a;
  ASSERT_TRUE(protocol::SignAnnounce(other, &by_other).ok());
  forged.signature = by_other.signature;
  mqtt::Message m;
  m.topic = protocol::DeviceTopic(a.device_id, protocol::DeviceTopicKind::kAnnounce);
  m.payload = protocol::EncodeAnnounce(forged);
  EXPECT_TRUE(ParseInbound(m).status().IsPermissionDenied());
}

TEST(ParseInbound, MalformedPayloadsAreRefusedNotThrown) {
  std::string id(64, 'a');
  const std::vector<std::string> payloads = {"",
                                             "{",
                                             "[]",
                                             "null",
                                             "{\"v\":1}",
                                             std::string(20000, 'x'),
                                             "{\"v\":1,\"deviceId\":\"\xff\"}"};
  for (const std::string& payload : payloads) {
    for (auto kind : {protocol::DeviceTopicKind::kAnnounce, protocol::DeviceTopicKind::kAck}) {
      mqtt::Message m;
      m.topic = protocol::DeviceTopic(id, kind);
      m.payload = payload;
      EXPECT_FALSE(ParseInbound(m).ok());
    }
  }
}

mqtt::Message Command(std::string response_topic, std::string correlation) {
  protocol::OperatorCommand c;
  c.kind = protocol::CommandKind::kApprove;
  c.device_id = std::string(64, 'a');
  c.name = "gw-1";
  mqtt::Message m;
  m.topic = protocol::CommandTopic("approve");
  m.payload = protocol::EncodeCommand(c);
  m.response_topic = std::move(response_topic);
  m.correlation_data = std::move(correlation);
  return m;
}

TEST(ParseInbound, CommandNeedsAReplyTopicUnderReplies) {
  EXPECT_TRUE(ParseInbound(Command("gps/v1/replies/ui-1", "c1")).ok());
  EXPECT_FALSE(ParseInbound(Command("", "c1")).ok());
  EXPECT_FALSE(ParseInbound(Command("gps/v1/devices/x/credentials", "c1")).ok());
  EXPECT_FALSE(ParseInbound(Command("gps/v1/replies/", "c1")).ok());
  EXPECT_FALSE(ParseInbound(Command("gps/v1/replies/#", "c1")).ok());
  EXPECT_FALSE(ParseInbound(Command("gps/v1/replies/ui-1", "")).ok());
}

TEST(ParseInbound, UnknownCommandIsRefused) {
  mqtt::Message m = Command("gps/v1/replies/ui-1", "c1");
  m.topic = protocol::CommandTopic("format");
  EXPECT_FALSE(ParseInbound(m).ok());
}

TEST(ParseInbound, ResultMustArriveOnItsStepsTopic) {
  protocol::JobId id{std::string(64, 'a'), 1, protocol::Step::kDps, protocol::Action::kProvision,
                     1};
  mqtt::Message m;
  m.topic = protocol::ResultTopic("dps");
  m.correlation_data = protocol::FormatJobId(id);
  m.payload = protocol::EncodeJobResult({Outcome::Permanent("x"), "{}"});
  EXPECT_TRUE(ParseInbound(m).ok());
  m.topic = protocol::ResultTopic("mender");
  EXPECT_FALSE(ParseInbound(m).ok());
  m.topic = protocol::ResultTopic("dps");
  m.correlation_data = "not-a-job-id";
  EXPECT_FALSE(ParseInbound(m).ok());
}

TEST(InboundKind, NamesEachTopicFamily) {
  EXPECT_EQ(InboundKind("gps/v1/devices/abc/announce"), "announce");
  EXPECT_EQ(InboundKind("gps/v1/devices/abc/ack"), "ack");
  EXPECT_EQ(InboundKind("gps/v1/commands/approve"), "command");
  EXPECT_EQ(InboundKind("gps/v1/results/vault"), "result");
  EXPECT_EQ(InboundKind("elsewhere"), "unknown");
}

}  // namespace
}  // namespace gps::engine
