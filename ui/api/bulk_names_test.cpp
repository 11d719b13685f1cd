#include "ui/api/bulk_names.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

constexpr char kMac[] = "02:42:ac:11:00:0f";

TEST(BulkNamesTest, Placeholders) {
  EXPECT_EQ(RenderName("gw-{mac}", kMac, 1).value(), "gw-0242ac11000f");
  EXPECT_EQ(RenderName("gw-{mac6}", kMac, 1).value(), "gw-11000f");
  EXPECT_EQ(RenderName("gw-berlin-{n}", kMac, 42).value(), "gw-berlin-42");
  EXPECT_EQ(RenderName("gw-berlin-{n:4}", kMac, 42).value(), "gw-berlin-0042");
  EXPECT_EQ(RenderName("gw-{n:2}", kMac, 12345).value(), "gw-12345") << "never cut";
  EXPECT_EQ(RenderName("{mac6}-{n:3}", kMac, 7).value(), "11000f-007");
}

TEST(BulkNamesTest, BadPatternsSayWhy) {
  struct Case {
    std::string pattern;
    std::string error;
  };
  for (const Case& c :
       {Case{"gw-fixed", "no placeholder"}, Case{"gw-{serial}", "unknown placeholder"},
        Case{"gw-{mac6", "without '}'"}, Case{"gw-}x{n}", "without '{'"},
        Case{"GW-{n}", "cannot be part of a name"}, Case{"gw_{n}", "'_'"},
        Case{"gw-{n:0}", "unknown placeholder"}, Case{"", "1-128"}}) {
    Status st = ValidateNamePattern(c.pattern);
    EXPECT_FALSE(st.ok()) << c.pattern;
    EXPECT_NE(st.message().find(c.error), std::string::npos) << c.pattern << ": " << st.message();
    EXPECT_FALSE(RenderName(c.pattern, kMac, 1).ok()) << c.pattern;
  }
  EXPECT_TRUE(ValidateNamePattern("gw-{mac6}-{n:2}").ok());
}

TEST(BulkNamesTest, TheNameMadeMustBeValid) {
  Result<std::string> leading = RenderName("-{mac6}", kMac, 1);
  ASSERT_FALSE(leading.ok());
  EXPECT_NE(leading.status().message().find("'-11000f' is not valid"), std::string::npos);
  EXPECT_FALSE(RenderName(std::string(60, 'a') + "{mac6}", kMac, 1).ok()) << "too long";
  EXPECT_FALSE(RenderName("gw-{mac6}", "02-42-AC-11-00-0F", 1).ok()) << "not canonical";
}

}  // namespace
}  // namespace gps::ui
