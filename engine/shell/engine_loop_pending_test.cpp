// The limits on pending devices through the engine loop, against a real redis-server and a real
// broker: the sweep forgets a pending device that stopped announcing (saga, timeline, last-seen,
// index and pending entries) and nothing else; an announce racing the sweep is never lost; the cap
// refuses new devices only, and a place frees up when a pending device is approved or expires;
// the counters and log lines say so. Time is a fake clock.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "engine/shell/engine_loop.h"
#include "engine/store/store_test_fixture.h"
#include "gps/crypto/keys.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/step_results.h"
#include "gps/protocol/topics.h"

namespace gps::engine {
namespace {

using gps::testing::UniqueSuffix;

constexpr Millis kDay = 24LL * 3'600'000;
constexpr Instant kStart{1'800'000'000'000};

// A fake clock two engine threads can share.
class SharedClock final : public Clock {
 public:
  Instant Now() const override { return Instant{ms_.load()}; }
  void Set(Instant t) { ms_.store(t.ms); }
  void Advance(Millis d) { ms_.fetch_add(d); }

 private:
  std::atomic<Millis> ms_{kStart.ms};
};

struct Device {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEd25519().value();
  std::string id;
  std::int64_t ts = 0;
};

std::uint64_t Count(std::string_view name) { return metrics::Get(name).Value(); }

class PendingLoopTest : public StoreTest {
 protected:
  PendingLoopTest() : StoreTest("pending-loop") {}

  void SetUp() override {
    StoreTest::SetUp();
    mqtt::ClientOptions options =
        services_.Login(testing::kEngineAccount).ClientOptions("engine-pending-" + UniqueSuffix());
    mqtt_ = std::make_unique<mqtt::Client>(options);
    ASSERT_TRUE(mqtt_->Connect().ok());
    log::SetSinkForTest([this](std::string_view line) {
      std::lock_guard<std::mutex> lock(lines_mutex_);
      lines_.emplace_back(line);
    });
  }
  void TearDown() override { log::SetSinkForTest(nullptr); }

  std::unique_ptr<EngineLoop> Loop(SagaStore& store, PendingLimits limits) {
    EngineSettings settings;
    settings.pending = limits;
    return std::make_unique<EngineLoop>(store, *mqtt_, clock_, settings);
  }

  static PendingLimits Limits(Millis expiry_ms, std::int64_t max_pending) {
    PendingLimits limits;
    limits.expiry_ms = expiry_ms;
    limits.max_pending = max_pending;
    return limits;
  }

  static void Announce(EngineLoop& loop, Device& d) {
    protocol::Announce a;
    a.mac = "02:00:00:00:00:01";
    a.transport_key = std::string(32, 'k');
    a.ts_ms = ++d.ts;
    ASSERT_TRUE(protocol::SignAnnounce(d.key, &a).ok());
    d.id = a.device_id;
    mqtt::Message m;
    m.topic = protocol::DeviceTopic(a.device_id, protocol::DeviceTopicKind::kAnnounce);
    m.payload = protocol::EncodeAnnounce(a);
    loop.Handle(m);
  }

  static void Command(EngineLoop& loop, protocol::CommandKind kind, const std::string& id,
                      const std::string& name = "") {
    protocol::OperatorCommand c;
    c.kind = kind;
    c.device_id = id;
    c.name = name;
    c.actor = "alice";
    mqtt::Message m;
    m.topic = protocol::CommandTopic(protocol::CommandName(kind));
    m.payload = protocol::EncodeCommand(c);
    m.response_topic = protocol::ReplyTopic("test");
    m.correlation_data = "c-" + id.substr(0, 8);
    loop.Handle(m);
  }

  // The Mender name check of the device's current approval answers "taken".
  static void NameTaken(EngineLoop& loop, const saga::Saga& s) {
    protocol::JobId job{s.device_id, s.generation, protocol::Step::kMender,
                        protocol::Action::kCheckName, 1};
    protocol::JobResult result{Outcome::Ok(),
                               protocol::EncodeNameCheck({false, "used by Mender device 3f2a"})};
    mqtt::Message m;
    m.topic = protocol::ResultTopic("mender");
    m.correlation_data = protocol::FormatJobId(job);
    m.payload = protocol::EncodeJobResult(result);
    loop.Handle(m);
  }

