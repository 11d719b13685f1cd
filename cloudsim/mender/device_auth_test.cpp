// Mender device authentication (POST /api/devices/v1/authentication/auth_requests), driven as the
// Mender client calls it, against devices preauthorised through the management API as
// gps-worker-mender preauthorises them.
#include "cloudsim/mender/device_auth.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "cloudsim/mender/mender_api.h"
#include "cloudsim/testing/test_util.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/sign.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::JsonType;
using testing::Req;
using testing::Str;

constexpr char kToken[] = "test-token";
constexpr char kAuth[] = "/api/devices/v1/authentication/auth_requests";
constexpr char kMac[] = "aa:bb:cc:dd:ee:ff";
constexpr char kIdentity[] = R"({"mac":"aa:bb:cc:dd:ee:ff"})";

std::string PublicPem(const crypto::PrivateKey& key) { return key.Public().value().SpkiPem(); }

// The body the Mender client sends: id_data is the identity as a JSON string.
std::string AuthBody(std::string_view identity_json, const std::string& pem) {
  json::Writer w;
  w.BeginObject()
      .Field("id_data", identity_json)
      .Field("pubkey", pem)
      .Field("tenant_token", "")
      .EndObject();
  return w.Take();
}

std::string SignB64(const crypto::PrivateKey& key, std::string_view body) {
  return crypto::Base64Encode(crypto::Sign(key, body).value());
}

// The claims of a JWT, decoded.
json::Document Claims(const std::string& jwt) {
  std::size_t a = jwt.find('.');
  std::size_t b = jwt.find('.', a + 1);
  EXPECT_NE(b, std::string::npos) << jwt;
  std::string part = jwt.substr(a + 1, b - a - 1);
  for (char& c : part) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (part.size() % 4 != 0) {
    part += '=';
  }
  return json::ParseObject(crypto::Base64Decode(part).value_or("{}"), 4096, "claims").value();
}

class MenderDeviceAuthTest : public testing::ApiFixture<MenderApi> {
 protected:
  MenderDeviceAuthTest() : ApiFixture(Instant{1'800'000'000'000}, MenderConfig{kToken, 20}) {}

  HeaderField Credentials() override { return {"Authorization", std::string("Bearer ") + kToken}; }

  std::string Preauth(std::string_view identity, const std::string& pem) {
    json::Writer w;
    w.BeginObject().Key("identity_data").Raw(identity).Field("pubkey", pem).EndObject();
    ApiResponse r = Call("POST", "/api/management/v2/devauth/devices", w.Take());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Header("Location").value_or("devices/").substr(8);
  }

  // The request as the Mender client makes it: no management token, the body signed.
  ApiResponse Authenticate(const std::string& body, const std::string& signature) {
    return api_.Handle(Req("POST", kAuth, {JsonType(), {"X-MEN-Signature", signature}}, body));
  }
  ApiResponse Authenticate(const crypto::PrivateKey& key, std::string_view identity = kIdentity) {
    std::string body = AuthBody(identity, PublicPem(key));
    return Authenticate(body, SignB64(key, body));
  }

  MenderDevice Device(const std::string& id) {
    return state_.Locked([&](SimData& d) { return d.mender.devices.at(id); });
  }
  std::size_t Devices() {
    return state_.Locked([](SimData& d) { return d.mender.devices.size(); });
  }
  std::string InventoryStatus(const std::string& id) {
    return state_.Locked([&](SimData& d) {
      for (const InventoryAttribute& a : d.mender.inventory.at(id).attributes) {
        if (a.scope == "identity" && a.name == "status") {
          return a.value_json;
        }
      }
      return std::string("<none>");
    });
  }

  static void ExpectError(const ApiResponse& r, int status, std::string_view message) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Str(Body(r).Root(), "error"), message) << r.body;
    EXPECT_FALSE(Str(Body(r).Root(), "request_id").empty());
  }
};

