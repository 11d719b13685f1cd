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
  return R"({"registrationId":"gw-1","deviceId":"gw-1","etag":"AAAAAAAAAAM=",)"
         R"("attestation":{"type":"symmetricKey"},)"
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
  CreateAnswer exists =
      InterpretCreate(MakeResponse(409, R"({"errorCode":409201,"message":"exists"})"), "w", kNow);
  EXPECT_EQ(exists.kind, CreateAnswer::Kind::kExists);
  EXPECT_EQ(exists.conflict, "exists");

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
  constexpr std::string_view kConflict = "Enrollment with registration ID 'gw-1' already exists.";
  EXPECT_TRUE(InterpretExisting(MakeResponse(200, EnrollmentJson(kOurs)), "gw-1", kOurs, kConflict,
                                "w", kNow)
                  .ok());

  Outcome theirs = InterpretExisting(MakeResponse(200, EnrollmentJson(kTheirs)), "gw-1", kOurs,
                                     kConflict, "w", kNow);
  EXPECT_TRUE(theirs.permanent());
  EXPECT_EQ(theirs.error,
            "w: HTTP 409: Enrollment with registration ID 'gw-1' already exists. (DPS enrollment "
            "gw-1 belongs to another device)");

  EXPECT_TRUE(
      InterpretExisting(MakeResponse(404, ""), "gw-1", kOurs, kConflict, "w", kNow).retryable());
  EXPECT_TRUE(
      InterpretExisting(MakeResponse(503, ""), "gw-1", kOurs, kConflict, "w", kNow).retryable());
  EXPECT_TRUE(
      InterpretExisting(MakeResponse(200, "{}"), "gw-1", kOurs, kConflict, "w", kNow).permanent());
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

TEST(DpsRevokeTest, LookupTellsGoneForeignAndOurs) {
  EXPECT_EQ(InterpretRevokeLookup(MakeResponse(404, R"({"errorCode":404201,"message":"x"})"), kOurs,
                                  "w", kNow)
                .kind,
            RevokeLookup::Kind::kGone);

  RevokeLookup ours =
      InterpretRevokeLookup(MakeResponse(200, EnrollmentJson(kOurs)), kOurs, "w", kNow);
  EXPECT_EQ(ours.kind, RevokeLookup::Kind::kOurs);
  EXPECT_EQ(ours.etag, "AAAAAAAAAAM=");

  RevokeLookup theirs =
      InterpretRevokeLookup(MakeResponse(200, EnrollmentJson(kTheirs)), kOurs, "w", kNow);
  EXPECT_EQ(theirs.kind, RevokeLookup::Kind::kForeign);
  EXPECT_EQ(theirs.owner, kTheirs);
  RevokeLookup untagged =
      InterpretRevokeLookup(MakeResponse(200, R"({"registrationId":"gw-1"})"), kOurs, "w", kNow);
  EXPECT_EQ(untagged.kind, RevokeLookup::Kind::kForeign);
  EXPECT_EQ(untagged.owner, "");
}

TEST(DpsRevokeTest, LookupFailuresCarryTheCloudsText) {
  RevokeLookup denied = InterpretRevokeLookup(MakeResponse(401, std::string(kDpsError)), kOurs,
                                              "dps: delete enrollment gw-1", kNow);
  EXPECT_EQ(denied.kind, RevokeLookup::Kind::kFailed);
  EXPECT_TRUE(denied.outcome.permanent());
  EXPECT_EQ(denied.outcome.error, "dps: delete enrollment gw-1: HTTP 401: Unauthorized");

  RevokeLookup throttled = InterpretRevokeLookup(
      MakeResponse(429, R"({"message":"slow"})", {{"Retry-After", "4"}}), kOurs, "w", kNow);
  EXPECT_EQ(throttled.kind, RevokeLookup::Kind::kFailed);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, 4000);

  EXPECT_TRUE(
      InterpretRevokeLookup(MakeResponse(200, "<html>"), kOurs, "w", kNow).outcome.permanent());
}

TEST(DpsRevokeTest, DeleteStatuses) {
  EXPECT_EQ(InterpretDelete(MakeResponse(204, ""), "w", kNow).kind, DeleteAnswer::Kind::kDeleted);
  EXPECT_EQ(
      InterpretDelete(MakeResponse(404, R"({"errorCode":404201,"message":"gone"})"), "w", kNow)
          .kind,
      DeleteAnswer::Kind::kDeleted);

  DeleteAnswer changed = InterpretDelete(
      MakeResponse(412, R"({"errorCode":412001,"message":"The ETag does not match."})"), "w", kNow);
  EXPECT_EQ(changed.kind, DeleteAnswer::Kind::kChanged);
  EXPECT_TRUE(changed.outcome.retryable());
  EXPECT_EQ(changed.outcome.error, "w: HTTP 412: The ETag does not match.");

  DeleteAnswer denied = InterpretDelete(MakeResponse(401, std::string(kDpsError)), "w", kNow);
  EXPECT_EQ(denied.kind, DeleteAnswer::Kind::kFailed);
  EXPECT_TRUE(denied.outcome.permanent());
  EXPECT_EQ(denied.outcome.error, "w: HTTP 401: Unauthorized");
  DeleteAnswer down = InterpretDelete(MakeResponse(500, ""), "w", kNow);
  EXPECT_EQ(down.kind, DeleteAnswer::Kind::kFailed);
  EXPECT_TRUE(down.outcome.retryable());
}

}  // namespace
}  // namespace gps::worker::dps
