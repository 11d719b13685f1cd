#include "workers/dps/dps_step.h"

#include <gtest/gtest.h>

#include "gps/crypto/encoding.h"
#include "workers/testing/http_test_util.h"

namespace gps::worker::dps {
namespace {

using testing::MakeResponse;

const Instant kNow{1'763'880'000'000};
const std::string kOurs(64, 'a');
const std::string kTheirs(64, 'b');

std::string EnrollmentJson(const std::string& owner) {
  return R"({"registrationId":"gw-1","deviceId":"gw-1","attestation":{"type":"symmetricKey"},)"
         R"("capabilities":{"iotEdge":true},"initialTwin":{"tags":{"gpsDeviceId":")" +
         owner + R"("}}})";
}

constexpr std::string_view kDpsError =
    R"({"errorCode":401002,"trackingId":"t-1","message":"Unauthorized","timestampUtc":"x"})";

TEST(DpsNameCheckTest, MissingEnrollmentMeansAvailable) {
  NameCheckAnswer a =
      InterpretNameCheck(MakeResponse(404, R"({"errorCode":404201,"message":"not found"})"), "gw-1",
                         kOurs, "dps: check name gw-1", kNow);
  ASSERT_TRUE(a.outcome.ok());
  EXPECT_TRUE(a.result.available);
}

TEST(DpsNameCheckTest, OurOwnEnrollmentIsAvailable) {
  NameCheckAnswer a = InterpretNameCheck(MakeResponse(200, EnrollmentJson(kOurs)), "gw-1", kOurs,
                                         "dps: check name gw-1", kNow);
  ASSERT_TRUE(a.outcome.ok());
  EXPECT_TRUE(a.result.available);
}

TEST(DpsNameCheckTest, SomeoneElsesEnrollmentTakesTheName) {
  NameCheckAnswer a = InterpretNameCheck(MakeResponse(200, EnrollmentJson(kTheirs)), "gw-1", kOurs,
                                         "dps: check name gw-1", kNow);
  ASSERT_TRUE(a.outcome.ok());
  EXPECT_FALSE(a.result.available);
  EXPECT_EQ(a.result.detail, "DPS enrollment gw-1 exists");

  NameCheckAnswer untagged = InterpretNameCheck(MakeResponse(200, R"({"registrationId":"gw-1"})"),
                                                "gw-1", kOurs, "dps: check name gw-1", kNow);
  ASSERT_TRUE(untagged.outcome.ok());
  EXPECT_FALSE(untagged.result.available);
}

TEST(DpsNameCheckTest, FailuresCarryContextAndTheCloudsMessage) {
  NameCheckAnswer denied = InterpretNameCheck(MakeResponse(401, std::string(kDpsError)), "gw-1",
                                              kOurs, "dps: check name gw-1", kNow);
  EXPECT_TRUE(denied.outcome.permanent());
  EXPECT_EQ(denied.outcome.error, "dps: check name gw-1: HTTP 401: Unauthorized");
  EXPECT_TRUE(
      InterpretNameCheck(MakeResponse(500, ""), "gw-1", kOurs, "w", kNow).outcome.retryable());
  EXPECT_TRUE(InterpretNameCheck(MakeResponse(200, "<html>"), "gw-1", kOurs, "w", kNow)
                  .outcome.permanent());
}

TEST(DpsCreateTest, StatusesOfThePut) {
  EXPECT_EQ(InterpretCreate(MakeResponse(200, EnrollmentJson(kOurs)), "w", kNow).kind,
            CreateAnswer::Kind::kCreated);
  EXPECT_EQ(
      InterpretCreate(MakeResponse(409, R"({"errorCode":409201,"message":"exists"})"), "w", kNow)
          .kind,
      CreateAnswer::Kind::kExists);

  CreateAnswer stale = InterpretCreate(MakeResponse(412, R"({"message":"etag"})"), "w", kNow);
  EXPECT_EQ(stale.kind, CreateAnswer::Kind::kFailed);
  EXPECT_TRUE(stale.outcome.retryable());
  EXPECT_EQ(stale.outcome.error, "w: HTTP 412: etag");

  CreateAnswer throttled = InterpretCreate(
      MakeResponse(429, R"({"message":"slow"})", {{"Retry-After", "3"}}), "w", kNow);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, 3000);

  CreateAnswer bad = InterpretCreate(
      MakeResponse(400, R"({"errorCode":400004,"message":"Invalid registrationId"})"),
      "dps: create enrollment gw-1", kNow);
  EXPECT_TRUE(bad.outcome.permanent());
  EXPECT_EQ(bad.outcome.error, "dps: create enrollment gw-1: HTTP 400: Invalid registrationId");

  Result<http::Response> refused = Status::Unavailable("PUT x: Couldn't connect to server");
  EXPECT_TRUE(InterpretCreate(refused, "w", kNow).outcome.retryable());
}

TEST(DpsExistingTest, OursSucceedsTheirsIsPermanentVanishedRetries) {
  EXPECT_TRUE(
      InterpretExisting(MakeResponse(200, EnrollmentJson(kOurs)), "gw-1", kOurs, "w", kNow).ok());

  Outcome theirs =
      InterpretExisting(MakeResponse(200, EnrollmentJson(kTheirs)), "gw-1", kOurs, "w", kNow);
  EXPECT_TRUE(theirs.permanent());
  EXPECT_EQ(theirs.error, "w: HTTP 409: DPS enrollment gw-1 exists and belongs to another device");

  EXPECT_TRUE(InterpretExisting(MakeResponse(404, ""), "gw-1", kOurs, "w", kNow).retryable());
  EXPECT_TRUE(InterpretExisting(MakeResponse(503, ""), "gw-1", kOurs, "w", kNow).retryable());
  EXPECT_TRUE(InterpretExisting(MakeResponse(200, "{}"), "gw-1", kOurs, "w", kNow).permanent());
}

TEST(DpsAttestationTest, KeysDpsHoldsAreUsed) {
  const std::string k1 = crypto::Base64Encode(std::string(32, '\x07'));
  const std::string k2 = crypto::Base64Encode(std::string(32, '\x08'));
  KeysAnswer a = InterpretAttestation(
      MakeResponse(200, R"({"type":"symmetricKey","symmetricKey":{"primaryKey":")" + k1 +
                            R"(","secondaryKey":")" + k2 + R"("}})"),
      "w", kNow);
  ASSERT_TRUE(a.outcome.ok()) << a.outcome.error;
  EXPECT_EQ(a.keys.primary, k1);

  KeysAnswer wrong_type =
      InterpretAttestation(MakeResponse(200, R"({"type":"tpm","tpm":{}})"), "w", kNow);
  EXPECT_TRUE(wrong_type.outcome.permanent());
  EXPECT_EQ(wrong_type.outcome.error.rfind("w: unreadable answer: ", 0), 0u);
  EXPECT_TRUE(InterpretAttestation(MakeResponse(500, ""), "w", kNow).outcome.retryable());
}

}  // namespace
}  // namespace gps::worker::dps
