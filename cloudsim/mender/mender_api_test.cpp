#include "cloudsim/mender/mender_api.h"

#include <gtest/gtest.h>
#include <openssl/encoder.h>

#include "cloudsim/mender/identity.h"
#include "cloudsim/state/state_json.h"
#include "cloudsim/testing/test_util.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/openssl_handles.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::Req;
using testing::Str;

constexpr char kToken[] = "test-token";
constexpr char kDevices[] = "/api/management/v2/devauth/devices";

std::string PublicPem(const crypto::PrivateKey& key) { return key.Public().value().SpkiPem(); }

// PKCS#1 "RSA PUBLIC KEY" PEM of an RSA key, which Mender refuses.
std::string Pkcs1PublicPem(const crypto::PrivateKey& key) {
  OSSL_ENCODER_CTX* ctx = OSSL_ENCODER_CTX_new_for_pkey(key.get(), EVP_PKEY_PUBLIC_KEY, "PEM",
                                                        "type-specific", nullptr);
  unsigned char* data = nullptr;
  std::size_t len = 0;
  EXPECT_EQ(OSSL_ENCODER_to_data(ctx, &data, &len), 1);
  OSSL_ENCODER_CTX_free(ctx);
  std::string out(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  return out;
}

std::string PreauthBody(std::string_view identity_json, const std::string& pem,
                        bool force = false) {
  json::Writer w;
  w.BeginObject().Key("identity_data").Raw(identity_json).Field("pubkey", pem);
  if (force) {
    w.Field("force", true);
  }
  w.EndObject();
  return w.Take();
}

class MenderApiTest : public testing::ApiFixture<MenderApi> {
 protected:
  MenderApiTest() : ApiFixture(Instant{1'800'000'000'000}, MenderConfig{kToken, 3}) {}

  HeaderField Credentials() override { return {"Authorization", std::string("Bearer ") + kToken}; }

  // Preauthorises and returns the new device id from Location.
  std::string Preauth(std::string_view identity, const std::string& pem) {
    ApiResponse r = Call("POST", kDevices, PreauthBody(identity, pem));
    EXPECT_EQ(r.status, 201) << r.body;
    std::string location = r.Header("Location").value_or("");
    EXPECT_EQ(location.rfind("devices/", 0), 0u) << location;
    return location.substr(8);
  }

  std::string Etag(const std::string& id) {
    return Call("GET", "/api/management/v1/inventory/devices/" + id).Header("ETag").value_or("");
  }

  crypto::PrivateKey key_ = crypto::PrivateKey::GenerateEd25519().value();
  crypto::PrivateKey other_key_ = crypto::PrivateKey::GenerateEcdsaP256().value();
};

TEST_F(MenderApiTest, RefusesMissingOrWrongTokenWith401AndEchoesRequestId) {
  ApiResponse none = api_.Handle(Req("GET", kDevices, {{"X-MEN-RequestID", "req-1"}}));
  EXPECT_EQ(none.status, 401);
  json::Document body = Body(none);
  EXPECT_EQ(Str(body.Root(), "error"), "unauthorized");
  EXPECT_EQ(Str(body.Root(), "request_id"), "req-1");
  EXPECT_EQ(none.Header("X-MEN-RequestID").value_or(""), "req-1");

  ApiResponse wrong = api_.Handle(Req("GET", kDevices, {{"Authorization", "Bearer nope"}}));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_FALSE(Str(Body(wrong).Root(), "request_id").empty());
}

TEST_F(MenderApiTest, ContentTypeMustBeJsonWhenThereIsABody) {
  std::string body = PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:01"})", PublicPem(key_));
  std::vector<HeaderField> auth = {{"Authorization", std::string("Bearer ") + kToken}};
  std::vector<HeaderField> text = auth;
  text.push_back({"Content-Type", "text/plain"});
  ApiResponse r415 = api_.Handle(Req("POST", kDevices, text, body));
  EXPECT_EQ(r415.status, 415);
  EXPECT_EQ(Str(Body(r415).Root(), "error"), "Bad Content-Type, expected 'application/json'");
  ApiResponse r400 = api_.Handle(Req("POST", kDevices, auth, body));
  EXPECT_EQ(r400.status, 400);
  EXPECT_NE(Str(Body(r400).Root(), "error").find("Content-Type"), std::string::npos);
}