  // The engine's reply to the command send() makes, as the requester receives it.
  template <typename F>
  std::optional<protocol::CommandReply> ReplyTo(F send) {
    mqtt::ClientOptions options =
        services_.Login(testing::kUiAccount).ClientOptions("requester-" + UniqueSuffix());
    options.subscriptions = {{protocol::ReplyTopic("test"), 1}};
    mqtt::Client requester(options);
    if (!requester.Connect().ok()) {
      return std::nullopt;
    }
    send();
    for (int i = 0; i < 100; ++i) {
      std::optional<mqtt::Event> e = requester.Next(100);
      if (e && e->kind == mqtt::EventKind::kMessage) {
        Result<protocol::CommandReply> reply = protocol::ParseReply(e->message.payload);
        return reply.ok() ? std::optional<protocol::CommandReply>(*reply) : std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<saga::Saga> Saga(const std::string& id) { return store_.Load(id).value(); }

  bool Indexed(const std::string& id) {
    std::vector<SetMember> indexed = store_.IndexedDevices().value();
    for (const SetMember& m : indexed) {
      if (m.id == id) {
        return true;
      }
    }
    return false;
  }
  bool InPendingSet(const std::string& id) { return store_.PendingScore(id).value().has_value(); }
  std::size_t PendingSetSize() { return store_.PendingDevices().value().size(); }

  // Log lines with this message (and, if given, mentioning this device).
  std::vector<std::string> Lines(const std::string& msg, const std::string& device_id = "") {
    std::lock_guard<std::mutex> lock(lines_mutex_);
    std::vector<std::string> out;
    for (const std::string& line : lines_) {
      if (line.find("\"msg\":\"" + msg + "\"") != std::string::npos &&
          (device_id.empty() || line.find(device_id) != std::string::npos)) {
        out.push_back(line);
      }
    }
    return out;
  }

  std::unique_ptr<mqtt::Client> mqtt_;
  SharedClock clock_;
  std::mutex lines_mutex_;
  std::vector<std::string> lines_;
};

TEST_F(PendingLoopTest, ASilentPendingDeviceIsForgottenWithEverythingOfIt) {
  auto loop = Loop(store_, Limits(kDay, 100));
  Device silent;
  Device talking;
  Announce(*loop, silent);
  Announce(*loop, talking);
  ASSERT_TRUE(Saga(silent.id).has_value());
  ASSERT_TRUE(InPendingSet(silent.id));
  clock_.Advance(kDay - 1);
  Announce(*loop, talking);
  clock_.Advance(2);  // silent: a day and 1 ms; talking: 2 ms

  std::uint64_t expired_before = Count("engine.pending_expired");
  loop->Sweep();
  EXPECT_EQ(Count("engine.pending_expired"), expired_before + 1);
  EXPECT_FALSE(Saga(silent.id).has_value());
  EXPECT_FALSE(store_.LastSeen(silent.id).value().has_value());
  EXPECT_TRUE(store_.History(silent.id).value().empty());
  EXPECT_TRUE(store_.Outbox(silent.id).value().empty());
  EXPECT_FALSE(Indexed(silent.id));
  EXPECT_FALSE(InPendingSet(silent.id));
  ASSERT_EQ(Lines("pending device expired", silent.id).size(), 1u);
  EXPECT_NE(Lines("pending device expired", silent.id)[0].find("\"last_seen\":"),
            std::string::npos);
  // The other one announced in time and stays, with all of its keys.
  ASSERT_TRUE(Saga(talking.id).has_value());
  EXPECT_TRUE(Indexed(talking.id));
  EXPECT_TRUE(InPendingSet(talking.id));
  EXPECT_EQ(store_.History(talking.id).value().size(), 1u);
  EXPECT_TRUE(Lines("pending device expired", talking.id).empty());

  // A second sweep finds nothing more to do.
  loop->Sweep();
  EXPECT_EQ(Count("engine.pending_expired"), expired_before + 1);

  // An operator who approves it from a list read before the expiry is told it is gone, and the
  // name reserved for the request is given back.
  std::optional<protocol::CommandReply> reply =
      ReplyTo([&] { Command(*loop, protocol::CommandKind::kApprove, silent.id, "gw-late"); });
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, protocol::ReplyStatus::kNotFound);
  EXPECT_EQ(reply->message, protocol::kUnknownDeviceMessage);
  EXPECT_FALSE(redis_.Command({"GET", keys_.Name("gw-late")}).value().AsOptionalString().value());

  // Back again, it is simply a new pending device.
  Announce(*loop, silent);
  std::optional<saga::Saga> again = Saga(silent.id);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->phase, saga::Phase::kPending);
  EXPECT_EQ(again->version, 1);
  EXPECT_EQ(again->first_seen, clock_.Now());
  EXPECT_TRUE(Indexed(silent.id));
  EXPECT_TRUE(InPendingSet(silent.id));
}

TEST_F(PendingLoopTest, ZeroExpiryForgetsNothing) {
  auto loop = Loop(store_, Limits(0, 100));
  Device d;
  Announce(*loop, d);
  clock_.Advance(365 * kDay);
  loop->Sweep();
  EXPECT_TRUE(Saga(d.id).has_value());
}

TEST_F(PendingLoopTest, OnlyPendingDevicesExpire) {
  auto loop = Loop(store_, Limits(kDay, 100));
  Device approved;
  Device dismissed;
  Device back_to_pending;
  for (Device* d : {&approved, &dismissed, &back_to_pending}) {
    Announce(*loop, *d);
  }
  Command(*loop, protocol::CommandKind::kApprove, approved.id, "gw-approved");
  Command(*loop, protocol::CommandKind::kDismiss, dismissed.id);
  ASSERT_EQ(Saga(approved.id)->phase, saga::Phase::kCheckingName);
  ASSERT_EQ(Saga(dismissed.id)->phase, saga::Phase::kDismissed);
  // Every later phase, as stored records of devices last seen long ago.
  std::vector<std::string> later;
  for (saga::Phase phase :
       {saga::Phase::kProvisioning, saga::Phase::kDelivering, saga::Phase::kProvisioned,
        saga::Phase::kFailed, saga::Phase::kRevoking, saga::Phase::kRevoked}) {
    saga::Saga s;
    s.device_id = std::string(63, 'a') + std::to_string(static_cast<int>(phase));
    s.phase = phase;
    s.name = "gw-" + std::string(saga::PhaseName(phase));
    s.first_seen = kStart;
    s.updated_at = kStart;
    ASSERT_TRUE(store_.IndexDevice(s.device_id, kStart).ok());
    ASSERT_TRUE(store_.Commit(s, 0, {}).value());
    ASSERT_TRUE(store_.TouchLastSeen(s.device_id, kStart).ok());
    later.push_back(s.device_id);
  }
  // An approval that ended (the name was taken) leaves a pending device: that one may expire.
  Command(*loop, protocol::CommandKind::kApprove, back_to_pending.id, "gw-taken");
  NameTaken(*loop, *Saga(back_to_pending.id));
  ASSERT_EQ(Saga(back_to_pending.id)->phase, saga::Phase::kPending);

  clock_.Advance(30 * kDay);
  loop->Sweep();
  EXPECT_EQ(Saga(approved.id)->phase, saga::Phase::kCheckingName);
  EXPECT_EQ(Saga(dismissed.id)->phase, saga::Phase::kDismissed);
  for (const std::string& id : later) {
    EXPECT_TRUE(Saga(id).has_value()) << id;
    EXPECT_TRUE(Indexed(id)) << id;
  }
  EXPECT_TRUE(Indexed(approved.id));
  EXPECT_TRUE(Indexed(dismissed.id));
  EXPECT_FALSE(Saga(back_to_pending.id).has_value());
  EXPECT_FALSE(Indexed(back_to_pending.id));
  EXPECT_EQ(PendingSetSize(), 0u);
}

TEST_F(PendingLoopTest, AnnouncesDuringASweepAreNeverLost) {
  // One engine sweeps while another takes the announces of the very devices it finds expired:
  // whichever comes first, every device that announced is there afterwards, listed and counted.
  SagaStore other{services_.redis_endpoint(), keys_};
  ASSERT_TRUE(other.Open().ok());
  auto sweeper = Loop(store_, Limits(kDay, 10000));
  auto announcer = Loop(other, Limits(kDay, 10000));
  std::vector<Device> devices(120);
  for (Device& d : devices) {
    Announce(*announcer, d);
  }
  clock_.Advance(kDay + 1);
  std::uint64_t expired_before = Count("engine.pending_expired");
  std::thread sweep([&] { sweeper->Sweep(); });
  for (Device& d : devices) {
    Announce(*announcer, d);
  }
  sweep.join();
  std::uint64_t expired = Count("engine.pending_expired") - expired_before;
  for (const Device& d : devices) {
    std::optional<saga::Saga> s = Saga(d.id);
    ASSERT_TRUE(s.has_value()) << d.id;
    EXPECT_EQ(s->phase, saga::Phase::kPending);
    EXPECT_EQ(store_.LastSeen(d.id).value(), clock_.Now()) << d.id;
    EXPECT_TRUE(Indexed(d.id)) << d.id;
    EXPECT_TRUE(InPendingSet(d.id)) << d.id;
  }
  EXPECT_EQ(PendingSetSize(), devices.size());
  std::cout << "during the sweep: " << expired << " of " << devices.size()
            << " devices expired before their announce came\n";
}

TEST_F(PendingLoopTest, TheCapRefusesNewDevicesOnlyAndLogsAFloodOnce) {
  PendingLimits limits = Limits(kDay, 2);
  auto loop = Loop(store_, limits);
  Device a;
  Device b;
  Device c;
  Announce(*loop, a);
  Announce(*loop, b);
  std::uint64_t refused_before = Count("engine.rejected.pending_cap");
  Announce(*loop, c);
  EXPECT_EQ(Count("engine.rejected.pending_cap"), refused_before + 1);
  EXPECT_FALSE(Saga(c.id).has_value());
  EXPECT_FALSE(Indexed(c.id));
  EXPECT_FALSE(InPendingSet(c.id));
  EXPECT_FALSE(store_.LastSeen(c.id).value().has_value());
  ASSERT_EQ(Lines("new device refused: too many pending devices").size(), 1u);
  EXPECT_NE(
      Lines("new device refused: too many pending devices", c.id)[0].find("\"max_pending\":2"),
      std::string::npos);

  // Known devices are still heard.
  Announce(*loop, a);
  EXPECT_EQ(Saga(a.id)->version, 2);
  EXPECT_EQ(Saga(a.id)->last_announce_ts, a.ts);

  // A flood of newcomers is counted in full and logged once per interval.
  for (int i = 0; i < 4; ++i) {
    Announce(*loop, c);
  }
  EXPECT_EQ(Count("engine.rejected.pending_cap"), refused_before + 5);
  EXPECT_EQ(Lines("new device refused: too many pending devices").size(), 1u);
  clock_.Advance(limits.refusal_log_interval_ms);
  Announce(*loop, c);
  std::vector<std::string> lines = Lines("new device refused: too many pending devices");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("\"refusals_not_logged\":4"), std::string::npos) << lines[1];

