#include "gps/crypto/seal.h"

#include <gtest/gtest.h>

#include <string>

#include "gps/crypto/encoding.h"
#include "gps/testing/test_util.h"

namespace gps::crypto {
namespace {

using testing::Must;

// Sealed layout: version (1) | ephemeral public key (32) | nonce (12) | ciphertext | tag (16).
constexpr std::size_t kEphemeralAt = 1;
constexpr std::size_t kNonceAt = kEphemeralAt + 32;
constexpr std::size_t kCiphertextAt = kNonceAt + 12;
constexpr std::size_t kTagSize = 16;

constexpr char kContext[] = "gps/v1 bundle 3f2a 7";

TransportKeyPair MustGenerate() { return Must(TransportKeyPair::Generate()); }

std::string MustSeal(std::string_view public_raw, std::string_view plain,
                     std::string_view context) {
  return Must(Seal(public_raw, plain, context));
}

TEST(TransportKeyPair, GeneratesThirtyTwoByteHalves) {
  TransportKeyPair pair = MustGenerate();
  EXPECT_EQ(pair.private_raw().size(), kTransportKeySize);
  EXPECT_EQ(pair.public_raw().size(), kTransportKeySize);
  EXPECT_NE(pair.private_raw(), pair.public_raw());
  EXPECT_NE(MustGenerate().public_raw(), pair.public_raw());
}

TEST(TransportKeyPair, FromPrivateRecreatesTheSamePublicKey) {
  TransportKeyPair pair = MustGenerate();
  Result<TransportKeyPair> again = TransportKeyPair::FromPrivate(pair.private_raw());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->public_raw(), pair.public_raw());
  EXPECT_EQ(again->private_raw(), pair.private_raw());
}

TEST(TransportKeyPair, MatchesTheRfc7748TestVector) {
  // RFC 7748 section 6.1: Alice's private key and public key.
  Result<std::string> priv =
      HexDecode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  ASSERT_TRUE(priv.ok());
  Result<TransportKeyPair> pair = TransportKeyPair::FromPrivate(*priv);
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(HexEncode(pair->public_raw()),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

TEST(TransportKeyPair, FromPrivateRefusesAWrongLength) {
  for (std::size_t len : {0, 1, 31, 33, 64}) {
    Result<TransportKeyPair> pair = TransportKeyPair::FromPrivate(std::string(len, '\x42'));
    EXPECT_FALSE(pair.ok()) << len;
    EXPECT_TRUE(pair.status().IsInvalidArgument()) << len;
  }
}

TEST(Seal, RoundTrips) {
  TransportKeyPair pair = MustGenerate();
  const std::string plain = "{\"v\":1,\"secret\":\"hunter2\"}";
  std::string sealed = MustSeal(pair.public_raw(), plain, kContext);
  EXPECT_EQ(sealed.size(), 1 + 32 + 12 + plain.size() + kTagSize);
  EXPECT_EQ(static_cast<unsigned char>(sealed[0]), 0x01);
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
  Result<std::string> opened = Open(pair.private_raw(), sealed, kContext);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plain);
}

TEST(Seal, RoundTripsEmptyAndBinaryPlaintext) {
  TransportKeyPair pair = MustGenerate();
  std::string binary;
  for (int i = 0; i < 5000; ++i) {
    binary += static_cast<char>(i * 7);
  }
  for (const std::string& plain : {std::string(), binary}) {
    Result<std::string> opened =
        Open(pair.private_raw(), MustSeal(pair.public_raw(), plain, ""), "");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Seal, UsesAFreshEphemeralKeyAndNonceEachTime) {
  TransportKeyPair pair = MustGenerate();
  std::string a = MustSeal(pair.public_raw(), "same", kContext);
  std::string b = MustSeal(pair.public_raw(), "same", kContext);
  EXPECT_NE(a.substr(kEphemeralAt, 32), b.substr(kEphemeralAt, 32));
  EXPECT_NE(a.substr(kNonceAt, 12), b.substr(kNonceAt, 12));
  EXPECT_NE(a, b);
}

TEST(Seal, RefusesARecipientKeyOfTheWrongSize) {
  for (std::size_t len : {0, 31, 33}) {
    Result<std::string> sealed = Seal(std::string(len, '\x09'), "x", kContext);
    EXPECT_FALSE(sealed.ok()) << len;
    EXPECT_TRUE(sealed.status().IsInvalidArgument()) << len;
  }
}

TEST(Open, RefusesTamperingWithAnyByte) {
  TransportKeyPair pair = MustGenerate();
  const std::string sealed = MustSeal(pair.public_raw(), "credential bundle", kContext);
  ASSERT_FALSE(sealed.empty());
  // Every byte: version, ephemeral key, nonce, ciphertext and tag; two different bit flips each
  // (0x80 on the last ephemeral key byte is the bit X25519 itself ignores).
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char flip : {0x01, 0x80}) {
      std::string altered = sealed;
      altered[i] = static_cast<char>(static_cast<unsigned char>(altered[i]) ^ flip);
      Result<std::string> opened = Open(pair.private_raw(), altered, kContext);
      std::string where = i == 0                         ? "version"
                          : i < kNonceAt                 ? "ephemeral key"
                          : i < kCiphertextAt            ? "nonce"
                          : i < sealed.size() - kTagSize ? "ciphertext"
                                                         : "tag";
      ASSERT_FALSE(opened.ok()) << "byte " << i << " (" << where << ")";
      EXPECT_TRUE(opened.status().IsPermissionDenied())
          << "byte " << i << " (" << where << "): " << opened.status().ToString();
    }
  }
}

TEST(Open, RefusesATruncatedOrExtendedBlob) {
  TransportKeyPair pair = MustGenerate();
  const std::string sealed = MustSeal(pair.public_raw(), "credential bundle", kContext);
  EXPECT_FALSE(Open(pair.private_raw(), sealed.substr(0, sealed.size() - 1), kContext).ok());
  EXPECT_TRUE(Open(pair.private_raw(), sealed + "x", kContext).status().IsPermissionDenied());
}

TEST(Open, RefusesTheWrongPrivateKey) {
  TransportKeyPair pair = MustGenerate();
  TransportKeyPair other = MustGenerate();
  std::string sealed = MustSeal(pair.public_raw(), "secret", kContext);
  Result<std::string> opened = Open(other.private_raw(), sealed, kContext);
  EXPECT_TRUE(opened.status().IsPermissionDenied()) << opened.status().ToString();
}

TEST(Open, RefusesTheWrongContext) {
  TransportKeyPair pair = MustGenerate();
  std::string sealed = MustSeal(pair.public_raw(), "secret", "gps/v1 bundle dev-a 1");
  for (const char* context :
       {"gps/v1 bundle dev-a 2", "gps/v1 bundle dev-b 1", "", "gps/v1 bundle dev-a 1 "}) {
    Result<std::string> opened = Open(pair.private_raw(), sealed, context);
    EXPECT_TRUE(opened.status().IsPermissionDenied()) << context;
  }
}

TEST(Open, RefusesInputShorterThanHeaderAndTag) {
  TransportKeyPair pair = MustGenerate();
  // The shortest possible blob is 1 + 32 + 12 + 16 = 61 bytes (empty plaintext).
  for (std::size_t len : {0, 1, 33, 45, 60}) {
    std::string blob(len, '\0');
    if (len > 0) {
      blob[0] = '\x01';
    }
    Result<std::string> opened = Open(pair.private_raw(), blob, kContext);
    EXPECT_FALSE(opened.ok()) << len;
    EXPECT_TRUE(opened.status().IsInvalidArgument()) << len;
  }
}

TEST(Open, RefusesAPrivateKeyOfTheWrongSize) {
  TransportKeyPair pair = MustGenerate();
  std::string sealed = MustSeal(pair.public_raw(), "secret", kContext);
  Result<std::string> opened = Open(pair.private_raw().substr(0, 31), sealed, kContext);
  EXPECT_FALSE(opened.ok());
}

}  // namespace
}  // namespace gps::crypto