TEST_F(MenderApiTest, PreauthorizeCreatesDeviceAndInventoryAt201) {
  ApiResponse r =
      Call("POST", kDevices, PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_)));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.body.empty());
  std::string id = r.Header("Location").value_or("").substr(8);
  ApiResponse got = Call("GET", std::string(kDevices) + "/" + id);
  ASSERT_EQ(got.status, 200);
  json::Document dev = Body(got);
  EXPECT_EQ(Str(dev.Root(), "status"), "preauthorized");
  std::vector<json::Value> sets = dev.Root().GetArray("auth_sets").value();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(Str(sets[0], "pubkey"), PublicPem(key_));
  EXPECT_EQ(Str(sets[0], "status"), "preauthorized");
  // The identity shows up in inventory at once, in scope identity, with the status.
  ApiResponse inv = Call("GET", "/api/management/v1/inventory/devices/" + id);
  ASSERT_EQ(inv.status, 200);
  EXPECT_FALSE(inv.Header("ETag").has_value());  // no tags yet
  EXPECT_NE(inv.body.find(R"({"name":"mac","value":"aa:bb:cc:dd:ee:ff","scope":"identity"})"),
            std::string::npos);
  EXPECT_NE(inv.body.find(R"({"name":"status","value":"preauthorized","scope":"identity"})"),
            std::string::npos);
}

TEST_F(MenderApiTest, SameIdentityIs409WithTheRawDeviceRecord) {
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  ApiResponse again =
      Call("POST", kDevices, PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_)));
  ASSERT_EQ(again.status, 409);
  json::Document dev = Body(again);
  EXPECT_EQ(Str(dev.Root(), "id"), id);
  // mender-server answers with the device record, whose auth sets are stored elsewhere.
  EXPECT_TRUE(dev.Root().Get("auth_sets").value().IsNull());
  EXPECT_EQ(dev.Root().Get("identity_data").value().Serialize(), R"({"mac":"aa:bb:cc:dd:ee:ff"})");
}

TEST_F(MenderApiTest, IdentityIsHashedExactlySoCaseMatters) {
  std::string lower = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  std::string upper = Preauth(R"({"mac":"AA:BB:CC:DD:EE:FF"})", PublicPem(other_key_));
  EXPECT_NE(lower, upper);
  // Key order does not matter: the identity is re-encoded with sorted keys.
  Preauth(R"({"sn":"1","mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  ApiResponse dup = Call("POST", kDevices,
                         PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:ff","sn":"1"})", PublicPem(key_)));
  EXPECT_EQ(dup.status, 409);
  std::string hash =
      state_.Locked([&](SimData& d) { return d.mender.devices.at(lower).identity_hash; });
  EXPECT_EQ(hash, mender::IdentityHash(R"({"mac":"aa:bb:cc:dd:ee:ff"})"));
}

TEST_F(MenderApiTest, ForceAddsAnAuthSetAndAnswersWithAFreshLocation) {
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  ApiResponse r = Call("POST", kDevices,
                       PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(other_key_), true));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.Header("Location").value_or(""), "devices/" + id);
  json::Document dev = Body(Call("GET", std::string(kDevices) + "/" + id));
  EXPECT_EQ(dev.Root().GetArray("auth_sets").value().size(), 2u);
}

