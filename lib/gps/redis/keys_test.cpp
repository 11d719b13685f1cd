#include "gps/redis/keys.h"

#include <gtest/gtest.h>

#include <string>

#include "gps/testing/test_util.h"

namespace gps::redis {
namespace {

using testing::kDeviceId;

// The part of a key Redis Cluster hashes: between the first '{' and the next '}', if non-empty.
std::string HashTag(const std::string& key) {
  std::size_t open = key.find('{');
  if (open == std::string::npos) {
    return key;
  }
  std::size_t close = key.find('}', open + 1);
  if (close == std::string::npos || close == open + 1) {
    return key;
  }
  return key.substr(open + 1, close - open - 1);
}

TEST(RedisKeys, DeviceKeysCarryTheDeviceHashTagAndThePrefix) {
  Keys keys;
  EXPECT_EQ(keys.prefix(), "gps");
  EXPECT_EQ(keys.Saga(kDeviceId), "gps:{" + kDeviceId + "}:saga");
  EXPECT_EQ(keys.Outbox(kDeviceId), "gps:{" + kDeviceId + "}:outbox");
  EXPECT_EQ(keys.LastSeen(kDeviceId), "gps:{" + kDeviceId + "}:seen");
}

TEST(RedisKeys, EveryKeyOfOneDeviceHashesToTheSameSlot) {
  Keys keys;
  const std::string tag = HashTag(keys.Saga(kDeviceId));
  EXPECT_EQ(tag, kDeviceId);
  EXPECT_EQ(HashTag(keys.Outbox(kDeviceId)), tag);
  EXPECT_EQ(HashTag(keys.LastSeen(kDeviceId)), tag);
}

TEST(RedisKeys, DifferentDevicesGetDifferentKeys) {
  Keys keys;
  const std::string other(64, 'a');
  EXPECT_NE(keys.Saga(kDeviceId), keys.Saga(other));
  EXPECT_NE(HashTag(keys.Saga(kDeviceId)), HashTag(keys.Saga(other)));
  EXPECT_NE(keys.Saga(kDeviceId), keys.Outbox(kDeviceId));
  EXPECT_NE(keys.Outbox(kDeviceId), keys.LastSeen(kDeviceId));
}

TEST(RedisKeys, NameReservationCarriesTheNameHashTag) {
  Keys keys;
  EXPECT_EQ(keys.Name("gw-berlin-0042"), "gps:name:{gw-berlin-0042}");
  EXPECT_EQ(HashTag(keys.Name("gw-berlin-0042")), "gw-berlin-0042");
  EXPECT_NE(keys.Name("gw-1"), keys.Name("gw-2"));
}

TEST(RedisKeys, DeviceIndexIsUnderThePrefix) {
  EXPECT_EQ(Keys().DeviceIndex(), "gps:devices");
  EXPECT_EQ(Keys("tenant-a").DeviceIndex(), "tenant-a:devices");
}

TEST(RedisKeys, TimersAreOneSetPerDeployment) {
  EXPECT_EQ(Keys().Timers(), "gps:timers");
  EXPECT_EQ(Keys("tenant-a").Timers(), "tenant-a:timers");
}

TEST(RedisKeys, PendingIsOneSetPerDeployment) {
  EXPECT_EQ(Keys().Pending(), "gps:pending");
  EXPECT_EQ(Keys("tenant-a").Pending(), "tenant-a:pending");
}

TEST(RedisKeys, HistoryIsWrittenWithTheSagaInOneSlot) {
  Keys keys;
  EXPECT_EQ(keys.History(kDeviceId), "gps:{" + kDeviceId + "}:history");
  EXPECT_EQ(HashTag(keys.History(kDeviceId)), HashTag(keys.Saga(kDeviceId)));
}

TEST(RedisKeys, AllowListAndAuditAreOneKeyPerDeployment) {
  EXPECT_EQ(Keys().AllowList(), "gps:allowlist");
  EXPECT_EQ(Keys::AllowListMacField("02:42:ac:11:00:02"), "mac:02:42:ac:11:00:02");
  EXPECT_EQ(Keys::AllowListFingerprintField("SHA256:abc"), "fp:SHA256:abc");
  EXPECT_EQ(Keys().Audit(), "gps:audit");
}

TEST(RedisKeys, UiKeysShareOneSlot) {
  Keys keys;
  EXPECT_EQ(keys.UiUsers(), "gps:{ui}:users");
  EXPECT_EQ(keys.UiUser("alice"), "gps:{ui}:user:alice");
  EXPECT_EQ(keys.UiSession("ab12"), "gps:{ui}:session:ab12");
  for (const std::string& key :
       {keys.UiUsers(), keys.UiUser("alice"), keys.UiUserSessions("alice"), keys.UiSession("ab12"),
        keys.UiTokens(), keys.UiToken("cd34"), keys.UiLoginFailures("alice")}) {
    EXPECT_EQ(HashTag(key), "ui") << key;
  }
  EXPECT_NE(keys.UiUser("alice"), keys.UiUserSessions("alice"));
}

TEST(RedisKeys, ACustomPrefixIsUsedEverywhere) {
  Keys keys("staging");
  EXPECT_EQ(keys.prefix(), "staging");
  for (const std::string& key :
       {keys.Saga(kDeviceId), keys.Outbox(kDeviceId), keys.LastSeen(kDeviceId), keys.Name("gw-1"),
        keys.DeviceIndex(), keys.Timers(), keys.Pending(), keys.History(kDeviceId),
        keys.AllowList(), keys.Audit(), keys.UiUsers(), keys.UiUser("a"), keys.UiSession("s"),
        keys.UiToken("t")}) {
    EXPECT_EQ(key.rfind("staging:", 0), 0u) << key;
  }
  EXPECT_EQ(HashTag(keys.Saga(kDeviceId)), kDeviceId);
  EXPECT_NE(keys.Saga(kDeviceId), Keys().Saga(kDeviceId));
}

}  // namespace
}  // namespace gps::redis
