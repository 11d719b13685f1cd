// The limits on pending devices through the real gps-engine process, configured by its settings
// (GPS_ENGINE_PENDING_EXPIRY, GPS_ENGINE_MAX_PENDING), with gateways announcing through the real
// broker under the bootstrap account: at the cap a new gateway is refused and logged, a silent
// pending gateway is forgotten by the sweep at start, and the refused one gets in after that.

#include <gtest/gtest.h>

#include "engine/store/saga_store.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/topics.h"
#include "tests/support/services.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using namespace std::chrono_literals;

// A gateway's announces, signed with its own key, published as the gateway image does.
class Gateway {
 public:
  explicit Gateway(const TestServices& services)
      : key_(crypto::PrivateKey::GenerateEd25519().value()) {
    protocol::Announce a = Next();
    id_ = a.device_id;
    mqtt::ClientOptions options = services.Login(kBootstrapAccount).ClientOptions(id_);
    options.clean_start = true;
    client_ = std::make_unique<mqtt::Client>(options);
  }
  const std::string& id() const { return id_; }

  Status Announce() {
    if (!client_->IsConnected()) {
      GPS_RETURN_IF_ERROR(client_->Connect());
    }
    mqtt::Message m;
    m.topic = protocol::DeviceTopic(id_, protocol::DeviceTopicKind::kAnnounce);
    m.payload = protocol::EncodeAnnounce(Next());
    return client_->Publish(m);
  }

 private:
  protocol::Announce Next() {
    protocol::Announce a;
    a.mac = "02:00:00:00:00:42";
    a.transport_key = std::string(32, 't');
    a.ts_ms = ++ts_;
    EXPECT_TRUE(protocol::SignAnnounce(key_, &a).ok());
    return a;
  }

  crypto::PrivateKey key_;
  std::int64_t ts_ = 0;
  std::string id_;
  std::unique_ptr<mqtt::Client> client_;
};

class PendingLimitsProcessTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.Open().ok()); }

  std::unique_ptr<Subprocess> StartEngine() {
    std::map<std::string, std::string> env = services_.Login(kEngineAccount).Env();
    env.merge(std::map<std::string, std::string>{
        {"GPS_MQTT_CLIENT_ID", "engine-" + suffix_},
        {"GPS_MQTT_SESSION_EXPIRY_S", "0"},
        {"GPS_REDIS_HOST", "127.0.0.1"},
        {"GPS_REDIS_PORT", std::to_string(services_.redis_port())},
        {"GPS_REDIS_KEY_PREFIX", prefix_},
        {"GPS_LOG_LEVEL", "info"},
        {"GPS_STATS_INTERVAL_S", "0"},
        {"GPS_ENGINE_PENDING_EXPIRY", "2s"},
        {"GPS_ENGINE_MAX_PENDING", "1"},
    });
    auto engine = std::make_unique<Subprocess>(
        "gps-engine", std::vector<std::string>{Binaries::Engine()}, env, dir_.File("engine.log"));
    EXPECT_TRUE(
        WaitUntil([&] { return engine->Log().find("engine ready") != std::string::npos; }, 15s))
        << engine->Log();
    return engine;
  }

  bool Recorded(const std::string& id) {
    Result<std::optional<saga::Saga>> s = store_.Load(id);
    return s.ok() && s->has_value();
  }

  // Announces until the engine has recorded the gateway (a first announce may reach the broker
  // before the engine's subscription does).
  bool AnnounceUntilRecorded(Gateway& gw) {
    return WaitUntil(
        [&] {
          EXPECT_TRUE(gw.Announce().ok());
          return Recorded(gw.id());
        },
        15s, 200ms);
  }

  TempDir dir_{"gps-pending-e2e"};
  TestServices services_{dir_.path()};
  std::string suffix_ = UniqueSuffix();
  std::string prefix_ = "gps-pending-e2e-" + suffix_;
  engine::SagaStore store_{services_.redis_endpoint(), redis::Keys(prefix_)};
};

TEST_F(PendingLimitsProcessTest, TheSettingsCapAndExpirePendingGateways) {
  std::unique_ptr<Subprocess> engine = StartEngine();
  Gateway first(services_);
  Gateway second(services_);
  ASSERT_TRUE(AnnounceUntilRecorded(first)) << engine->Log();

  // At the cap of one, the second gateway is refused and nothing of it is written.
  ASSERT_TRUE(WaitUntil(
      [&] {
        EXPECT_TRUE(second.Announce().ok());
        return engine->Log().find("\"msg\":\"new device refused: too many pending devices\"") !=
               std::string::npos;
      },
      15s, 200ms))
      << engine->Log();
  EXPECT_FALSE(Recorded(second.id()));
  EXPECT_NE(engine->Log().find(second.id()), std::string::npos);

  // The first gateway goes quiet. Once it has been silent for the expiry, the sweep an engine
  // runs at start forgets it.
  Instant silent_since = SystemClock().Now();
  ASSERT_TRUE(WaitUntil([&] { return SystemClock().Now() - silent_since > 2000; }, 5s));
  EXPECT_EQ(engine->Stop(), 0);
  engine = StartEngine();
  ASSERT_TRUE(WaitUntil([&] { return !Recorded(first.id()); }, 15s)) << engine->Log();
  std::string log = engine->Log();
  std::size_t expired = log.find("\"msg\":\"pending device expired\"");
  ASSERT_NE(expired, std::string::npos) << log;
  EXPECT_NE(log.find(first.id(), expired), std::string::npos);
  EXPECT_TRUE(store_.PendingDevices().value().empty());

  // Its place is free: the gateway that kept announcing is recorded now.
  ASSERT_TRUE(AnnounceUntilRecorded(second)) << engine->Log();
  EXPECT_EQ(store_.Load(second.id()).value()->phase, saga::Phase::kPending);
}

TEST_F(PendingLimitsProcessTest, ABadSettingStopsTheEngineWithItsName) {
  std::map<std::string, std::string> env = {{"GPS_ENGINE_PENDING_EXPIRY", "a week"}};
  Subprocess engine("gps-engine", {Binaries::Engine()}, env, dir_.File("bad.log"));
  EXPECT_EQ(engine.Wait(10s), 2);
  EXPECT_NE(engine.Log().find("GPS_ENGINE_PENDING_EXPIRY"), std::string::npos) << engine.Log();
}

}  // namespace
}  // namespace gps::testing
