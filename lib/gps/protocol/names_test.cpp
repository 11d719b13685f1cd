#include "gps/protocol/names.h"

#include <gtest/gtest.h>

#include <string>

namespace gps::protocol {
namespace {

TEST(DeviceName, AcceptsDnsLabels) {
  for (const std::string& name : {std::string("a"), std::string("7"), std::string("gw-berlin-0042"),
                                  std::string("a-b"), std::string("a--b"), std::string("0gw"),
                                  std::string(63, 'x'), "a" + std::string(61, '-') + "z"}) {
    Status st = ValidateDeviceName(name);
    EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
  }
}

TEST(DeviceName, RefusesEmptyAndTooLong) {
  EXPECT_TRUE(ValidateDeviceName("").IsInvalidArgument());
  Status st = ValidateDeviceName(std::string(64, 'x'));
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("63"), std::string::npos) << st.message();
  EXPECT_TRUE(ValidateDeviceName(std::string(1000, 'x')).IsInvalidArgument());
}

TEST(DeviceName, RefusesLeadingOrTrailingHyphen) {
  for (const char* name : {"-", "-gw", "gw-", "-gw-", "--"}) {
    EXPECT_TRUE(ValidateDeviceName(name).IsInvalidArgument()) << name;
  }
}

TEST(DeviceName, RefusesCharactersOutsideTheLabelAlphabet) {
  for (const char* name : {"GW-1", "gw-Berlin", "gw_1", "gw.1", "gw 1", "gw/1", "gw:1", "gw@1",
                           "gr\xc3\xbc\xc3\x9f", "gw\n", "tab\there"}) {
    Status st = ValidateDeviceName(name);
    EXPECT_TRUE(st.IsInvalidArgument()) << name;
  }
  EXPECT_TRUE(ValidateDeviceName(std::string("gw\0x", 4)).IsInvalidArgument());
}

TEST(DeviceId, IsSixtyFourLowerCaseHexCharacters) {
  EXPECT_TRUE(IsDeviceId(std::string(64, 'a')));
  EXPECT_TRUE(IsDeviceId("954eccfded3305fa32be4cdec97acfc0424b393b1474799b8b10bb2c0226940a"));
  EXPECT_FALSE(IsDeviceId(std::string(63, 'a')));
  EXPECT_FALSE(IsDeviceId(std::string(65, 'a')));
  EXPECT_FALSE(IsDeviceId(""));
  EXPECT_FALSE(IsDeviceId(std::string(63, 'a') + "A"));
  EXPECT_FALSE(IsDeviceId(std::string(63, 'a') + "g"));
  EXPECT_FALSE(IsDeviceId(std::string(63, 'a') + ":"));
}

TEST(Mac, CanonicalIsLowerCaseWithColons) {
  EXPECT_TRUE(IsCanonicalMac("02:42:ac:11:00:02"));
  EXPECT_TRUE(IsCanonicalMac("ff:ff:ff:ff:ff:ff"));
  for (const char* mac :
       {"02:42:AC:11:00:02", "02-42-ac-11-00-02", "0242ac110002", "02:42:ac:11:00",
        "02:42:ac:11:00:02:03", "02:42:ac:11:00:0g", "2:42:ac:11:00:02:", "02:42:ac:11:00:02 ", "",
        "02.42.ac.11.00.02", "02:42:ac:11:00::2"}) {
    EXPECT_FALSE(IsCanonicalMac(mac)) << mac;
  }
}

TEST(Mac, CanonicalMacNormalisesCaseAndSeparators) {
  const std::pair<const char*, const char*> cases[] = {
      {"02:42:ac:11:00:02", "02:42:ac:11:00:02"},
      {"02:42:AC:11:00:02", "02:42:ac:11:00:02"},
      {"02-42-AC-11-00-02", "02:42:ac:11:00:02"},
      {"AA-bb:CC-dd:EE:ff", "aa:bb:cc:dd:ee:ff"},
  };
  for (const auto& [in, want] : cases) {
    std::string out;
    Status st = CanonicalMac(in, &out);
    ASSERT_TRUE(st.ok()) << in << ": " << st.ToString();
    EXPECT_EQ(out, want);
    EXPECT_TRUE(IsCanonicalMac(out));
  }
}

TEST(Mac, CanonicalMacRefusesMalformedAddresses) {
  for (const char* mac : {"", "0242ac110002", "02:42:ac:11:00", "02:42:ac:11:00:02:03",
                          "02:42:ac:11:00:0g", "02.42.ac.11.00.02", "02:42:ac:11:00::2",
                          "02:42:ac:11:00:02 ", " 02:42:ac:11:00:0", "02 42 ac 11 00 02"}) {
    std::string out = "untouched";
    Status st = CanonicalMac(mac, &out);
    EXPECT_TRUE(st.IsInvalidArgument()) << mac;
    EXPECT_EQ(out, "untouched") << mac;
  }
}

}  // namespace
}  // namespace gps::protocol
