#include "device-client/client_loop.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "gps/protocol/topics.h"

namespace gps::device_client {
namespace {

// MQTT filter matching for the two wildcards, enough to check our own filter.
bool Matches(const std::string& filter, const std::string& topic) {
  std::size_t f = 0;
  std::size_t t = 0;
  while (f < filter.size() && t <= topic.size()) {
    if (filter[f] == '#') {
      return true;
    }
    if (filter[f] == '+') {
      std::size_t slash = topic.find('/', t);
      t = slash == std::string::npos ? topic.size() : slash;
      ++f;
      continue;
    }
    if (t >= topic.size() || filter[f] != topic[t]) {
      return false;
    }
    ++f;
    ++t;
  }
  return f == filter.size() && t == topic.size();
}

TEST(DeviceSubscriptionsTest, CoverOwnCredentialsAndStatusOnly) {
  const std::string id(64, 'a');
  const std::string other(64, 'b');
  std::vector<mqtt::Subscription> subs = DeviceSubscriptions(id);
  ASSERT_EQ(subs.size(), 2u);
  using K = protocol::DeviceTopicKind;
  auto any_matches = [&](const std::string& topic) {
    return std::any_of(subs.begin(), subs.end(),
                       [&](const mqtt::Subscription& s) { return Matches(s.filter, topic); });
  };
  EXPECT_TRUE(any_matches(protocol::DeviceTopic(id, K::kCredentials)));
  EXPECT_TRUE(any_matches(protocol::DeviceTopic(id, K::kStatus)));
  EXPECT_FALSE(any_matches(protocol::DeviceTopic(id, K::kAnnounce)));
  EXPECT_FALSE(any_matches(protocol::DeviceTopic(id, K::kAck)));
  EXPECT_FALSE(any_matches(protocol::DeviceTopic(other, K::kCredentials)));
  EXPECT_FALSE(any_matches(protocol::DeviceTopic(other, K::kStatus)));
  EXPECT_FALSE(any_matches("gps/v1/commands/approve"));
  for (const mqtt::Subscription& s : subs) {
    EXPECT_EQ(s.qos, 1);
    EXPECT_EQ(s.filter.find_first_of("#+"), std::string::npos) << s.filter;
  }
}

TEST(MonotonicClockTest, NeverGoesBack) {
  MonotonicClock clock;
  Instant last = clock.Now();
  for (int i = 0; i < 1000; ++i) {
    Instant now = clock.Now();
    EXPECT_GE(now, last);
    last = now;
  }
}

}  // namespace
}  // namespace gps::device_client
