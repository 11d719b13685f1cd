#include "gps/log/log.h"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "gps/core/clock.h"
#include "gps/json/json.h"

namespace gps::log {
namespace {

json::Document MustParseLine(const std::string& line) {
  Result<json::Document> doc = json::ParseObject(line, 1 << 16, "log line");
  if (!doc.ok()) {
    // gtest reports the exception as this test's failure and carries on with the next test.
    throw std::runtime_error(doc.status().ToString() + "\n" + line);
  }
  return std::move(doc).value();
}

TEST(LogFormatLine, IsOneJsonObjectWithTheFixedFieldsFirst) {
  std::string line = FormatLine("2026-11-23T07:22:01.123Z", Level::kWarn, "gps-engine",
                                "announce refused", {{"device_id", "3f2a"}, {"attempt", 3}});
  EXPECT_EQ(line, R"({"ts":"2026-11-23T07:22:01.123Z","level":"warn","proc":"gps-engine",)"
                  R"("msg":"announce refused","device_id":"3f2a","attempt":3})");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogFormatLine, EveryLevelHasItsName) {
  const std::pair<Level, const char*> levels[] = {{Level::kDebug, "debug"},
                                                  {Level::kInfo, "info"},
                                                  {Level::kWarn, "warn"},
                                                  {Level::kError, "error"}};
  for (const auto& [level, name] : levels) {
    json::Document doc = MustParseLine(FormatLine("t", level, "p", "m", {}));
    EXPECT_EQ(*doc.Root().GetString("level"), name);
  }
}

TEST(LogFormatLine, IntegerFieldsAreJsonNumbers) {
  std::int64_t big = 1763880000123;
  std::uint64_t unsigned_value = 42;
  json::Document doc = MustParseLine(
      FormatLine("t", Level::kInfo, "p", "m",
                 {{"int", -7}, {"int64", big}, {"uint64", unsigned_value}, {"str", "7"}}));
  json::Value root = doc.Root();
  EXPECT_EQ(root.Get("int")->TypeName(), "number");
  EXPECT_EQ(*root.GetInt("int"), -7);
  EXPECT_EQ(*root.GetInt("int64"), big);
  EXPECT_EQ(*root.GetInt("uint64"), 42);
  EXPECT_EQ(root.Get("str")->TypeName(), "string");
  EXPECT_EQ(*root.GetString("str"), "7");
}

TEST(LogFormatLine, EscapesEverythingThatCouldBreakTheLine) {
  const std::string nasty = "quote\" backslash\\ newline\n cr\r tab\t ctrl\x01 brace} end";
  std::string line = FormatLine("t", Level::kError, "proc\"x", nasty, {{"err", nasty}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  json::Document doc = MustParseLine(line);
  EXPECT_EQ(*doc.Root().GetString("msg"), nasty);
  EXPECT_EQ(*doc.Root().GetString("err"), nasty);
  EXPECT_EQ(*doc.Root().GetString("proc"), "proc\"x");
}

TEST(LogFormatLine, StaysValidJsonForTextThatIsNotUtf8) {
  // An error from a cloud can carry any bytes; the line must still parse.
  json::Document doc =
      MustParseLine(FormatLine("t", Level::kError, "p", "bad \xff\xfe", {{"err", "cut \xe2\x82"}}));
  EXPECT_TRUE(doc.Root().GetString("msg").ok());
}

class LogWriteTest : public testing::Test {
 protected:
  void SetUp() override {
    SetSinkForTest([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    SetSinkForTest(nullptr);
    Init("gps", Level::kInfo);
  }
  std::vector<std::string> lines_;
};

TEST_F(LogWriteTest, WritesOneLineWithProcAndTimestamp) {
  Init("gps-test", Level::kDebug);
  Info("hello", {{"saga_id", "s1"}});
  ASSERT_EQ(lines_.size(), 1u);
  json::Document doc = MustParseLine(lines_[0]);
  EXPECT_EQ(*doc.Root().GetString("proc"), "gps-test");
  EXPECT_EQ(*doc.Root().GetString("msg"), "hello");
  EXPECT_EQ(*doc.Root().GetString("level"), "info");
  EXPECT_EQ(*doc.Root().GetString("saga_id"), "s1");
  std::string ts = *doc.Root().GetString("ts");
  EXPECT_TRUE(std::regex_match(ts, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << ts;
}

TEST_F(LogWriteTest, DropsLinesBelowTheMinimumLevel) {
  Init("gps-test", Level::kWarn);
  Debug("d");
  Info("i");
  Warn("w");
  Error("e");
  ASSERT_EQ(lines_.size(), 2u);
  EXPECT_EQ(*MustParseLine(lines_[0]).Root().GetString("msg"), "w");
  EXPECT_EQ(*MustParseLine(lines_[1]).Root().GetString("msg"), "e");
}

TEST(LogParseLevel, ReadsTheFourNamesOnly) {
  Level level = Level::kError;
  ASSERT_TRUE(ParseLevel("debug", &level));
  EXPECT_EQ(level, Level::kDebug);
  ASSERT_TRUE(ParseLevel("info", &level));
  EXPECT_EQ(level, Level::kInfo);
  ASSERT_TRUE(ParseLevel("warn", &level));
  EXPECT_EQ(level, Level::kWarn);
  ASSERT_TRUE(ParseLevel("error", &level));
  EXPECT_EQ(level, Level::kError);
  for (const char* bad : {"", "INFO", "warning", "trace", "info "}) {
    EXPECT_FALSE(ParseLevel(bad, &level)) << bad;
  }
  EXPECT_EQ(level, Level::kError);  // untouched by failures
}

TEST(Rfc3339, FormatsMillisecondsInUtc) {
  EXPECT_EQ(gps::FormatRfc3339(gps::Instant{0}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(gps::FormatRfc3339(gps::Instant{1763880000123}), "2025-11-23T06:40:00.123Z");
  EXPECT_EQ(gps::FormatRfc3339(gps::Instant{-1}), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace gps::log