TEST_F(MenderDeviceAuthTest, APreauthorizedDeviceIsAcceptedOnFirstAuthenticationForEachKeyType) {
  std::vector<crypto::PrivateKey> keys;
  keys.push_back(crypto::PrivateKey::GenerateRsa(2048).value());
  keys.push_back(crypto::PrivateKey::GenerateEcdsaP256().value());
  keys.push_back(crypto::PrivateKey::GenerateEd25519().value());
  int n = 0;
  for (const crypto::PrivateKey& key : keys) {
    std::string identity = "{\"mac\":\"aa:bb:cc:dd:ee:0" + std::to_string(n++) + "\"}";
    std::string id = Preauth(identity, PublicPem(key));
    ASSERT_EQ(Device(id).status, "preauthorized");

    ApiResponse r = Authenticate(key, identity);
    ASSERT_EQ(r.status, 200) << crypto::KeyTypeName(key.type()) << ": " << r.body;
    EXPECT_EQ(r.Header("Content-Type").value_or(""), "application/jwt");
    EXPECT_FALSE(r.Header("X-MEN-RequestID").value_or("").empty());
    MenderDevice d = Device(id);
    EXPECT_EQ(d.status, "accepted");
    ASSERT_EQ(d.auth_sets.size(), 1u);
    EXPECT_EQ(d.auth_sets[0].status, "accepted");
    EXPECT_EQ(InventoryStatus(id), "\"accepted\"");
    json::Document claims = Claims(r.body);
    EXPECT_EQ(Str(claims.Root(), "sub"), id);
    EXPECT_EQ(Str(claims.Root(), "jti"), d.auth_sets[0].id);
    EXPECT_EQ(Str(claims.Root(), "iss"), "Mender");
    EXPECT_TRUE(claims.Root().GetBool("mender.device").value_or(false));
    EXPECT_EQ(claims.Root().GetInt("exp").value_or(0), 1'800'000'000 + mender::kDeviceTokenSeconds);

    // The management API shows it accepted; a second authentication gets a token again.
    ApiResponse got = Call("GET", "/api/management/v2/devauth/devices/" + id);
    EXPECT_EQ(Str(Body(got).Root(), "status"), "accepted");
    EXPECT_EQ(Authenticate(key, identity).status, 200);
  }
}

TEST_F(MenderDeviceAuthTest, TheIdentityIsMatchedAfterSortingAsMenderDoes) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  std::string id = Preauth(R"({"mac":"aa:bb:cc:dd:ee:ff","sn":"1"})", PublicPem(key));
  EXPECT_EQ(Authenticate(key, R"({ "sn" : "1", "mac" : "aa:bb:cc:dd:ee:ff" })").status, 200);
  EXPECT_EQ(Device(id).status, "accepted");
  EXPECT_EQ(Devices(), 1u);
}

TEST_F(MenderDeviceAuthTest, ABadSignatureIs401) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEd25519().value();
  crypto::PrivateKey other = crypto::PrivateKey::GenerateEd25519().value();
  std::string id = Preauth(kIdentity, PublicPem(key));
  std::string body = AuthBody(kIdentity, PublicPem(key));
  ExpectError(Authenticate(body, SignB64(other, body)), 401, "signature verification failed");
  ExpectError(Authenticate(body, SignB64(key, body + " ")), 401, "signature verification failed");
  ExpectError(Authenticate(body, "not base64!"), 401, "signature verification failed");
  // As in mender-server, the preauthorized set was accepted before the signature was checked.
  EXPECT_EQ(Device(id).status, "accepted");
  EXPECT_EQ(Authenticate(body, SignB64(key, body)).status, 200);
}

TEST_F(MenderDeviceAuthTest, AnUnknownDeviceIs401AndWaitsPending) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  ExpectError(Authenticate(key), 401, "dev auth: unauthorized");
  ASSERT_EQ(Devices(), 1u);
  std::string id = state_.Locked([](SimData& d) { return d.mender.devices.begin()->first; });
  MenderDevice d = Device(id);
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.identity_json, kIdentity);
  ASSERT_EQ(d.auth_sets.size(), 1u);
  EXPECT_EQ(d.auth_sets[0].status, "pending");
  EXPECT_EQ(d.auth_sets[0].pubkey_pem, PublicPem(key));
  EXPECT_EQ(InventoryStatus(id), "\"pending\"");
  // Asking again changes nothing.
  ExpectError(Authenticate(key), 401, "dev auth: unauthorized");
  EXPECT_EQ(Devices(), 1u);
  EXPECT_EQ(Device(id).auth_sets.size(), 1u);
  // The management API lists it as pending.
  ApiResponse pending = Call("GET", "/api/management/v2/devauth/devices?status=pending");
  EXPECT_NE(pending.body.find(id), std::string::npos);
}

TEST_F(MenderDeviceAuthTest, AnUnknownKeyOfAPreauthorizedDeviceIs401) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  crypto::PrivateKey other = crypto::PrivateKey::GenerateEcdsaP256().value();
  std::string id = Preauth(kIdentity, PublicPem(key));
  ExpectError(Authenticate(other), 401, "dev auth: unauthorized");
  MenderDevice d = Device(id);
  EXPECT_EQ(d.status, "preauthorized");
  ASSERT_EQ(d.auth_sets.size(), 2u);
  EXPECT_EQ(d.auth_sets[1].status, "pending");
  EXPECT_EQ(Devices(), 1u);
  // The preauthorized key still gets in, and the pending set stays pending.
  EXPECT_EQ(Authenticate(key).status, 200);
  EXPECT_EQ(Device(id).auth_sets[1].status, "pending");
}