TEST_F(MenderApiTest, PreauthValidationErrorsAre400WithMenderMessages) {
  auto error_of = [&](const std::string& body) {
    ApiResponse r = Call("POST", kDevices, body);
    EXPECT_EQ(r.status, 400) << r.body;
    return Str(Body(r).Root(), "error");
  };
  EXPECT_EQ(error_of(R"({"identity_data":{},"pubkey":""})"),
            "failed to decode preauth request: identity_data: cannot be blank; pubkey: cannot "
            "be blank.");
  EXPECT_EQ(error_of(PreauthBody("{}", PublicPem(key_))),
            "failed to decode preauth request: identity_data: cannot be blank.");
  EXPECT_NE(error_of(R"({"identity_data":"mac","pubkey":"x"})").find("cannot unmarshal string"),
            std::string::npos);
  EXPECT_NE(error_of("{not json").find("failed to decode preauth request"), std::string::npos);
  crypto::PrivateKey rsa = crypto::PrivateKey::GenerateRsa(2048).value();
  std::string pkcs1 = Pkcs1PublicPem(rsa);
  ASSERT_NE(pkcs1.find("BEGIN RSA PUBLIC KEY"), std::string::npos);
  EXPECT_NE(error_of(PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:02"})", pkcs1))
                .find("cannot decode public key"),
            std::string::npos);
  EXPECT_NE(error_of(PreauthBody(R"({"mac":"aa:bb:cc:dd:ee:02"})", "garbage"))
                .find("cannot decode public key"),
            std::string::npos);
  // An RSA key in SPKI form is fine, and is stored re-serialised.
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:02"})", PublicPem(rsa));
  EXPECT_FALSE(id.empty());
}

TEST_F(MenderApiTest, ListFiltersByStatusAndRefusesUnknownStatus) {
  Preauth(R"({"mac":"aa:bb:cc:dd:ee:01"})", PublicPem(key_));
  Preauth(R"({"mac":"aa:bb:cc:dd:ee:02"})", PublicPem(other_key_));
  ApiResponse all = Call("GET", std::string(kDevices) + "?status=preauthorized");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(Body(all).Root().AsArray().value().size(), 2u);
  EXPECT_TRUE(all.Header("Link").has_value());
  ApiResponse none = Call("GET", std::string(kDevices) + "?status=accepted");
  EXPECT_EQ(Body(none).Root().AsArray().value().size(), 0u);
  ApiResponse page = Call("GET", std::string(kDevices) + "?per_page=1&page=2");
  EXPECT_EQ(Body(page).Root().AsArray().value().size(), 1u);
  EXPECT_EQ(Call("GET", std::string(kDevices) + "?status=bogus").status, 400);
  EXPECT_EQ(Call("GET", std::string(kDevices) + "?per_page=501").status, 400);
}

TEST_F(MenderApiTest, DeviceSearchAndAuthSetRemoval) {
  std::string a = Preauth(R"({"mac":"aa:bb:cc:dd:ee:01"})", PublicPem(key_));
  Preauth(R"({"mac":"aa:bb:cc:dd:ee:02"})", PublicPem(other_key_));
  ApiResponse by_id = Call("POST", std::string(kDevices) + "/search",
                           R"({"status":"preauthorized","id":[")" + a + R"("]})");
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  json::Document doc = Body(by_id);
  ASSERT_EQ(doc.Root().AsArray().value().size(), 1u);
  EXPECT_EQ(Call("POST", std::string(kDevices) + "/search", R"({"status":["bogus"]})").status, 400);
  EXPECT_EQ(Call("POST", std::string(kDevices) + "/search", R"({"status":7})").status, 400);

  json::Document dev = Body(Call("GET", std::string(kDevices) + "/" + a));
  std::string aid = Str(dev.Root().GetArray("auth_sets").value().at(0), "id");
  EXPECT_EQ(Call("DELETE", std::string(kDevices) + "/" + a + "/auth/nope").status, 404);
  EXPECT_EQ(Call("DELETE", std::string(kDevices) + "/" + a + "/auth/" + aid).status, 204);
  // The only auth set of a preauthorized device: the device goes with it.
  EXPECT_EQ(Call("GET", std::string(kDevices) + "/" + a).status, 404);
}

