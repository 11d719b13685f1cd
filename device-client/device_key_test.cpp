#include "device-client/device_key.h"

#include <gtest/gtest.h>

#include "device-client/file_writer.h"
#include "gps/config/config.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::FileMode;
using gps::testing::TempDir;

TEST(DeviceKeyTest, MissingKeyWithoutGenerateIsNotFound) {
  TempDir dir;
  Result<DeviceKey> k = LoadDeviceKey(dir.File("mender-agent.pem"), false);
  EXPECT_TRUE(k.status().IsNotFound()) << k.status().ToString();
}

TEST(DeviceKeyTest, GenerateCreatesAnRsa3072KeyOnceWithMode0600) {
  TempDir dir;
  std::string path = dir.File("var/lib/mender/mender-agent.pem");
  Result<DeviceKey> first = LoadDeviceKey(path, true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->key.type(), crypto::KeyType::kRsa);
  EXPECT_EQ(FileMode(path), 0600);
  EXPECT_EQ(FileMode(dir.File("var/lib/mender")), 0700);
  EXPECT_EQ(FileMode(dir.File("var/lib")), 0755);

  Result<DeviceKey> second = LoadDeviceKey(path, true);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->generated) << "an existing key is never replaced";
  EXPECT_EQ(second->device_id, first->device_id);
}

TEST(DeviceKeyTest, IdentityIsDerivedFromTheKey) {
  TempDir dir;
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEd25519();
  ASSERT_TRUE(key.ok());
  Result<std::string> pem = key->ToPkcs8Pem();
  ASSERT_TRUE(pem.ok());
  ASSERT_TRUE(WriteFileAtomic(dir.path(), {"k.pem", *pem, 0600}).ok());
  Result<crypto::PublicKey> pub = key->Public();
  ASSERT_TRUE(pub.ok());

  Result<DeviceKey> k = LoadDeviceKey(dir.File("k.pem"), false);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->device_id, crypto::DeviceIdFromSpki(pub->spki_der()));
  EXPECT_EQ(k->fingerprint, crypto::FingerprintFromSpki(pub->spki_der()));
  EXPECT_EQ(k->check_code, crypto::CheckCodeFromSpki(pub->spki_der()));
  EXPECT_FALSE(k->generated);
}

TEST(DeviceKeyTest, GarbageKeyIsInvalidEvenWithGenerate) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(dir.path(), {"k.pem", "not a key", 0600}).ok());
  Result<DeviceKey> k = LoadDeviceKey(dir.File("k.pem"), true);
  EXPECT_TRUE(k.status().IsInvalidArgument()) << k.status().ToString();
  EXPECT_EQ(config::ReadFile(dir.File("k.pem")).value_or(""), "not a key") << "never overwritten";
}

}  // namespace
}  // namespace gps::device_client
