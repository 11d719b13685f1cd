#include "ui/store/allow_list_store.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

const std::string kFingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";

TEST(AllowListEntryTest, MacsAreMadeCanonical) {
  Result<AllowListEntry> e = MakeAllowListEntry("mac", "02-42-AC-11-00-02", "gw-1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->value, "02:42:ac:11:00:02");
  EXPECT_EQ(AllowListField(*e), "mac:02:42:ac:11:00:02");
}

TEST(AllowListEntryTest, FingerprintsAreCheckedAsTheyAre) {
  Result<AllowListEntry> e = MakeAllowListEntry("fingerprint", kFingerprint, "gw-1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(AllowListField(*e), "fp:" + kFingerprint);
  for (const std::string& bad :
       {kFingerprint.substr(0, 40), "sha256:" + kFingerprint.substr(7), kFingerprint + "=",
        std::string("SHA256:") + std::string(43, '!')}) {
    EXPECT_FALSE(MakeAllowListEntry("fingerprint", bad, "gw-1").ok()) << bad;
  }
}

TEST(AllowListEntryTest, TheNameFollowsTheNamingRules) {
  Result<AllowListEntry> e = MakeAllowListEntry("mac", "02:42:ac:11:00:02", "Bad_Name");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("invalid name"), std::string::npos);
  EXPECT_FALSE(MakeAllowListEntry("serial", "123", "gw-1").ok());
  EXPECT_FALSE(MakeAllowListEntry("mac", "02:42:ac:11:00", "gw-1").ok());
}

TEST(AllowListEntryTest, RoundTripsThroughRedisFormat) {
  AllowListEntry e = MakeAllowListEntry("fingerprint", kFingerprint, "gw-berlin-1").value();
  e.added_by = "ada";
  e.added_at = Instant{1763880000000};
  Result<AllowListEntry> back = DecodeAllowListEntry(AllowListField(e), EncodeAllowListValue(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kind, "fingerprint");
  EXPECT_EQ(back->value, kFingerprint);
  EXPECT_EQ(back->name, "gw-berlin-1");
  EXPECT_EQ(back->added_by, "ada");
  EXPECT_EQ(back->added_at, e.added_at);
  EXPECT_FALSE(DecodeAllowListEntry("serial:1", EncodeAllowListValue(e)).ok());
  EXPECT_FALSE(DecodeAllowListEntry("mac:02:42:AC:11:00:02", EncodeAllowListValue(e)).ok());
  EXPECT_FALSE(DecodeAllowListEntry(AllowListField(e), "not json").ok());
}

}  // namespace
}  // namespace gps::ui
