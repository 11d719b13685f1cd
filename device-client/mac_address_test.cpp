#include "device-client/mac_address.h"

#include <gtest/gtest.h>

#include "device-client/file_writer.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::TempDir;

// A fake /sys/class/net: one directory per interface with type, ifindex and address files.
class MacAddressTest : public ::testing::Test {
 protected:
  void AddInterface(const std::string& name, int type, int ifindex, const std::string& address) {
    std::string d = dir_.File(name);
    ASSERT_TRUE(EnsureDirectory(d, 0755).ok());
    ASSERT_TRUE(WriteFileAtomic(d, {"type", std::to_string(type) + "\n", 0644}).ok());
    ASSERT_TRUE(WriteFileAtomic(d, {"ifindex", std::to_string(ifindex) + "\n", 0644}).ok());
    ASSERT_TRUE(WriteFileAtomic(d, {"address", address + "\n", 0644}).ok());
  }

  TempDir dir_;
};

TEST_F(MacAddressTest, ConfiguredMacWinsAndIsCanonicalised) {
  Result<MacSource> m = ResolveMac("02-42-AC-11-00-02", "eth0", dir_.File("nowhere"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->mac, "02:42:ac:11:00:02");
  EXPECT_EQ(m->interface, "");
}

TEST_F(MacAddressTest, BadConfiguredMacIsRefused) {
  EXPECT_TRUE(ResolveMac("02:42:ac:11:00", "auto", dir_.path()).status().IsInvalidArgument());
  EXPECT_TRUE(ResolveMac("zz:42:ac:11:00:02", "auto", dir_.path()).status().IsInvalidArgument());
}

TEST_F(MacAddressTest, NamedInterfaceIsRead) {
  AddInterface("eth0", 1, 2, "52:54:00:12:34:56");
  AddInterface("enp3s0", 1, 3, "52:54:00:AB:CD:EF");
  Result<MacSource> m = ResolveMac("", "enp3s0", dir_.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->mac, "52:54:00:ab:cd:ef");
  EXPECT_EQ(m->interface, "enp3s0");
}

TEST_F(MacAddressTest, MissingNamedInterfaceIsNotFound) {
  AddInterface("eth0", 1, 2, "52:54:00:12:34:56");
  Result<MacSource> m = ResolveMac("", "eth9", dir_.path());
  EXPECT_TRUE(m.status().IsNotFound()) << m.status().ToString();
}

TEST_F(MacAddressTest, AutoPicksTheEthernetInterfaceWithTheLowestIfindexExceptLo) {
  AddInterface("lo", 772, 1, "00:00:00:00:00:00");
  AddInterface("eth1", 1, 4, "52:54:00:00:00:04");
  AddInterface("wwan0", 519, 2, "00:00:00:00:00:00");  // not Ethernet (ARPHRD_NONE)
  AddInterface("eth0", 1, 3, "52:54:00:00:00:03");
  AddInterface("docker0", 1, 9, "02:42:00:00:00:09");
  Result<MacSource> m = ResolveMac("", "auto", dir_.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->interface, "eth0");
  EXPECT_EQ(m->mac, "52:54:00:00:00:03");
}

TEST_F(MacAddressTest, AutoSkipsLoEvenIfItClaimsToBeEthernet) {
  AddInterface("lo", 1, 1, "00:00:00:00:00:00");
  AddInterface("eth0", 1, 2, "52:54:00:00:00:02");
  Result<MacSource> m = ResolveMac("", "auto", dir_.path());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->interface, "eth0");
}

TEST_F(MacAddressTest, AutoIgnoresEntriesWithUnreadableAttributes) {
  ASSERT_TRUE(EnsureDirectory(dir_.File("bonding_masters_like"), 0755).ok());
  AddInterface("eth0", 1, 7, "52:54:00:00:00:07");
  std::string weird = dir_.File("weird");
  ASSERT_TRUE(EnsureDirectory(weird, 0755).ok());
  ASSERT_TRUE(WriteFileAtomic(weird, {"type", "one\n", 0644}).ok());
  ASSERT_TRUE(WriteFileAtomic(weird, {"ifindex", "1\n", 0644}).ok());
  Result<MacSource> m = ResolveMac("", "auto", dir_.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->interface, "eth0");
}

TEST_F(MacAddressTest, AutoWithoutEthernetIsNotFound) {
  AddInterface("lo", 772, 1, "00:00:00:00:00:00");
  AddInterface("wwan0", 519, 2, "00:00:00:00:00:00");
  EXPECT_TRUE(ResolveMac("", "auto", dir_.path()).status().IsNotFound());
  EXPECT_TRUE(ResolveMac("", "auto", dir_.File("missing")).status().IsNotFound());
}

TEST_F(MacAddressTest, MalformedAddressFileIsInvalid) {
  AddInterface("eth0", 1, 2, "not-a-mac");
  EXPECT_TRUE(ResolveMac("", "eth0", dir_.path()).status().IsInvalidArgument());
}

TEST(InterfaceNameTest, Rules) {
  EXPECT_TRUE(ValidateInterfaceName("auto").ok());
  EXPECT_TRUE(ValidateInterfaceName("eth0").ok());
  EXPECT_TRUE(ValidateInterfaceName("enp0s31f6").ok());
  EXPECT_FALSE(ValidateInterfaceName("").ok());
  EXPECT_FALSE(ValidateInterfaceName("..").ok());
  EXPECT_FALSE(ValidateInterfaceName("../../etc").ok());
  EXPECT_FALSE(ValidateInterfaceName("eth0:1").ok());
  EXPECT_FALSE(ValidateInterfaceName("eth 0").ok());
  EXPECT_FALSE(ValidateInterfaceName("averyveryverylongname").ok());
}

}  // namespace
}  // namespace gps::device_client
