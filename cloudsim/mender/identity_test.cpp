#include "cloudsim/mender/identity.h"

#include <gtest/gtest.h>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim::mender {
namespace {

std::string Canonical(std::string_view text) {
  Result<json::Document> doc = json::Parse(text, 1 << 16, "identity");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return GoJson(doc->Root());
}

TEST(GoJson, SortsKeysRecursivelyAndIsCompact) {
  EXPECT_EQ(Canonical(R"({ "sn" : "X1", "mac":"aa:bb", "b":{"z":1,"a":[true,null]} })"),
            R"({"b":{"a":[true,null],"z":1},"mac":"aa:bb","sn":"X1"})");
}

TEST(GoJson, LastDuplicateKeyWinsLikeAGoMap) {
  EXPECT_EQ(Canonical(R"({"mac":"first","mac":"second"})"), R"({"mac":"second"})");
}

TEST(GoJson, EscapesStringsTheWayGoDoes) {
  EXPECT_EQ(Canonical(R"({"k":"a<b>&c\"d\\e\n\u0001\u2028"})"),
            R"({"k":"a\u003cb\u003e\u0026c\"d\\e\n\u0001\u2028"})");
  EXPECT_EQ(Canonical(R"({"k":"caf\u00e9"})"), "{\"k\":\"caf\xC3\xA9\"}");
}

TEST(GoJson, NumbersAreGoFloat64) {
  EXPECT_EQ(Canonical(R"({"a":1,"b":1.0,"c":-0.5,"d":1e21,"e":1e-7,"g":0.1})"),
            R"({"a":1,"b":1,"c":-0.5,"d":1e+21,"e":1e-7,"g":0.1})");
  EXPECT_EQ(GoFloat(100), "100");
  EXPECT_EQ(GoFloat(0.000001), "0.000001");
  EXPECT_EQ(GoFloat(1.5e300), "1.5e+300");
  EXPECT_EQ(GoFloat(0), "0");
}

TEST(CanonicalizeIdentity, RoundsNumbersToTheNearestFloat64LikeGo) {
  Result<CanonicalIdentity> id = CanonicalizeIdentity(
      R"({"pubkey":"x","identity_data":{"sn":123456789012345678901,"mac":"aa","n":2}})");
  ASSERT_TRUE(id.ok());
  // Go: float64(123456789012345678901) prints as 123456789012345680000.
  EXPECT_EQ(id->text, R"({"mac":"aa","n":2,"sn":123456789012345680000})");
  ASSERT_EQ(id->attributes.size(), 3u);
  EXPECT_EQ(id->attributes[0], (std::pair<std::string, std::string>{"mac", "\"aa\""}));
  EXPECT_EQ(id->attributes[1].second, "2");
  EXPECT_FALSE(CanonicalizeIdentity(R"({"identity_data":"x"})").ok());
  EXPECT_FALSE(CanonicalizeIdentity("[1]").ok());
}

TEST(IdentityHash, IsSha256HexOfTheCanonicalText) {
  std::string canonical = Canonical(R"({"mac":"aa:bb:cc:dd:ee:ff"})");
  EXPECT_EQ(canonical, R"({"mac":"aa:bb:cc:dd:ee:ff"})");
  EXPECT_EQ(IdentityHash(canonical), crypto::HexEncode(crypto::Sha256(canonical)));
  EXPECT_EQ(IdentityHash(canonical),
            "ffe455352f5e81357c09d7def7d0d0404150712d7d3e137b35962e9fc4edfa82");
}

TEST(IdentityHash, CaseAndExtraAttributesMakeDifferentDevices) {
  std::string lower = IdentityHash(Canonical(R"({"mac":"aa:bb:cc:dd:ee:ff"})"));
  std::string upper = IdentityHash(Canonical(R"({"mac":"AA:BB:CC:DD:EE:FF"})"));
  std::string extra = IdentityHash(Canonical(R"({"mac":"aa:bb:cc:dd:ee:ff","sku":"x"})"));
  std::string reordered = IdentityHash(Canonical(R"({"sku":"x","mac":"aa:bb:cc:dd:ee:ff"})"));
  EXPECT_NE(lower, upper);
  EXPECT_NE(lower, extra);
  EXPECT_EQ(extra, reordered);
}

}  // namespace
}  // namespace gps::cloudsim::mender
