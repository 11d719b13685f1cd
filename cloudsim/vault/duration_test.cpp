#include "cloudsim/vault/duration.h"

#include <gtest/gtest.h>

namespace gps::cloudsim::vault {
namespace {

std::int64_t Secs(std::string_view text) {
  Result<std::int64_t> r = ParseDurationSeconds(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.value_or(-1);
}

TEST(ParseDurationSeconds, FormsVaultAccepts) {
  EXPECT_EQ(Secs("720h"), 720 * 3600);
  EXPECT_EQ(Secs("30m"), 1800);
  EXPECT_EQ(Secs("3600"), 3600);
  EXPECT_EQ(Secs("3600s"), 3600);
  EXPECT_EQ(Secs("1h30m"), 5400);
  EXPECT_EQ(Secs("1.5h"), 5400);
  EXPECT_EQ(Secs("7d"), 7 * 24 * 3600);
  EXPECT_EQ(Secs("1500ms"), 1);  // fractions of a second are truncated
  EXPECT_EQ(Secs("0"), 0);
  EXPECT_EQ(Secs(""), 0);
}

TEST(ParseDurationSeconds, RefusesGarbageAndNegatives) {
  for (std::string_view bad :
       {"abc", "10x", "h", "1.h.", "-5m", "12y", "1d2h", "99999999999999999h"}) {
    EXPECT_FALSE(ParseDurationSeconds(bad).ok()) << bad;
  }
}

TEST(ParseDurationValue, NumbersAreSecondsStringsAreParsedNullIsZero) {
  auto parse = [](std::string_view text) {
    json::Document doc = json::Parse(text, 1024, "v").value();
    return ParseDurationValue(doc.Root());
  };
  EXPECT_EQ(parse("3600").value_or(-1), 3600);
  EXPECT_EQ(parse("\"720h\"").value_or(-1), 720 * 3600);
  EXPECT_EQ(parse("null").value_or(-1), 0);
  EXPECT_FALSE(parse("-1").ok());
  EXPECT_FALSE(parse("true").ok());
  EXPECT_FALSE(parse("[1]").ok());
}

TEST(GoDurationString, MatchesGo) {
  EXPECT_EQ(GoDurationString(720 * 3600), "720h0m0s");
  EXPECT_EQ(GoDurationString(1800), "30m0s");
  EXPECT_EQ(GoDurationString(61), "1m1s");
  EXPECT_EQ(GoDurationString(5), "5s");
  EXPECT_EQ(GoDurationString(0), "0s");
}

}  // namespace
}  // namespace gps::cloudsim::vault
