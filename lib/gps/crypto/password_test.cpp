#include "gps/crypto/password.h"

#include <gtest/gtest.h>

#include "gps/crypto/encoding.h"

namespace gps::crypto {
namespace {

// Cheap costs keep the tests fast; the format and the comparison are the same at any cost.
constexpr ScryptCost kCheap{.log_n = 10, .r = 8, .p = 1};

TEST(Scrypt, MatchesTheRfc7914Vector) {
  // RFC 7914 section 12, the second vector: P="password", S="NaCl", N=1024, r=8, p=16.
  Result<std::string> out = Scrypt("password", "NaCl", {.log_n = 10, .r = 8, .p = 16}, 64);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(HexEncode(*out),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST(Scrypt, RefusesCostsBeyondTheBounds) {
  EXPECT_FALSE(Scrypt("pw", "salt", {.log_n = 25, .r = 8, .p = 1}, 32).ok());
  EXPECT_FALSE(Scrypt("pw", "salt", {.log_n = 20, .r = 8, .p = 1}, 32).ok());  // 1 GiB
  EXPECT_FALSE(Scrypt("pw", "salt", {.log_n = 10, .r = 8, .p = 17}, 32).ok());
  EXPECT_FALSE(Scrypt("pw", "salt", {.log_n = 0, .r = 8, .p = 1}, 32).ok());
}

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  Result<std::string> stored = HashPassword("correct horse battery staple", kCheap);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->rfind("$scrypt$ln=10,r=8,p=1$", 0), 0u) << *stored;
  EXPECT_EQ(VerifyPassword("correct horse battery staple", *stored).value_or(false), true);
  EXPECT_EQ(VerifyPassword("correct horse battery stapl", *stored).value_or(true), false);
  EXPECT_EQ(VerifyPassword("", *stored).value_or(true), false);
}

TEST(PasswordHash, SaltsEveryHash) {
  Result<std::string> a = HashPassword("same password", kCheap);
  Result<std::string> b = HashPassword("same password", kCheap);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("same password", *b).value_or(false));
}

TEST(PasswordHash, TheDefaultCostIsTheSlowOne) {
  Result<std::string> stored = HashPassword("pw");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->rfind("$scrypt$ln=15,r=8,p=1$", 0), 0u) << *stored;
}

TEST(PasswordHash, RefusesEmptyAndOversizedPasswords) {
  EXPECT_FALSE(HashPassword("", kCheap).ok());
  EXPECT_FALSE(HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), kCheap).ok());
}

TEST(PasswordHash, UnreadableStoredHashesAreErrorsNotMatches) {
  Result<std::string> good = HashPassword("pw", kCheap);
  ASSERT_TRUE(good.ok());
  const std::string salt_and_hash = good->substr(good->find("$", 8));
  for (const std::string& bad :
       {std::string(""), std::string("plain-text"), std::string("$pbkdf2$ln=10,r=8,p=1$abc$def"),
        "$scrypt$ln=10,r=8" + salt_and_hash, "$scrypt$ln=x,r=8,p=1" + salt_and_hash,
        "$scrypt$ln=30,r=8,p=1" + salt_and_hash, std::string("$scrypt$ln=10,r=8,p=1$!!!$!!!"),
        std::string("$scrypt$ln=10,r=8,p=1$c2FsdA")}) {
    Result<bool> r = VerifyPassword("pw", bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().find("pw"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace gps::crypto
