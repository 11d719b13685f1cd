// The pending set, the device index and the expiry script against a real redis-server: the cap
// refuses only newcomers, a conditional removal spares an entry raised since it was read (a device
// that came back), and an expiry deletes every key of the device in one step, or nothing when the
// device announced or changed after it was read.

#include "engine/store/store_test_fixture.h"

namespace gps::engine {
namespace {

std::string Id(char c) { return std::string(64, c); }

class PendingStoreTest : public StoreTest {
 protected:
  PendingStoreTest() : StoreTest("pending-store") {}

  // A pending device with a last-seen time and a timeline, as an announce leaves it.
  saga::Saga RecordPending(const std::string& id, Instant seen) {
    saga::Saga s;
    s.device_id = id;
    s.mac = "02:00:00:00:00:01";
    EXPECT_TRUE(store_.IndexDevice(id, Instant{1000}).ok());
    EXPECT_TRUE(store_.Commit(s, 0, {"entry"}, {R"({"kind":"announced"})"}).value());
    EXPECT_TRUE(store_.TouchLastSeen(id, seen).ok());
    s.version = 1;
    return s;
  }

  std::int64_t Exists(const std::string& key) {
    return redis_.Command({"EXISTS", key}).value().AsInteger().value();
  }

  std::vector<std::string> Ids(const std::vector<SetMember>& members) {
    std::vector<std::string> out;
    for (const SetMember& m : members) {
      out.push_back(m.id);
    }
    return out;
  }
};

TEST_F(PendingStoreTest, TheCapRefusesOnlyDevicesNotInTheSet) {
  using A = SagaStore::Admission;
  EXPECT_EQ(store_.AdmitPending(Id('a'), Instant{10}, 2).value().outcome, A::kAdded);
  SagaStore::AdmitResult second = store_.AdmitPending(Id('b'), Instant{11}, 2).value();
  EXPECT_EQ(second.outcome, A::kAdded);
  EXPECT_EQ(second.pending, 2);
  SagaStore::AdmitResult third = store_.AdmitPending(Id('c'), Instant{12}, 2).value();
  EXPECT_EQ(third.outcome, A::kRefused);
  EXPECT_EQ(third.pending, 2);
  // A member is always let in again, and without a cap anyone is.
  EXPECT_EQ(store_.AdmitPending(Id('a'), Instant{13}, 2).value().outcome, A::kAlreadyThere);
  EXPECT_EQ(store_.AdmitPending(Id('d'), Instant{14}, std::nullopt).value().outcome, A::kAdded);
  EXPECT_EQ(Ids(store_.PendingDevices().value()),
            (std::vector<std::string>{Id('b'), Id('a'), Id('d')}));
}

TEST_F(PendingStoreTest, AnEntryRaisedSinceItWasReadIsNotRemoved) {
  ASSERT_TRUE(store_.AdmitPending(Id('a'), Instant{5000}, std::nullopt).ok());
  Millis read = store_.PendingScore(Id('a')).value().value();
  EXPECT_EQ(read, 5000);
  // Raised even by an engine whose clock is behind: the score only grows.
  ASSERT_TRUE(store_.AdmitPending(Id('a'), Instant{10}, std::nullopt).ok());
  EXPECT_GT(store_.PendingScore(Id('a')).value().value(), read);
  EXPECT_FALSE(store_.ForgetPending(Id('a'), read).value());
  EXPECT_TRUE(store_.PendingScore(Id('a')).value().has_value());
  EXPECT_TRUE(store_.ForgetPending(Id('a'), store_.PendingScore(Id('a')).value().value()).value());
  EXPECT_FALSE(store_.PendingScore(Id('a')).value().has_value());
  EXPECT_FALSE(store_.ForgetPending(Id('a'), 1'000'000).value());
}

TEST_F(PendingStoreTest, ADeviceIndexedAgainKeepsItsEntry) {
  ASSERT_TRUE(store_.IndexDevice(Id('a'), Instant{1000}).ok());
  std::vector<SetMember> read = store_.IndexedDevices().value();
  ASSERT_EQ(read, (std::vector<SetMember>{{Id('a'), 1000}}));
  // The device is created again (after an expiry) before the old entry's removal comes.
  ASSERT_TRUE(store_.IndexDevice(Id('a'), Instant{900}).ok());
  EXPECT_FALSE(store_.ForgetIndexed(Id('a'), read[0].score).value());
  EXPECT_EQ(Ids(store_.IndexedDevices().value()), (std::vector<std::string>{Id('a')}));
  EXPECT_TRUE(store_.ForgetIndexed(Id('a'), 1001).value());
  EXPECT_TRUE(store_.IndexedDevices().value().empty());
}

TEST_F(PendingStoreTest, ExpiryDeletesEveryKeyOfTheDevice) {
  saga::Saga s = RecordPending(Id('e'), Instant{1000});
  ASSERT_EQ(store_.LastSeen(s.device_id).value(), Instant{1000});
  ASSERT_TRUE(store_.ExpirePending(s.device_id, s.version, Instant{1001}).value());
  for (const std::string& key : {keys_.Saga(s.device_id), keys_.Outbox(s.device_id),
                                 keys_.LastSeen(s.device_id), keys_.History(s.device_id)}) {
    EXPECT_EQ(Exists(key), 0) << key;
  }
  EXPECT_FALSE(store_.Load(s.device_id).value().has_value());
  EXPECT_FALSE(store_.LastSeen(s.device_id).value().has_value());
  // A second engine sweeping at the same time finds nothing to delete.
  EXPECT_FALSE(store_.ExpirePending(s.device_id, s.version, Instant{1001}).value());
}

TEST_F(PendingStoreTest, AnAnnounceAfterTheReadWinsOverTheExpiry) {
  saga::Saga read = RecordPending(Id('f'), Instant{1000});
  // The device announces between the sweep's read and its delete: a new version...
  saga::Saga next = read;
  next.last_announce_ts = 2;
  ASSERT_TRUE(store_.Commit(next, read.version, {}).value());
  EXPECT_FALSE(store_.ExpirePending(read.device_id, read.version, Instant{1001}).value());
  EXPECT_EQ(store_.Load(read.device_id).value()->version, 2);
  EXPECT_EQ(store_.History(read.device_id).value().size(), 1u);
  // ...or only its last-seen time moved past the cutoff.
  saga::Saga g = RecordPending(Id('g'), Instant{1000});
  ASSERT_TRUE(store_.TouchLastSeen(g.device_id, Instant{5000}).ok());
  EXPECT_FALSE(store_.ExpirePending(g.device_id, g.version, Instant{5000}).value());
  EXPECT_EQ(store_.LastSeen(g.device_id).value(), Instant{5000});
  EXPECT_TRUE(store_.Load(g.device_id).value().has_value());
}

}  // namespace
}  // namespace gps::engine
