#include "device-client/file_access.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device-client/bundle_files.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

TEST(FileAccessTest, ParsesOctalModes) {
  EXPECT_EQ(ParseFileMode("0640").value_or(1), 0640u);
  EXPECT_EQ(ParseFileMode("600").value_or(1), 0600u);
  EXPECT_EQ(ParseFileMode("0").value_or(1), 0u);
  for (const char* bad : {"", "rw-r--r--", "0648", "4755", "01000", "0644 ", "-1"}) {
    EXPECT_FALSE(ParseFileMode(bad).ok()) << bad;
  }
}

TEST(FileAccessTest, SecretModesGiveOthersNothing) {
  EXPECT_TRUE(CheckSecretMode(0600).ok());
  EXPECT_TRUE(CheckSecretMode(0640).ok());
  Status st = CheckSecretMode(0604);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("0604"), std::string::npos) << st.ToString();
}

TEST(FileAccessTest, ResolvesNamesAndNumbers) {
  EXPECT_EQ(ResolveUser("").value_or(0), kKeepOwner);
  EXPECT_EQ(ResolveGroup("").value_or(0), kKeepGroup);
  EXPECT_EQ(ResolveUser("1234").value_or(0), 1234u);
  EXPECT_EQ(ResolveGroup("4321").value_or(0), 4321u);
  EXPECT_EQ(ResolveUser("root").value_or(99), 0u);
  EXPECT_EQ(ResolveGroup("root").value_or(99), 0u);
  Result<uid_t> missing = ResolveUser("no-such-user-gps");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no-such-user-gps"), std::string::npos);
  EXPECT_FALSE(ResolveGroup("no-such-group-gps").ok());
}

TEST(FileAccessTest, OnlyRootChangesOwnership) {
  FileAccess a{.public_mode = 0640, .secret_mode = 0640, .owner = 10, .group = 20};
  FileAccess root = EffectiveFileAccess(a, true);
  EXPECT_EQ(root.owner, 10u);
  EXPECT_EQ(root.group, 20u);
  EXPECT_TRUE(ChangesOwnership(root));
  FileAccess user = EffectiveFileAccess(a, false);
  EXPECT_FALSE(ChangesOwnership(user));
  EXPECT_EQ(user.public_mode, 0640u) << "the modes apply to everyone";
}

TEST(FileAccessTest, MapsEachClassToItsMode) {
  std::vector<FileSpec> files;
  for (const InstalledFile& f : kInstalledFiles) {
    files.push_back(FileSpec{f.name, "x", f.mode});
  }
  FileAccess a{.public_mode = 0444, .secret_mode = 0640, .owner = 7, .group = 8};
  ApplyFileAccess(a, &files);
  for (const FileSpec& f : files) {
    bool secret = f.name == kPrivateKeyFile || f.name == kDpsEnvFile;
    EXPECT_EQ(f.mode, secret ? 0640u : 0444u) << f.name;
    EXPECT_EQ(f.owner, 7u);
    EXPECT_EQ(f.group, 8u);
  }
}

TEST(FileAccessTest, WriterGivesTheFileItsGroup) {
  // Any process may give its file to a group it belongs to: its own primary group here.
  gps::testing::TempDir dir("gps-file-access-test");
  gid_t gid = ::getegid();
  ASSERT_TRUE(WriteFileAtomic(dir.path(), FileSpec{"f", "x", 0640, kKeepOwner, gid}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.File("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, gid);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST(FileAccessTest, WriterReportsAChownItMayNotDo) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root may give files to anyone";
  }
  gps::testing::TempDir dir("gps-file-access-test");
  Status st = WriteFileAtomic(dir.path(), FileSpec{"f", "x", 0600, 0, kKeepGroup});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("chown"), std::string::npos) << st.ToString();
  EXPECT_EQ(::access(dir.File("f").c_str(), F_OK), -1) << "nothing left behind";
}

}  // namespace
}  // namespace gps::device_client
