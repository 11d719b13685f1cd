#include "gps/core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace gps {
namespace {

TEST(Text, EqualsIgnoreCaseComparesAsciiLettersCaselessly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "Content-Typ"));
  EXPECT_FALSE(EqualsIgnoreCase("a-b", "a_b"));
  // Only letters fold: '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
}

TEST(Text, ToLowerLeavesAllButAsciiLettersAlone) {
  EXPECT_EQ(ToLower("MyDps.Azure-Devices.NET"), "mydps.azure-devices.net");
  EXPECT_EQ(ToLower("\xC3\x84 [Z]"), "\xC3\x84 [z]");
  EXPECT_EQ(ToLower(""), "");
}

TEST(Text, TrimBlanksRemovesSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(TrimBlanks(" \t application/json \t"), "application/json");
  EXPECT_EQ(TrimBlanks("a b"), "a b");
  EXPECT_EQ(TrimBlanks(" \t "), "");
  // Line breaks are not optional white space: a header value keeps them to be refused later.
  EXPECT_EQ(TrimBlanks("\nx\r"), "\nx\r");
}

TEST(Text, HasControlCharacterFindsC0AndDelete) {
  EXPECT_FALSE(HasControlCharacter("https://mender.example.com/api"));
  EXPECT_FALSE(HasControlCharacter(""));
  EXPECT_FALSE(HasControlCharacter("caf\xC3\xA9"));
  EXPECT_TRUE(HasControlCharacter("token\n"));
  EXPECT_TRUE(HasControlCharacter(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlCharacter("a\x7f"));
  EXPECT_TRUE(HasControlCharacter("\t"));
}

}  // namespace
}  // namespace gps
