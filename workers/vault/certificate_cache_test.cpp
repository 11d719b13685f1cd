#include "workers/vault/certificate_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace gps::worker::vault {
namespace {

const Instant kNow{1'763'880'000'000};
constexpr std::int64_t kNowS = 1'763'880'000;

StoredCertificate Cert(std::string cn, std::int64_t not_after, bool revoked = false) {
  return StoredCertificate{std::move(cn), not_after, "key", revoked};
}

TEST(CertificateCacheTest, FindsWhatWasPut) {
  CertificateCache cache(10);
  EXPECT_FALSE(cache.Find("01:02").has_value());
  cache.Put("01:02", Cert("gw-1", kNowS + 60), kNow);
  std::optional<StoredCertificate> c = cache.Find("01:02");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->common_name, "gw-1");
  EXPECT_EQ(c->not_after, kNowS + 60);
  EXPECT_FALSE(c->revoked);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(CertificateCacheTest, RevocationOnlyGoesOneWay) {
  CertificateCache cache(10);
  cache.Put("01:02", Cert("gw-1", kNowS + 60), kNow);
  cache.MarkRevoked("01:02");
  cache.MarkRevoked("ff:ff");  // unknown: nothing kept
  EXPECT_TRUE(cache.Find("01:02")->revoked);
  EXPECT_FALSE(cache.Find("ff:ff").has_value());
  // A later read that still says live (an older replica's answer) does not undo it.
  cache.Put("01:02", Cert("gw-1", kNowS + 60, false), kNow);
  EXPECT_TRUE(cache.Find("01:02")->revoked);
  // A read that says revoked updates a live entry.
  cache.Put("03:04", Cert("gw-2", kNowS + 60), kNow);
  cache.Put("03:04", Cert("gw-2", kNowS + 60, true), kNow);
  EXPECT_TRUE(cache.Find("03:04")->revoked);
}

TEST(CertificateCacheTest, FullCacheDropsExpiredEntriesFirst) {
  CertificateCache cache(2);
  cache.Put("01", Cert("old", kNowS - 1), kNow);
  cache.Put("02", Cert("live", kNowS + 60), kNow);
  cache.Put("03", Cert("new", kNowS + 60), kNow);
  EXPECT_FALSE(cache.Find("01").has_value());
  EXPECT_TRUE(cache.Find("02").has_value());
  EXPECT_TRUE(cache.Find("03").has_value());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(CertificateCacheTest, FullCacheOfLiveEntriesKeepsWhatItHas) {
  CertificateCache cache(2);
  cache.Put("01", Cert("a", kNowS + 60), kNow);
  cache.Put("02", Cert("b", kNowS + 60), kNow);
  cache.Put("03", Cert("c", kNowS + 60), kNow);
  EXPECT_TRUE(cache.Find("01").has_value());
  EXPECT_TRUE(cache.Find("02").has_value());
  EXPECT_FALSE(cache.Find("03").has_value());
  EXPECT_EQ(cache.size(), 2u);
  // Once "01" has expired, and the minute between purges has passed, it makes room.
  Instant later = kNow + 120'000;
  cache.Put("04", Cert("d", kNowS + 600), later);
  EXPECT_FALSE(cache.Find("01").has_value());
  EXPECT_TRUE(cache.Find("04").has_value());
}

TEST(CertificateCacheTest, CapacityZeroKeepsNothing) {
  CertificateCache cache(0);
  cache.Put("01", Cert("a", kNowS + 60), kNow);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find("01").has_value());
}

TEST(CertificateCacheTest, ConcurrentUseIsSafe) {
  CertificateCache cache(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string serial = std::to_string(i % 300);
        cache.Put(serial, Cert("gw-" + std::to_string(t), kNowS + 60), kNow);
        if (i % 3 == 0) {
          cache.MarkRevoked(serial);
        }
        (void)cache.Find(serial);
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(cache.size(), 300u);
  EXPECT_TRUE(cache.Find("0")->revoked);
}

}  // namespace
}  // namespace gps::worker::vault
