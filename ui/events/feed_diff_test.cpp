#include "ui/events/feed_diff.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

std::map<std::string, DeviceSignature> Known(const std::vector<DeviceSignature>& list) {
  std::map<std::string, DeviceSignature> out;
  for (const DeviceSignature& s : list) {
    out[s.id] = s;
  }
  return out;
}

std::vector<std::string> Order(const std::vector<DeviceSignature>& list) {
  std::vector<std::string> out;
  for (const DeviceSignature& s : list) {
    out.push_back(s.id);
  }
  return out;
}

const std::vector<DeviceSignature> kBefore = {{"c", "3", "100"}, {"b", "1", "90"}, {"a", "7", ""}};

TEST(FeedDiffTest, NothingChanged) {
  FeedDiff d = DiffSignatures(Known(kBefore), Order(kBefore), kBefore);
  EXPECT_TRUE(d.changed.empty());
  EXPECT_TRUE(d.removed.empty());
  EXPECT_FALSE(d.order_changed);
}

TEST(FeedDiffTest, EverythingIsNewAtFirst) {
  FeedDiff d = DiffSignatures({}, {}, kBefore);
  EXPECT_EQ(d.changed, (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_FALSE(d.order_changed);
}

TEST(FeedDiffTest, ANewVersionOrAnnounceIsAChange) {
  std::vector<DeviceSignature> now = {
      {"d", "1", ""}, {"c", "4", "100"}, {"b", "1", "95"}, {"a", "7", ""}};
  FeedDiff d = DiffSignatures(Known(kBefore), Order(kBefore), now);
  EXPECT_EQ(d.changed, (std::vector<std::string>{"d", "c", "b"}));
  EXPECT_TRUE(d.removed.empty());
  EXPECT_FALSE(d.order_changed) << "a device added at the front keeps the others' order";
}

TEST(FeedDiffTest, RemovedAndReordered) {
  std::vector<DeviceSignature> now = {{"a", "7", ""}, {"c", "3", "100"}};
  FeedDiff d = DiffSignatures(Known(kBefore), Order(kBefore), now);
  EXPECT_TRUE(d.changed.empty());
  EXPECT_EQ(d.removed, (std::vector<std::string>{"b"}));
  EXPECT_TRUE(d.order_changed);
}

}  // namespace
}  // namespace gps::ui
