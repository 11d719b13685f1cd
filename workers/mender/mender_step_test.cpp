#include "workers/mender/mender_step.h"

#include <gtest/gtest.h>

#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "workers/testing/http_test_util.h"

namespace gps::worker::mender {
namespace {

using testing::MakeResponse;

const Instant kNow{1'763'880'000'000};
constexpr std::string_view kWhat = "mender: preauthorize 02:42:ac:11:00:02";

crypto::PublicKey NewKey() {
  Result<crypto::PrivateKey> priv = crypto::PrivateKey::GenerateEcdsaP256();
  EXPECT_TRUE(priv.ok());
  Result<crypto::PublicKey> pub = priv->Public();
  EXPECT_TRUE(pub.ok());
  return std::move(pub).value();
}

// The same key as a server that re-serialises it might write it: other line length, CRLF.
std::string Reserialised(const crypto::PublicKey& key) {
  std::string b64 = crypto::Base64Encode(key.spki_der());
  std::string pem = "-----BEGIN PUBLIC KEY-----\r\n";
  for (std::size_t i = 0; i < b64.size(); i += 76) {
    pem += b64.substr(i, 76) + "\r\n";
  }
  return pem + "-----END PUBLIC KEY-----\r\n";
}

std::string ConflictBody(const std::vector<std::string>& pems, bool decommissioning = false) {
  std::string sets;
  for (std::size_t i = 0; i < pems.size(); ++i) {
    sets += (i ? "," : "") + std::string(R"({"id":"as-)") + std::to_string(i) + R"(","pubkey":)" +
            json::Quote(pems[i]) + R"(,"status":"preauthorized"})";
  }
  return R"({"id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","identity_data":{"mac":"02:42:ac:11:00:02"},)"
         R"("status":"preauthorized","decommissioning":)" +
         std::string(decommissioning ? "true" : "false") + R"(,"auth_sets":[)" + sets + "]}";
}

TEST(MenderNameCheckTest, FreeWhenNobodyCarriesTheName) {
  protocol::NameCheckResult r = DecideNameCheck({}, "02:42:ac:11:00:02");
  EXPECT_TRUE(r.available);
  EXPECT_EQ(r.detail, "");
}

TEST(MenderNameCheckTest, FreeWhenOnlyThisGatewayCarriesIt) {
  protocol::NameCheckResult r =
      DecideNameCheck({{"dev-1", "02:42:ac:11:00:02"}}, "02:42:ac:11:00:02");
  EXPECT_TRUE(r.available);
}

TEST(MenderNameCheckTest, TakenByAnotherDeviceNamesTheHolder) {
  protocol::NameCheckResult r = DecideNameCheck(
      {{"dev-1", "02:42:ac:11:00:02"}, {"dev-2", "02:42:ac:11:00:03"}}, "02:42:ac:11:00:02");
  EXPECT_FALSE(r.available);
  EXPECT_EQ(r.detail, "used by Mender device dev-2");
}

TEST(MenderNameCheckTest, HolderWithoutKnownMacCountsAsAnotherDevice) {
  protocol::NameCheckResult r = DecideNameCheck({{"dev-7", std::nullopt}}, "02:42:ac:11:00:02");
  EXPECT_FALSE(r.available);
  EXPECT_EQ(r.detail, "used by Mender device dev-7");
}

TEST(MenderNameCheckTest, MacComparisonIsExact) {
  // Mender matches identities byte for byte, so an upper-case MAC is another device.
  EXPECT_FALSE(DecideNameCheck({{"dev-1", "02:42:AC:11:00:02"}}, "02:42:ac:11:00:02").available);
}

TEST(MenderPreauthorizeTest, CreatedTakesIdFromRelativeLocation) {
  crypto::PublicKey key = NewKey();
  PreauthorizeAnswer a = InterpretPreauthorize(
      MakeResponse(201, "", {{"Location", "devices/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}}), key,
      kWhat, kNow);
  ASSERT_TRUE(a.outcome.ok()) << a.outcome.error;
  EXPECT_EQ(a.device_id, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
}

TEST(MenderPreauthorizeTest, CreatedWithoutLocationIsRetryable) {
  crypto::PublicKey key = NewKey();
  PreauthorizeAnswer a = InterpretPreauthorize(MakeResponse(201, ""), key, kWhat, kNow);
  EXPECT_TRUE(a.outcome.retryable());
  EXPECT_EQ(a.outcome.error.rfind(std::string(kWhat) + ": HTTP 201", 0), 0u) << a.outcome.error;
  EXPECT_TRUE(a.device_id.empty());
}

TEST(MenderPreauthorizeTest, ConflictWithOurKeyIsSuccessEvenReserialised) {
  crypto::PublicKey ours = NewKey();
  crypto::PublicKey other = NewKey();
  std::string pem = Reserialised(ours);
  ASSERT_NE(pem, ours.SpkiPem());
  PreauthorizeAnswer a = InterpretPreauthorize(
      MakeResponse(409, ConflictBody({other.SpkiPem(), pem})), ours, kWhat, kNow);
  ASSERT_TRUE(a.outcome.ok()) << a.outcome.error;
  EXPECT_EQ(a.device_id, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
}

TEST(MenderPreauthorizeTest, ConflictWithAnotherKeyIsPermanent) {
  crypto::PublicKey ours = NewKey();
  crypto::PublicKey other = NewKey();
  PreauthorizeAnswer a = InterpretPreauthorize(
      MakeResponse(409, ConflictBody({other.SpkiPem(), "not a key"})), ours, kWhat, kNow);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error,
            std::string(kWhat) +
                ": HTTP 409: MAC already pre-authorised with another key (Mender device "
                "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0)");
}

TEST(MenderPreauthorizeTest, ConflictWithoutListedKeysAsksForALookup) {
  crypto::PublicKey ours = NewKey();
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  for (const std::string sets : {R"(,"auth_sets":null)", R"(,"auth_sets":[])", ""}) {
    PreauthorizeAnswer a = InterpretPreauthorize(
        MakeResponse(409, R"({"id":")" + id + R"(","identity_data":{"mac":"02:42:ac:11:00:02"},)" +
                              R"("status":"preauthorized","decommissioning":false)" + sets + "}"),
        ours, kWhat, kNow);
    EXPECT_TRUE(a.keys_unknown) << sets;
    EXPECT_EQ(a.device_id, id);
    // Not a success until the keys are seen: a caller that skips the lookup fails safe.
    EXPECT_TRUE(a.outcome.permanent()) << sets;
  }
  PreauthorizeAnswer listed =
      InterpretPreauthorize(MakeResponse(409, ConflictBody({ours.SpkiPem()})), ours, kWhat, kNow);
  EXPECT_FALSE(listed.keys_unknown);
}

std::string DeviceWithKeys(const std::string& id, const std::vector<std::string>& pems) {
  std::string body = ConflictBody(pems);
  return R"({"id":")" + id + body.substr(body.find("\",\"identity_data"));
}

TEST(MenderPreauthorizeTest, LookupFindsOurKeyOnTheDevice) {
  crypto::PublicKey ours = NewKey();
  crypto::PublicKey other = NewKey();
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  PreauthorizeAnswer a = InterpretDeviceLookup(
      MakeResponse(200, DeviceWithKeys(id, {other.SpkiPem(), Reserialised(ours)})), ours, id, kWhat,
      kNow);
  ASSERT_TRUE(a.outcome.ok()) << a.outcome.error;
  EXPECT_EQ(a.device_id, id);
  EXPECT_FALSE(a.keys_unknown);
}

TEST(MenderPreauthorizeTest, LookupFailures) {
  crypto::PublicKey ours = NewKey();
  crypto::PublicKey other = NewKey();
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  PreauthorizeAnswer foreign = InterpretDeviceLookup(
      MakeResponse(200, DeviceWithKeys(id, {other.SpkiPem()})), ours, id, kWhat, kNow);
  EXPECT_TRUE(foreign.outcome.permanent());
  EXPECT_EQ(foreign.outcome.error, std::string(kWhat) +
                                       ": HTTP 409: MAC already pre-authorised with another key " +
                                       "(Mender device " + id + ")");
  EXPECT_TRUE(
      InterpretDeviceLookup(MakeResponse(200, DeviceWithKeys(id, {})), ours, id, kWhat, kNow)
          .outcome.permanent());
  EXPECT_TRUE(
      InterpretDeviceLookup(MakeResponse(404, ""), ours, id, kWhat, kNow).outcome.retryable());
  PreauthorizeAnswer down =
      InterpretDeviceLookup(MakeResponse(503, R"({"error":"busy"})"), ours, id, kWhat, kNow);
  EXPECT_TRUE(down.outcome.retryable());
  EXPECT_EQ(down.outcome.error, std::string(kWhat) + ": read device " + id + ": HTTP 503: busy");
  EXPECT_TRUE(
      InterpretDeviceLookup(MakeResponse(200, DeviceWithKeys("dev-other", {ours.SpkiPem()})), ours,
                            id, kWhat, kNow)
          .outcome.permanent());
  EXPECT_TRUE(InterpretDeviceLookup(MakeResponse(200, "<html>"), ours, id, kWhat, kNow)
                  .outcome.permanent());
}

TEST(MenderPreauthorizeTest, ConflictWhileDecommissioningIsRetryable) {
  crypto::PublicKey ours = NewKey();
  PreauthorizeAnswer a = InterpretPreauthorize(
      MakeResponse(409, ConflictBody({ours.SpkiPem()}, true)), ours, kWhat, kNow);
  EXPECT_TRUE(a.outcome.retryable());
}

TEST(MenderPreauthorizeTest, ConflictWithUnreadableBodyIsPermanent) {
  crypto::PublicKey ours = NewKey();
  PreauthorizeAnswer a =
      InterpretPreauthorize(MakeResponse(409, R"({"error":"dup"})"), ours, kWhat, kNow);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_NE(a.outcome.error.find("HTTP 409 with an unreadable body"), std::string::npos);
}

TEST(MenderPreauthorizeTest, BadRequestCarriesTheCloudsMessage) {
  crypto::PublicKey ours = NewKey();
  PreauthorizeAnswer a = InterpretPreauthorize(
      MakeResponse(400, R"({"error":"failed to decode public key","request_id":"r1"})"), ours,
      kWhat, kNow);
  EXPECT_TRUE(a.outcome.permanent());
  EXPECT_EQ(a.outcome.error, std::string(kWhat) + ": HTTP 400: failed to decode public key");
}

TEST(MenderPreauthorizeTest, ThrottledAndServerErrorsAreRetryable) {
  crypto::PublicKey ours = NewKey();
  PreauthorizeAnswer throttled = InterpretPreauthorize(
      MakeResponse(429, R"({"error":"slow down"})", {{"Retry-After", "7"}}), ours, kWhat, kNow);
  EXPECT_TRUE(throttled.outcome.retryable());
  EXPECT_EQ(throttled.outcome.retry_after_ms, 7000);
  EXPECT_TRUE(InterpretPreauthorize(MakeResponse(503, ""), ours, kWhat, kNow).outcome.retryable());
  Result<http::Response> timeout = Status::DeadlineExceeded("POST x: no answer within 10 ms");
  EXPECT_TRUE(InterpretPreauthorize(timeout, ours, kWhat, kNow).outcome.retryable());
}

TEST(MenderTagsTest, NotInInventoryYetIsRetryable) {
  // A tags write would answer 200 and store nothing, so the name must wait for the record.
  TagsAnswer a = InterpretReadTags(MakeResponse(404, R"({"error":"Device not found"})"),
                                   "mender: read tags of d", kNow);
  EXPECT_TRUE(a.outcome.retryable());
  EXPECT_EQ(a.outcome.error.rfind("mender: read tags of d: HTTP 404: ", 0), 0u) << a.outcome.error;
  EXPECT_TRUE(a.tags.empty());
}

TEST(MenderTagsTest, ReadTakesTagsAndEtag) {
  TagsAnswer a = InterpretReadTags(
      MakeResponse(200, R"({"id":"d","attributes":[{"name":"site","value":"x","scope":"tags"}]})",
                   {{"ETag", R"("e-1")"}}),
      "mender: read tags of d", kNow);
  ASSERT_TRUE(a.outcome.ok()) << a.outcome.error;
  ASSERT_EQ(a.tags.size(), 1u);
  EXPECT_EQ(a.etag, R"("e-1")");
}

TEST(MenderTagsTest, ReadFailures) {
  EXPECT_TRUE(InterpretReadTags(MakeResponse(500, ""), "w", kNow).outcome.retryable());
  EXPECT_TRUE(
      InterpretReadTags(MakeResponse(401, R"({"error":"no"})"), "w", kNow).outcome.permanent());
  TagsAnswer garbled = InterpretReadTags(MakeResponse(200, "<html>"), "w", kNow);
  EXPECT_TRUE(garbled.outcome.permanent());
  EXPECT_EQ(garbled.outcome.error.rfind("w: unreadable answer: ", 0), 0u);
}

TEST(MenderTagsTest, NameIsReplacedOrAddedAndOtherTagsKept) {
  std::vector<Tag> tags = {{"site", R"("berlin")", ""}, {"name", R"("old")", "display name"}};
  std::optional<std::vector<Tag>> replaced = TagsWithName(tags, "gw-1");
  ASSERT_TRUE(replaced.has_value());
  ASSERT_EQ(replaced->size(), 2u);
  EXPECT_EQ((*replaced)[0].value_json, R"("berlin")");
  EXPECT_EQ((*replaced)[1].name, "name");
  EXPECT_EQ((*replaced)[1].value_json, R"("gw-1")");
  EXPECT_EQ((*replaced)[1].description, "display name");

  std::optional<std::vector<Tag>> added = TagsWithName({{"site", R"("b")", ""}}, "gw-1");
  ASSERT_TRUE(added.has_value());
  ASSERT_EQ(added->size(), 2u);
  EXPECT_EQ((*added)[1].name, "name");
  EXPECT_EQ((*added)[1].value_json, R"("gw-1")");

  EXPECT_FALSE(TagsWithName({{"name", R"("gw-1")", ""}}, "gw-1").has_value());
}

TEST(MenderTagsTest, WritePreconditionFailedIsRetryable) {
  Outcome o = InterpretWriteTags(MakeResponse(412, R"({"error":"etag mismatch"})"),
                                 "mender: set name tag of d", kNow);
  EXPECT_TRUE(o.retryable());
  EXPECT_NE(o.error.find("HTTP 412"), std::string::npos);
  EXPECT_TRUE(InterpretWriteTags(MakeResponse(200, ""), "w", kNow).ok());
  Outcome too_many =
      InterpretWriteTags(MakeResponse(400, R"({"error":"too many tags"})"), "w", kNow);
  EXPECT_TRUE(too_many.permanent());
  EXPECT_EQ(too_many.error, "w: HTTP 400: too many tags");
}

TEST(MenderDecommissionTest, GoneCountsAsDone) {
  EXPECT_TRUE(InterpretDecommission(MakeResponse(204, ""), "w", kNow).ok());
  EXPECT_TRUE(InterpretDecommission(MakeResponse(404, ""), "w", kNow).ok());
  EXPECT_TRUE(InterpretDecommission(MakeResponse(503, ""), "w", kNow).retryable());
  EXPECT_TRUE(InterpretDecommission(MakeResponse(403, ""), "w", kNow).permanent());
}

TEST(MenderRevokeTest, DeviceIdFromFacts) {
  EXPECT_EQ(MenderDeviceIdFromFacts("{}").value(), "");
  EXPECT_EQ(MenderDeviceIdFromFacts(R"({"menderDeviceId":null,"serial":"x"})").value(), "");
  EXPECT_EQ(MenderDeviceIdFromFacts(R"({"menderDeviceId":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"})")
                .value(),
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  Result<std::string> path = MenderDeviceIdFromFacts(R"({"menderDeviceId":"../../useradm"})");
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("job.facts.menderDeviceId"), std::string::npos);
  EXPECT_FALSE(MenderDeviceIdFromFacts(R"({"menderDeviceId":7})").ok());
  EXPECT_FALSE(MenderDeviceIdFromFacts("[]").ok());
}

TEST(MenderRevokeTest, OnlyDevicesWithExactlyThisMacAreCandidates) {
  std::vector<InventoryDevice> found = {{"d-1", "02:42:ac:11:00:02"},
                                        {"d-2", std::nullopt},
                                        {"d-3", "02:42:AC:11:00:02"},
                                        {"d-4", "02:42:ac:11:00:02"}};
  EXPECT_EQ(DevicesWithMac(found, "02:42:ac:11:00:02"), (std::vector<std::string>{"d-1", "d-4"}));
  EXPECT_TRUE(DevicesWithMac({}, "02:42:ac:11:00:02").empty());
}

TEST(MenderRevokeTest, CandidateIsDecommissionedOnlyWithOurKey) {
  crypto::PublicKey ours = NewKey();
  crypto::PublicKey theirs = NewKey();
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  RevokeCandidate mine = InterpretRevokeCandidate(
      MakeResponse(200, ConflictBody({theirs.SpkiPem(), Reserialised(ours)})), ours, id, "w", kNow);
  ASSERT_TRUE(mine.outcome.ok()) << mine.outcome.error;
  EXPECT_TRUE(mine.decommission);

  RevokeCandidate other = InterpretRevokeCandidate(
      MakeResponse(200, ConflictBody({theirs.SpkiPem()})), ours, id, "w", kNow);
  ASSERT_TRUE(other.outcome.ok());
  EXPECT_FALSE(other.decommission);

  RevokeCandidate leaving = InterpretRevokeCandidate(
      MakeResponse(200, ConflictBody({ours.SpkiPem()}, true)), ours, id, "w", kNow);
  ASSERT_TRUE(leaving.outcome.ok());
  EXPECT_FALSE(leaving.decommission);

  RevokeCandidate gone = InterpretRevokeCandidate(MakeResponse(404, ""), ours, id, "w", kNow);
  ASSERT_TRUE(gone.outcome.ok());
  EXPECT_FALSE(gone.decommission);
}

TEST(MenderRevokeTest, CandidateLookupFailures) {
  crypto::PublicKey ours = NewKey();
  const std::string id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  RevokeCandidate denied = InterpretRevokeCandidate(
      MakeResponse(401, R"({"error":"unauthorized"})"), ours, id, "mender: decommission m", kNow);
  EXPECT_TRUE(denied.outcome.permanent());
  EXPECT_EQ(denied.outcome.error,
            "mender: decommission m: read device " + id + ": HTTP 401: unauthorized");
  EXPECT_TRUE(
      InterpretRevokeCandidate(MakeResponse(503, ""), ours, id, "w", kNow).outcome.retryable());
  RevokeCandidate other_id =
      InterpretRevokeCandidate(MakeResponse(200, ConflictBody({ours.SpkiPem()})), ours,
                               "11111111-2222-3333-4444-555555555555", "w", kNow);
  EXPECT_TRUE(other_id.outcome.permanent());
  EXPECT_FALSE(other_id.decommission);
}

}  // namespace
}  // namespace gps::worker::mender