TEST_F(MenderApiTest, DecommissionIs204ThenDeviceIsGone404WithEmptyBody) {
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  ApiResponse del = Call("DELETE", std::string(kDevices) + "/" + id);
  EXPECT_EQ(del.status, 204);
  ApiResponse again = Call("DELETE", std::string(kDevices) + "/" + id);
  EXPECT_EQ(again.status, 404);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Call("GET", std::string(kDevices) + "/" + id).status, 404);
  EXPECT_EQ(Call("GET", "/api/management/v1/inventory/devices/" + id).status, 404);
  // The identity is free again, and the dump keeps the old record flagged.
  std::string id2 = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  EXPECT_NE(id, id2);
  std::string dump = state_.Locked([](SimData& d) { return DumpStateJson(d); });
  EXPECT_NE(dump.find("\"decommissioned\":true"), std::string::npos);
}

TEST_F(MenderApiTest, TagsPutReplacesPatchUpsertsAndEtagChanges) {
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  std::string tags = "/api/management/v1/inventory/devices/" + id + "/tags";
  ApiResponse put =
      Call("PUT", tags, R"([{"name":"name","value":"gw-1"},{"name":"site","value":"b"}])");
  EXPECT_EQ(put.status, 200);
  EXPECT_TRUE(put.body.empty());
  std::string etag1 = Etag(id);
  ASSERT_FALSE(etag1.empty());

  ApiResponse patch =
      Call("PATCH", tags, R"([{"name":"name","value":"gw-2"}])", {{"If-Match", etag1}});
  EXPECT_EQ(patch.status, 200) << patch.body;
  std::string etag2 = Etag(id);
  EXPECT_NE(etag1, etag2);
  std::string inv = Call("GET", "/api/management/v1/inventory/devices/" + id).body;
  EXPECT_NE(inv.find(R"("value":"gw-2","scope":"tags")"), std::string::npos);
  EXPECT_NE(inv.find(R"("name":"site")"), std::string::npos);  // PATCH kept it

  ApiResponse replace = Call("PUT", tags, R"([{"name":"name","value":"gw-3","description":"d"}])",
                             {{"If-Match", etag2}});
  EXPECT_EQ(replace.status, 200);
  inv = Call("GET", "/api/management/v1/inventory/devices/" + id).body;
  EXPECT_EQ(inv.find(R"("name":"site")"), std::string::npos);  // PUT removed it
  EXPECT_NE(inv.find(R"({"name":"name","description":"d","value":"gw-3","scope":"tags")"),
            std::string::npos);
}

TEST_F(MenderApiTest, StaleIfMatchIs412AndNothingChanges) {
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  std::string tags = "/api/management/v1/inventory/devices/" + id + "/tags";
  ASSERT_EQ(Call("PUT", tags, R"([{"name":"name","value":"gw-1"}])").status, 200);
  ApiResponse stale =
      Call("PUT", tags, R"([{"name":"name","value":"gw-9"}])", {{"If-Match", "not-the-etag"}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Str(Body(stale).Root(), "error"), "ETag doesn't match");
  EXPECT_NE(Call("GET", "/api/management/v1/inventory/devices/" + id).body.find("gw-1"),
            std::string::npos);
}

TEST_F(MenderApiTest, TagWritesNeverCreateAnInventoryRecord) {
  std::string tags = "/api/management/v1/inventory/devices/unknown-id/tags";
  EXPECT_EQ(Call("PUT", tags, R"([{"name":"name","value":"gw-1"}])").status, 200);
  EXPECT_EQ(Call("GET", "/api/management/v1/inventory/devices/unknown-id").status, 404);
  EXPECT_EQ(Call("PATCH", tags, R"([{"name":"name","value":"gw-1"}])", {{"If-Match", "x"}}).status,
            412);
}

TEST_F(MenderApiTest, TagValidationAndLimitAre400) {
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff"})", PublicPem(key_));
  std::string tags = "/api/management/v1/inventory/devices/" + id + "/tags";
  EXPECT_EQ(Call("PUT", tags, R"([{"value":"x"}])").status, 400);
  EXPECT_EQ(Call("PUT", tags, R"([{"name":"a","value":{"o":1}}])").status, 400);
  EXPECT_EQ(Call("PUT", tags, R"([{"name":"a","value":["x",1]}])").status, 400);
  EXPECT_EQ(Call("PUT", tags, R"({"name":"a","value":"x"})").status, 400);
  EXPECT_EQ(Call("PUT", tags, R"([{"name":"a","value":["x","y"]},{"name":"b","value":2}])").status,
            200);
  // The limit is 3 in this fixture: PUT counts the body, PATCH the union.
  ApiResponse too_many = Call(
      "PUT", tags,
      R"([{"name":"a","value":"1"},{"name":"b","value":"2"},{"name":"c","value":"3"},{"name":"d","value":"4"}])");
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(Call("PATCH", tags, R"([{"name":"c","value":"3"}])").status, 200);
  EXPECT_EQ(Call("PATCH", tags, R"([{"name":"d","value":"4"}])").status, 400);
}

