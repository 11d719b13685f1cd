#include "gps/crypto/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace gps::crypto {
namespace {

struct Vector {
  const char* plain;
  const char* base64;
  const char* hex;
};

// RFC 4648 section 10 (hex in lower case, which is what we emit).
constexpr Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "66"},
    {"fo", "Zm8=", "666f"},
    {"foo", "Zm9v", "666f6f"},
    {"foob", "Zm9vYg==", "666f6f62"},
    {"fooba", "Zm9vYmE=", "666f6f6261"},
    {"foobar", "Zm9vYmFy", "666f6f626172"},
};

TEST(Base64, EncodesTheRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(v.plain), v.base64) << v.plain;
  }
}

TEST(Base64, DecodesTheRfc4648Vectors) {
  for (const Vector& v : kRfc4648) {
    Result<std::string> decoded = Base64Decode(v.base64);
    ASSERT_TRUE(decoded.ok()) << v.base64 << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, v.plain);
  }
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all += static_cast<char>(i);
  }
  for (std::size_t len = 0; len <= all.size(); len += 7) {
    std::string bytes = all.substr(0, len);
    Result<std::string> back = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(back.ok()) << len;
    EXPECT_EQ(*back, bytes);
  }
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64, UnpaddedDropsOnlyThePadding) {
  EXPECT_EQ(Base64EncodeUnpadded("f"), "Zg");
  EXPECT_EQ(Base64EncodeUnpadded("fo"), "Zm8");
  EXPECT_EQ(Base64EncodeUnpadded("foo"), "Zm9v");
  EXPECT_EQ(Base64EncodeUnpadded(""), "");
}

TEST(Base64, RefusesALengthThatIsNotAMultipleOfFour) {
  for (const char* text : {"Z", "Zg", "Zg=", "Zm9vY", "Zm9vYg=", "Zm9vYmFy="}) {
    Result<std::string> r = Base64Decode(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << text;
  }
}

TEST(Base64, RefusesMisplacedOrExcessPadding) {
  for (const char* text : {"====", "Z===", "=m9v", "Zm=v", "Zg==Zm9v", "Zm8=Zm9v", "Zg=a"}) {
    Result<std::string> r = Base64Decode(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << text;
  }
}

TEST(Base64, RefusesForeignCharactersAndWhitespace) {
  // '-' and '_' belong to the URL-safe alphabet, not the standard one.
  const std::string texts[] = {"Zm9-",     "Zm9_", "Zm9v\n",  "Zm 9",
                               " Zm9v",    "Zm.v", "Zm9\x80", std::string("Zm\0v", 4),
                               "Zm9vZm9\t"};
  for (const std::string& text : texts) {
    Result<std::string> r = Base64Decode(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << text;
  }
}

TEST(Base64, RefusesNonCanonicalTrailingBits) {
  // "Zg==" is 'f'; "Zh==" sets a bit that the padding throws away.
  EXPECT_FALSE(Base64Decode("Zh==").ok());
  EXPECT_FALSE(Base64Decode("Zv==").ok());
  // "Zm8=" is "fo"; "Zm9=" sets one of the two discarded bits.
  EXPECT_FALSE(Base64Decode("Zm9=").ok());
  EXPECT_FALSE(Base64Decode("Zm/=").ok());
  EXPECT_TRUE(Base64Decode("Zg==").ok());
  EXPECT_TRUE(Base64Decode("Zm8=").ok());
}

TEST(Hex, EncodesLowerCase) {
  for (const Vector& v : kRfc4648) {
    EXPECT_EQ(HexEncode(v.plain), v.hex);
  }
  EXPECT_EQ(HexEncode(std::string("\x00\xab\xff", 3)), "00abff");
}

TEST(Hex, DecodesWhatItEncodes) {
  for (const Vector& v : kRfc4648) {
    Result<std::string> decoded = HexDecode(v.hex);
    ASSERT_TRUE(decoded.ok()) << v.hex;
    EXPECT_EQ(*decoded, v.plain);
  }
  Result<std::string> bytes = HexDecode("00abff");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string("\x00\xab\xff", 3));
}

TEST(Hex, RefusesOddLength) {
  for (const char* text : {"a", "abc", "66f"}) {
    Result<std::string> r = HexDecode(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.status().IsInvalidArgument());
  }
}

TEST(Hex, RefusesForeignCharacters) {
  for (const char* text : {"0g", "g0", "  ", "0x12", "12 3", "-1", "zz"}) {
    EXPECT_FALSE(HexDecode(text).ok()) << text;
  }
}

TEST(UrlEncode, KeepsUnreservedCharacters) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(UrlEncode(unreserved), unreserved);
}

TEST(UrlEncode, EscapesEverythingElseWithUpperCaseHex) {
  EXPECT_EQ(UrlEncode("0ne00000000/registrations/gw-1"), "0ne00000000%2Fregistrations%2Fgw-1");
  EXPECT_EQ(UrlEncode("+/="), "%2B%2F%3D");
  EXPECT_EQ(UrlEncode("a b&c"), "a%20b%26c");
  EXPECT_EQ(UrlEncode("\xff\x01"), "%FF%01");
  EXPECT_EQ(UrlEncode("\xc3\xa4"), "%C3%A4");  // UTF-8 per byte
}

TEST(UrlDecode, ReadsEscapesInEitherCaseAndPlusAsSpace) {
  Result<std::string> upper = UrlDecode("a%2Fb%2fc+d");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, "a/b/c d");
  Result<std::string> round = UrlDecode(UrlEncode("x/y z+=\xff"));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(*round, "x/y z+=\xff");
}

TEST(UrlDecode, RefusesMalformedEscapes) {
  for (const char* text : {"%", "%2", "a%", "a%4", "%zz", "%2g", "%g2", "100%"}) {
    Result<std::string> r = UrlDecode(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << text;
  }
  EXPECT_TRUE(UrlDecode("%41").ok());
}

}  // namespace
}  // namespace gps::crypto