TEST_F(MenderDeviceAuthTest, AnotherMacIsAnotherDevice) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  Preauth(kIdentity, PublicPem(key));
  ExpectError(Authenticate(key, R"({"mac":"AA:BB:CC:DD:EE:FF"})"), 401, "dev auth: unauthorized");
  EXPECT_EQ(Devices(), 2u);
}

TEST_F(MenderDeviceAuthTest, ADecommissionedDeviceStartsOverAsUnknown) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  std::string id = Preauth(kIdentity, PublicPem(key));
  ASSERT_EQ(Call("DELETE", "/api/management/v2/devauth/devices/" + id).status, 204);
  ExpectError(Authenticate(key), 401, "dev auth: unauthorized");
  EXPECT_EQ(Devices(), 2u);
  EXPECT_TRUE(Device(id).decommissioned);
}

TEST_F(MenderDeviceAuthTest, BadRequestsAre400Or415) {
  crypto::PrivateKey key = crypto::PrivateKey::GenerateEcdsaP256().value();
  std::string pem = PublicPem(key);
  auto with_sig = [&](const std::string& body) { return Authenticate(body, SignB64(key, body)); };
  ExpectError(api_.Handle(Req("POST", kAuth, {JsonType()}, AuthBody(kIdentity, pem))), 400,
              "missing request signature header");
  ExpectError(with_sig(AuthBody("", pem)), 400, "invalid auth request: id_data must be provided");
  ExpectError(with_sig(AuthBody(kIdentity, "")), 400,
              "invalid auth request: pubkey must be provided");
  ExpectError(
      with_sig(AuthBody(kIdentity, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")),
      400, "invalid auth request: cannot decode public key");
  EXPECT_EQ(with_sig(AuthBody("mac=aa", pem)).status, 400);
  EXPECT_EQ(with_sig(AuthBody("[1]", pem)).status, 400);
  ExpectError(with_sig(R"({"id_data":{"mac":"aa"},"pubkey":"x"})"), 400,
              "failed to decode auth request: json: cannot unmarshal object into Go struct field "
              "AuthReq.id_data of type string");
  EXPECT_EQ(with_sig("not json").status, 400);
  ApiResponse wrong_type = api_.Handle(
      Req("POST", kAuth, {{"Content-Type", "text/plain"}, {"X-MEN-Signature", "x"}}, "{}"));
  ExpectError(wrong_type, 415, "Bad Content-Type, expected 'application/json'");
  EXPECT_EQ(Devices(), 0u);
  // Only POST is routed; the management API still needs its token.
  EXPECT_EQ(api_.Handle(Req("GET", kAuth)).status, 404);
  EXPECT_EQ(api_.Handle(Req("GET", "/api/management/v2/devauth/devices")).status, 401);
}

TEST(MenderDeviceStatus, FollowsTheAuthSetsAsDeviceauthDoes) {
  auto status = [](std::vector<std::string> sets) {
    std::vector<MenderAuthSet> v;
    for (const std::string& s : sets) {
      v.push_back({"id", "pem", s, "ts"});
    }
    return mender::DeviceStatusFromAuthSets(v);
  };
  EXPECT_EQ(status({}), "noauth");
  EXPECT_EQ(status({"rejected"}), "rejected");
  EXPECT_EQ(status({"rejected", "pending"}), "pending");
  EXPECT_EQ(status({"pending", "preauthorized"}), "preauthorized");
  EXPECT_EQ(status({"preauthorized", "accepted", "pending"}), "accepted");
}

TEST(MenderDeviceJwt, IsThreeBase64UrlPartsWithTheClaims) {
  std::string jwt = mender::DeviceJwt("key", "dev-1", "set-1", 1000);
  EXPECT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2);
  EXPECT_EQ(jwt.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(jwt.substr(0, jwt.find('.')), mender::Base64Url(R"({"alg":"HS256","typ":"JWT"})"));
  json::Document claims = Claims(jwt);
  EXPECT_EQ(Str(claims.Root(), "sub"), "dev-1");
  EXPECT_EQ(Str(claims.Root(), "jti"), "set-1");
  EXPECT_EQ(claims.Root().GetInt("iat").value_or(0), 1000);
  EXPECT_EQ(Str(claims.Root(), "mender.plan"), "enterprise");
  // Another key, another signature.
  std::string other = mender::DeviceJwt("other", "dev-1", "set-1", 1000);
  EXPECT_NE(other, jwt);
  EXPECT_EQ(other.substr(0, other.rfind('.')), jwt.substr(0, jwt.rfind('.')));
  EXPECT_EQ(mender::Base64Url("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace gps::cloudsim