TEST_F(MenderApiTest, SearchByTagAndIdentityWithTotalCount) {
  std::string a = Preauth(R"({"mac":"aa:bb:cc:dd:ee:01"})", PublicPem(key_));
  std::string b = Preauth(R"({"mac":"aa:bb:cc:dd:ee:02"})", PublicPem(other_key_));
  ASSERT_EQ(Call("PUT", "/api/management/v1/inventory/devices/" + a + "/tags",
                 R"([{"name":"name","value":"gw-berlin-0042"}])")
                .status,
            200);
  const std::string search = "/api/management/v2/inventory/filters/search";
  ApiResponse by_name = Call("POST", search,
                             R"({"filters":[{"scope":"tags","attribute":"name","type":"$eq",
                                 "value":"gw-berlin-0042"}],
                                 "attributes":[{"scope":"tags","attribute":"name"},
                                               {"scope":"identity","attribute":"mac"}]})");
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  EXPECT_EQ(by_name.Header("X-Total-Count").value_or(""), "1");
  json::Document hits = Body(by_name);
  std::vector<json::Value> list = hits.Root().AsArray().value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(Str(list[0], "id"), a);
  EXPECT_EQ(list[0].GetArray("attributes").value().size(), 2u);  // only the selected ones

  ApiResponse by_mac = Call("POST", search,
                            R"({"filters":[{"scope":"identity","attribute":"mac","type":"$eq",
                                "value":"aa:bb:cc:dd:ee:02"}]})");
  EXPECT_EQ(by_mac.Header("X-Total-Count").value_or(""), "1");
  EXPECT_NE(by_mac.body.find(b), std::string::npos);

  ApiResponse unused = Call("POST", search,
                            R"({"filters":[{"scope":"tags","attribute":"name","type":"$eq",
                                "value":"free-name"}]})");
  EXPECT_EQ(unused.body, "[]");
  EXPECT_EQ(unused.Header("X-Total-Count").value_or(""), "0");
}

TEST_F(MenderApiTest, SearchRefusesUnsupportedAndInvalidFilters) {
  const std::string search = "/api/management/v2/inventory/filters/search";
  ApiResponse regex = Call("POST", search,
                           R"({"filters":[{"scope":"tags","attribute":"name","type":"$regex",
                               "value":"gw-.*"}]})");
  EXPECT_EQ(regex.status, 400);
  EXPECT_NE(Str(Body(regex).Root(), "error").find("not supported"), std::string::npos);
  EXPECT_EQ(Call("POST", search,
                 R"({"filters":[{"scope":"tags","attribute":"name","type":"$like","value":"x"}]})")
                .status,
            400);
  EXPECT_EQ(Call("POST", search,
                 R"({"filters":[{"scope":"nowhere","attribute":"name","type":"$eq","value":"x"}]})")
                .status,
            400);
  EXPECT_EQ(
      Call("POST", search, R"({"filters":[{"scope":"tags","type":"$eq","value":"x"}]})").status,
      400);
  EXPECT_EQ(Call("POST", search, "").status, 400);  // Go's decoder: EOF
}

TEST_F(MenderApiTest, UnknownRouteIsGins404) {
  ApiResponse r = Call("GET", "/api/management/v2/devauth/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found");
}

}  // namespace
}  // namespace gps::cloudsim