  // An approval frees a place.
  Command(*loop, protocol::CommandKind::kApprove, a.id, "gw-a");
  ASSERT_EQ(Saga(a.id)->phase, saga::Phase::kCheckingName);
  EXPECT_FALSE(InPendingSet(a.id));
  Announce(*loop, c);
  ASSERT_TRUE(Saga(c.id).has_value());
  EXPECT_TRUE(Indexed(c.id));
  EXPECT_EQ(PendingSetSize(), 2u);

  // A device whose approval ends is pending again even at the cap: it is not new.
  NameTaken(*loop, *Saga(a.id));
  EXPECT_EQ(Saga(a.id)->phase, saga::Phase::kPending);
  EXPECT_TRUE(InPendingSet(a.id));
  EXPECT_EQ(PendingSetSize(), 3u);
}

TEST_F(PendingLoopTest, AnExpiryOrADismissalFreesAPlace) {
  auto loop = Loop(store_, Limits(kDay, 1));
  Device first;
  Device second;
  Device third;
  Announce(*loop, first);
  Announce(*loop, second);
  ASSERT_FALSE(Saga(second.id).has_value());
  clock_.Advance(kDay + 1);
  loop->Sweep();
  ASSERT_FALSE(Saga(first.id).has_value());
  Announce(*loop, second);
  ASSERT_TRUE(Saga(second.id).has_value());
  Announce(*loop, third);
  ASSERT_FALSE(Saga(third.id).has_value());
  Command(*loop, protocol::CommandKind::kDismiss, second.id);
  Announce(*loop, third);
  EXPECT_TRUE(Saga(third.id).has_value());
}

TEST_F(PendingLoopTest, AnAllowListedNewcomerIsRefusedAtTheCapLikeAnyOther) {
  auto loop = Loop(store_, Limits(kDay, 1));
  Device listed;
  Device first;
  Announce(*loop, first);
  // The allow-list is read after the device is recorded; at the cap it never is.
  protocol::Announce a;
  a.mac = "02:00:00:00:00:01";
  a.transport_key = std::string(32, 'k');
  ASSERT_TRUE(protocol::SignAnnounce(listed.key, &a).ok());
  ASSERT_TRUE(redis_
                  .Command({"HSET", keys_.AllowList(),
                            redis::Keys::AllowListFingerprintField(
                                protocol::VerifyAnnounce(a, a.device_id).value().fingerprint),
                            R"({"name":"gw-listed","addedBy":"admin","addedAt":1})"})
                  .ok());
  Announce(*loop, listed);
  EXPECT_FALSE(Saga(listed.id).has_value());
  // Once a place is free it is recorded and approved at once, which frees the place again.
  Command(*loop, protocol::CommandKind::kDismiss, first.id);
  Announce(*loop, listed);
  ASSERT_TRUE(Saga(listed.id).has_value());
  EXPECT_EQ(Saga(listed.id)->phase, saga::Phase::kCheckingName);
  EXPECT_EQ(PendingSetSize(), 0u);
}

TEST_F(PendingLoopTest, TheSweepRepairsThePendingSetAndOrphanEntries) {
  auto loop = Loop(store_, Limits(kDay, 100));
  Device d;
  Announce(*loop, d);
  clock_.Advance(kDay / 2);
  // As a crash between a commit and the set's update would leave it: a pending device missing
  // from the set, and an entry of a device that is not pending (or does not exist).
  ASSERT_TRUE(redis_.Command({"ZREM", keys_.Pending(), d.id}).ok());
  ASSERT_TRUE(
      redis_.Command({"ZADD", keys_.Pending(), std::to_string(kStart.ms), std::string(64, 'e')})
          .ok());
  // And an index entry whose device was never recorded, as old as the expiry.
  ASSERT_TRUE(redis_
                  .Command({"ZADD", keys_.DeviceIndex(), std::to_string(kStart.ms - kDay),
                            std::string(64, 'f')})
                  .ok());
  std::uint64_t repairs_before = Count("engine.pending_set_repairs");
  loop->Sweep();
  EXPECT_EQ(Count("engine.pending_set_repairs"), repairs_before + 2);
  EXPECT_EQ(store_.PendingDevices().value().size(), 1u);
  EXPECT_TRUE(InPendingSet(d.id));
  EXPECT_FALSE(Indexed(std::string(64, 'f')));
  EXPECT_TRUE(Indexed(d.id));
  EXPECT_EQ(Lines("pending set did not match the sagas; repaired").size(), 1u);
  // Young entries are left to the transitions on their way.
  ASSERT_TRUE(
      redis_
          .Command({"ZADD", keys_.Pending(), std::to_string(clock_.Now().ms), std::string(64, 'e')})
          .ok());
  loop->Sweep();
  EXPECT_EQ(store_.PendingDevices().value().size(), 2u);
}

}  // namespace
}  // namespace gps::engine
