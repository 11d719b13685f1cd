#include "engine/shell/inbound.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/testing/bad_inbound.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/topics.h"

namespace gps::engine {
namespace {

using gps::testing::BadMessage;

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

// The bad-input tables (engine/testing/bad_inbound.h): every row is refused by ParseInbound with
// words that name its field or problem, and counts under its topic's kind.
class BadInboundTable : public ::testing::Test {
 protected:
  void ExpectRefused(const std::vector<BadMessage>& rows, std::string_view kind) {
    for (const BadMessage& row : rows) {
      Result<Inbound> in = ParseInbound(row.message);
      EXPECT_FALSE(in.ok()) << row.name;
      EXPECT_THAT(in.status().message(), ::testing::HasSubstr(row.error)) << row.name;
      EXPECT_EQ(InboundKind(row.message.topic), kind) << row.name;
    }
  }

  const testing::InboundSubjects subjects_ = testing::MakeSubjects();
};

TEST_F(BadInboundTable, TheKnownDevicesAnnounceIsAccepted) {
  Result<Inbound> in = ParseInbound(testing::KnownAnnounce(subjects_));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(DeviceOf(*in), subjects_.known_id);
}

TEST_F(BadInboundTable, EveryBadAnnounceIsRefused) {
  ExpectRefused(testing::BadAnnounces(subjects_), "announce");
}

TEST_F(BadInboundTable, EveryBadAckIsRefused) { ExpectRefused(testing::BadAcks(subjects_), "ack"); }

TEST_F(BadInboundTable, EveryBadCommandIsRefused) {
  ExpectRefused(testing::BadCommands(subjects_), "command");
}

TEST_F(BadInboundTable, EveryBadResultIsRefused) {
  ExpectRefused(testing::BadResults(subjects_), "result");
}

// Forged acks parse; the engine refuses them against the saga it stored for their device (the
// known device's key; no saga for the stranger).
TEST_F(BadInboundTable, EveryForgedAckIsRefusedAgainstTheStoredSaga) {
  saga::Saga known;
  known.device_id = subjects_.known_id;
  known.pubkey_pem = subjects_.known_pem;
  for (const BadMessage& row : testing::ForgedAcks(subjects_)) {
    Result<Inbound> in = ParseInbound(row.message);
    ASSERT_TRUE(in.ok()) << row.name << ": " << in.status().ToString();
    const InboundAck* ack = std::get_if<InboundAck>(&*in);
    ASSERT_NE(ack, nullptr) << row.name;
    std::optional<saga::Saga> stored;
    if (ack->ack.device_id == subjects_.known_id) {
      stored = known;
    }
    Status st = VerifyInboundAck(*ack, stored);
    EXPECT_FALSE(st.ok()) << row.name;
    EXPECT_THAT(st.message(), ::testing::HasSubstr(row.error)) << row.name;
  }
}

TEST_F(BadInboundTable, TheKnownDevicesSignedAckIsVerified) {
  protocol::Ack a;
  a.device_id = subjects_.known_id;
  a.bundle_id = "b-1";
  a.ts_ms = 5;
  ASSERT_TRUE(protocol::SignAck(subjects_.known_key, &a).ok());
  saga::Saga known;
  known.pubkey_pem = subjects_.known_pem;
  Status st = VerifyInboundAck(InboundAck{a}, known);
  EXPECT_TRUE(st.ok()) << st.ToString();
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
