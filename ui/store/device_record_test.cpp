#include "ui/store/device_record.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

const std::string kId(64, 'e');

saga::Saga MakeSaga() {
  saga::Saga s;
  s.device_id = kId;
  s.mac = "02:42:ac:11:00:09";
  s.pubkey_pem = "pem";
  s.fingerprint = "SHA256:x";
  s.transport_key = std::string(32, 'k');
  s.first_seen = Instant{1000};
  return s;
}

RawDeviceRecord Raw(std::optional<std::string> seen) {
  return RawDeviceRecord{kId, "7", saga::EncodeSaga(MakeSaga()), std::move(seen)};
}

TEST(DeviceRecordTest, DecodesSagaAndLastSeen) {
  Result<std::optional<DeviceView>> r = DecodeDeviceRecord(Raw("5000"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->saga.device_id, kId);
  EXPECT_EQ((*r)->saga.version, 7);
  EXPECT_EQ((*r)->saga.mac, "02:42:ac:11:00:09");
  EXPECT_EQ((*r)->last_seen, Instant{5000});
}

TEST(DeviceRecordTest, MissingOrBadLastSeenFallsBackToFirstSeen) {
  for (std::optional<std::string> seen :
       {std::optional<std::string>(), std::optional<std::string>("soon"),
        std::optional<std::string>(""), std::optional<std::string>("-5"),
        std::optional<std::string>("12x"), std::optional<std::string>("99999999999999999999")}) {
    Result<std::optional<DeviceView>> r = DecodeDeviceRecord(Raw(seen));
    ASSERT_TRUE(r.ok()) << seen.value_or("<nil>");
    EXPECT_EQ((*r)->last_seen, Instant{1000}) << seen.value_or("<nil>");
  }
}

TEST(DeviceRecordTest, NoSagaIsNoDevice) {
  RawDeviceRecord raw{kId, std::nullopt, std::nullopt, "5000"};
  Result<std::optional<DeviceView>> r = DecodeDeviceRecord(raw);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(DeviceRecordTest, UnreadableRecordsNameTheDevice) {
  std::vector<RawDeviceRecord> bad = {
      {kId, std::nullopt, saga::EncodeSaga(MakeSaga()), std::nullopt},  // no version
      {kId, "one", saga::EncodeSaga(MakeSaga()), std::nullopt},         // bad version
      {kId, "1", "{not json", std::nullopt},
      {kId, "1", R"({"deviceId":"x"})", std::nullopt},                          // missing fields
      {std::string(64, 'f'), "1", saga::EncodeSaga(MakeSaga()), std::nullopt},  // another's doc
  };
  for (const RawDeviceRecord& raw : bad) {
    Result<std::optional<DeviceView>> r = DecodeDeviceRecord(raw);
    ASSERT_FALSE(r.ok()) << raw.doc.value_or("");
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find("device " + raw.device_id), std::string::npos)
        << r.status().message();
  }
}

TEST(DeviceRecordTest, MalformedIndexMemberIsRefused) {
  RawDeviceRecord raw{"not-a-device-id", "1", saga::EncodeSaga(MakeSaga()), std::nullopt};
  Result<std::optional<DeviceView>> r = DecodeDeviceRecord(raw);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("malformed device id"), std::string::npos);
}

TEST(ParseLastSeenTest, Values) {
  EXPECT_EQ(ParseLastSeen("1763880000123"), Instant{1763880000123});
  EXPECT_FALSE(ParseLastSeen(std::nullopt).has_value());
  EXPECT_FALSE(ParseLastSeen("0").has_value());
  EXPECT_FALSE(ParseLastSeen(" 12").has_value());
  EXPECT_FALSE(ParseLastSeen("1.5").has_value());
}

}  // namespace
}  // namespace gps::ui
