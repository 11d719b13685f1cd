#include "engine/shell/allow_list.h"

#include <gtest/gtest.h>

namespace gps::engine {
namespace {

saga::Saga Pending() {
  saga::Saga s;
  s.device_id = std::string(64, 'a');
  s.phase = saga::Phase::kPending;
  s.mac = "02:42:ac:11:00:02";
  s.fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
  return s;
}

const std::optional<std::string> kNone;

TEST(AllowListTest, AMacEntryApprovesAPendingDevice) {
  std::string problem;
  std::optional<AllowListMatch> m =
      MatchAllowList(Pending(), kNone, R"({"name":"gw-listed","addedBy":"ada"})", &problem);
  ASSERT_TRUE(m.has_value()) << problem;
  EXPECT_EQ(m->name, "gw-listed");
  EXPECT_EQ(m->matched_by, "mac");
  EXPECT_EQ(m->value, "02:42:ac:11:00:02");
  EXPECT_TRUE(problem.empty());
}

TEST(AllowListTest, AFingerprintEntryWinsOverAMacEntry) {
  std::string problem;
  std::optional<AllowListMatch> m =
      MatchAllowList(Pending(), R"({"name":"gw-by-key"})", R"({"name":"gw-by-mac"})", &problem);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "gw-by-key");
  EXPECT_EQ(m->matched_by, "fingerprint");
  EXPECT_EQ(m->value, Pending().fingerprint);
}

TEST(AllowListTest, NoEntryNoApproval) {
  std::string problem;
  EXPECT_FALSE(MatchAllowList(Pending(), kNone, kNone, &problem).has_value());
  EXPECT_TRUE(problem.empty());
}

TEST(AllowListTest, OnlyANeverApprovedPendingDevice) {
  const std::optional<std::string> entry = R"({"name":"gw-listed"})";
  std::string problem;
  for (saga::Phase phase :
       {saga::Phase::kCheckingName, saga::Phase::kProvisioning, saga::Phase::kProvisioned,
        saga::Phase::kFailed, saga::Phase::kDismissed, saga::Phase::kRevoked}) {
    saga::Saga s = Pending();
    s.phase = phase;
    EXPECT_FALSE(MatchAllowList(s, entry, entry, &problem).has_value()) << saga::PhaseName(phase);
  }
  // An approval that went back to pending (its name was taken) waits for an operator.
  saga::Saga returned = Pending();
  returned.generation = 1;
  returned.last_error = "the name gw-listed is taken in Mender";
  EXPECT_FALSE(MatchAllowList(returned, entry, entry, &problem).has_value());
  EXPECT_TRUE(problem.empty());
}

TEST(AllowListTest, UnusableEntriesApproveNothingAndSayWhy) {
  for (const char* bad :
       {"not json", R"({"label":"x"})", R"({"name":42})", R"({"name":"Bad_Name"})"}) {
    std::string problem;
    // A bad fingerprint entry does not fall back to the MAC entry.
    EXPECT_FALSE(MatchAllowList(Pending(), std::string(bad), R"({"name":"gw-by-mac"})", &problem)
                     .has_value())
        << bad;
    EXPECT_NE(problem.find("allow-list entry for fingerprint"), std::string::npos) << problem;
  }
}

}  // namespace
}  // namespace gps::engine
