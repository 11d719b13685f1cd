// The commit script against a real redis-server: the timeline entries of a transition are written
// with its saga in the same step (and not at all when the version check fails), and the timeline
// keeps only its newest kHistoryCapacity entries.

#include "engine/saga/history.h"
#include "engine/store/store_test_fixture.h"

namespace gps::engine {
namespace {

class CommitStoreTest : public StoreTest {
 protected:
  CommitStoreTest() : StoreTest("commit") {}

  static saga::Saga Saga() {
    saga::Saga s;
    s.device_id = std::string(64, 'c');
    s.mac = "02:00:00:00:00:09";
    return s;
  }
};

TEST_F(CommitStoreTest, HistoryIsWrittenWithTheSagaOrNotAtAll) {
  saga::Saga s = Saga();
  ASSERT_TRUE(store_.Commit(s, 0, {"outbox-1"}, {R"({"kind":"announced"})"}).value());
  // A stale version writes nothing: neither the saga, nor its outbox, nor its timeline.
  ASSERT_FALSE(store_.Commit(s, 0, {"outbox-2"}, {R"({"kind":"stale"})"}).value());
  ASSERT_TRUE(store_.Commit(s, 1, {}, {R"({"kind":"command"})", R"({"kind":"phase"})"}).value());
  EXPECT_EQ(store_.History(s.device_id).value(),
            (std::vector<std::string>{R"({"kind":"announced"})", R"({"kind":"command"})",
                                      R"({"kind":"phase"})"}));
  EXPECT_EQ(store_.Outbox(s.device_id).value(), (std::vector<std::string>{"outbox-1"}));
  EXPECT_EQ(store_.Load(s.device_id).value()->version, 2);
}

TEST_F(CommitStoreTest, TheTimelineKeepsItsNewestEntries) {
  saga::Saga s = Saga();
  std::int64_t version = 0;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<std::string> entries;
    for (int i = 0; i < 100; ++i) {
      entries.push_back(std::to_string(batch * 100 + i));
    }
    ASSERT_TRUE(store_.Commit(s, version, {}, entries).value());
    ++version;
  }
  std::vector<std::string> kept = store_.History(s.device_id).value();
  ASSERT_EQ(kept.size(), static_cast<std::size_t>(kHistoryCapacity));
  EXPECT_EQ(kept.front(), std::to_string(600 - kHistoryCapacity));
  EXPECT_EQ(kept.back(), "599");
}

}  // namespace
}  // namespace gps::engine
