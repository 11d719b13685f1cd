#include "device-client/transport_key_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "device-client/file_writer.h"
#include "gps/config/config.h"
#include "gps/crypto/encoding.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::FileMode;
using gps::testing::TempDir;

class TransportKeyStoreTest : public ::testing::Test {
 protected:
  std::string StateDir() const { return dir_.File("var/lib/gps/state"); }
  std::string KeyPath() const { return StateDir() + "/transport.key"; }
  TempDir dir_;
};

TEST_F(TransportKeyStoreTest, FirstRunCreatesAPrivateKeyFile) {
  Result<LoadedTransportKey> k = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->origin, LoadedTransportKey::Origin::kCreated);
  EXPECT_EQ(FileMode(StateDir()), 0700);
  EXPECT_EQ(FileMode(KeyPath()), 0600);
  std::string content = config::ReadFile(KeyPath()).value_or("");
  EXPECT_EQ(content, crypto::Base64Encode(k->key.private_raw()) + "\n");
}

TEST_F(TransportKeyStoreTest, LaterRunsGetTheSameKey) {
  Result<LoadedTransportKey> first = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(first.ok());
  Result<LoadedTransportKey> second = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->origin, LoadedTransportKey::Origin::kLoaded);
  EXPECT_EQ(second->key.public_raw(), first->key.public_raw());
  EXPECT_FALSE(second->fixed_mode);
}

TEST_F(TransportKeyStoreTest, RawThirtyTwoByteFileIsRead) {
  Result<crypto::TransportKeyPair> pair = crypto::TransportKeyPair::Generate();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(EnsureDirectory(StateDir(), 0700).ok());
  ASSERT_TRUE(WriteFileAtomic(StateDir(), {"transport.key", pair->private_raw(), 0600}).ok());
  Result<LoadedTransportKey> k = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->origin, LoadedTransportKey::Origin::kLoaded);
  EXPECT_EQ(k->key.public_raw(), pair->public_raw());
}

TEST_F(TransportKeyStoreTest, TooOpenModeIsTightened) {
  ASSERT_TRUE(LoadOrCreateTransportKey(StateDir()).ok());
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0644), 0);
  Result<LoadedTransportKey> k = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->fixed_mode);
  EXPECT_EQ(FileMode(KeyPath()), 0600);
}

TEST_F(TransportKeyStoreTest, CorruptFileIsReplacedAndSaysWhy) {
  ASSERT_TRUE(EnsureDirectory(StateDir(), 0700).ok());
  ASSERT_TRUE(WriteFileAtomic(StateDir(), {"transport.key", "garbage!\n", 0600}).ok());
  Result<LoadedTransportKey> k = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->origin, LoadedTransportKey::Origin::kReplacedCorrupt);
  EXPECT_FALSE(k->problem.empty());
  Result<LoadedTransportKey> again = LoadOrCreateTransportKey(StateDir());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->origin, LoadedTransportKey::Origin::kLoaded);
  EXPECT_EQ(again->key.public_raw(), k->key.public_raw());
}

TEST_F(TransportKeyStoreTest, NonRegularFileIsAnError) {
  ASSERT_TRUE(EnsureDirectory(KeyPath(), 0700).ok());  // a directory where the key should be
  EXPECT_FALSE(LoadOrCreateTransportKey(StateDir()).ok());
}

TEST_F(TransportKeyStoreTest, RemoveDeletesTheKey) {
  ASSERT_TRUE(LoadOrCreateTransportKey(StateDir()).ok());
  EXPECT_TRUE(RemoveTransportKey(StateDir()).ok());
  EXPECT_FALSE(std::filesystem::exists(KeyPath()));
  EXPECT_TRUE(RemoveTransportKey(StateDir()).ok()) << "already gone is fine";
}

TEST(ParseTransportKeyFileTest, Formats) {
  Result<crypto::TransportKeyPair> pair = crypto::TransportKeyPair::Generate();
  ASSERT_TRUE(pair.ok());
  std::string b64 = crypto::Base64Encode(pair->private_raw());
  for (const std::string& text : {pair->private_raw(), b64, b64 + "\n", b64 + "\r\n"}) {
    Result<crypto::TransportKeyPair> parsed = ParseTransportKeyFile(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->public_raw(), pair->public_raw());
  }
  EXPECT_FALSE(ParseTransportKeyFile("").ok());
  EXPECT_FALSE(ParseTransportKeyFile(crypto::Base64Encode(std::string(16, 'x'))).ok());
  EXPECT_FALSE(ParseTransportKeyFile(" " + b64).ok());
}

}  // namespace
}  // namespace gps::device_client
