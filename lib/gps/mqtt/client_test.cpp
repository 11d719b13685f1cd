// The MQTT layer against a real Mosquitto with the shipped configuration (TLS, role accounts,
// ACL): what every process relies on from it. Every wait polls with a deadline.

#include "gps/mqtt/client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "gps/protocol/topics.h"
#include "tests/support/services.h"
#include "tests/support/subprocess.h"

namespace gps::mqtt {
namespace {

using gps::testing::kBootstrapAccount;
using gps::testing::kEngineAccount;
using gps::testing::kUiAccount;
using gps::testing::MosquittoServer;
using gps::testing::TempDir;

constexpr auto kWait = std::chrono::seconds(20);

// The next event of this kind within kWait (others are skipped), or nullopt.
std::optional<Event> NextOf(Client& client, EventKind kind) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::optional<Event> e = client.Next(200); e && e->kind == kind) {
      return e;
    }
  }
  return std::nullopt;
}

class MqttClientTest : public ::testing::Test {
 protected:
  ClientOptions Options(const std::string& account, const std::string& client_id) const {
    ClientOptions o = broker_.Login(account).ClientOptions(client_id);
    o.clean_start = true;
    o.session_expiry_s = 0;
    return o;
  }

  TempDir dir_{"gps-mqtt-client-test"};
  MosquittoServer broker_{dir_.path()};
};

TEST_F(MqttClientTest, CarriesPayloadAndRequestResponsePropertiesUnchanged) {
  ClientOptions engine_options = Options(kEngineAccount, "engine-1");
  engine_options.subscriptions = {{std::string(protocol::kTopicRoot) + "/commands/approve", 1},
                                  {std::string(protocol::kTopicRoot) + "/commands/dismiss", 1}};
  Client engine(engine_options);
  ASSERT_TRUE(engine.Connect().ok());
  Client ui(Options(kUiAccount, "ui-1"));
  ASSERT_TRUE(ui.Connect().ok());

  Message sent;
  sent.topic = std::string(protocol::kTopicRoot) + "/commands/dismiss";
  sent.payload = std::string("{\"a\":1}\0binary\xff", 15);
  sent.response_topic = std::string(protocol::kTopicRoot) + "/replies/ui-1";
  sent.correlation_data = std::string("id\0\x01\x02", 5);
  sent.message_expiry_s = 60;
  Status st = ui.Publish(sent);
  ASSERT_TRUE(st.ok()) << st.ToString();

  std::optional<Event> got = NextOf(engine, EventKind::kMessage);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->message.topic, sent.topic);
  EXPECT_EQ(got->message.payload, sent.payload);
  EXPECT_EQ(got->message.response_topic, sent.response_topic);
  EXPECT_EQ(got->message.correlation_data, sent.correlation_data);
  EXPECT_EQ(got->message.qos, 1);
  EXPECT_FALSE(got->message.retained);
}

TEST_F(MqttClientTest, APublishTheAclRefusesIsPermissionDenied) {
  Client gateway(Options(kBootstrapAccount, "some-device"));
  ASSERT_TRUE(gateway.Connect().ok());
  Message m;
  m.topic = std::string(protocol::kTopicRoot) + "/jobs/vault";
  m.payload = "{}";
  Status st = gateway.Publish(m);
  EXPECT_EQ(st.code(), Status::Code::kPermissionDenied) << st.ToString();
  EXPECT_NE(st.message().find("reason code 135"), std::string::npos) << st.ToString();
  EXPECT_TRUE(gateway.IsConnected());
}

TEST_F(MqttClientTest, AWrongPasswordFailsWithContext) {
  ClientOptions o = Options(kEngineAccount, "engine-wrong");
  o.password = "not-the-password";
  Client engine(o);
  Status st = engine.Connect();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("as engine-wrong"), std::string::npos) << st.ToString();
  EXPECT_FALSE(engine.IsConnected());
  // A later Connect() starts again from a fresh Paho client.
  EXPECT_FALSE(engine.Connect().ok());
}

// What a gateway sees when a holder of the bootstrap credential takes its client id
// (docs/design/transport.md): the connection ends, and comes back once the id is free.
TEST_F(MqttClientTest, AClientWhoseIdIsTakenLosesTheConnectionAndComesBack) {
  Client first(Options(kEngineAccount, "same-id"));
  ASSERT_TRUE(first.Connect().ok());
  ASSERT_TRUE(NextOf(first, EventKind::kConnected));
  Client second(Options(kEngineAccount, "same-id"));
  ASSERT_TRUE(second.Connect().ok());
  ASSERT_TRUE(NextOf(first, EventKind::kConnectionLost));
  second.Disconnect();
  EXPECT_TRUE(NextOf(first, EventKind::kConnected));
}

TEST_F(MqttClientTest, PublishBeforeConnectIsAnError) {
  Client never(Options(kEngineAccount, "never"));
  Message m;
  m.topic = "gps/v1/replies/x";
  EXPECT_EQ(never.Publish(m).code(), Status::Code::kFailedPrecondition);
  EXPECT_FALSE(never.Next(10));
  EXPECT_FALSE(never.IsConnected());
}

}  // namespace
}  // namespace gps::mqtt
