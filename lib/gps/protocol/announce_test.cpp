#include "gps/protocol/announce.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"
#include "gps/testing/test_util.h"

namespace gps::protocol {
namespace {

using crypto::KeyType;
using crypto::PrivateKey;
using testing::Must;

// Key generation (RSA above all) is the slow part; each type is made once per test binary.
const PrivateKey& KeyOf(KeyType type) {
  static std::map<KeyType, std::unique_ptr<PrivateKey>> keys;
  auto& slot = keys[type];
  if (!slot) {
    switch (type) {
      case KeyType::kRsa:
        slot = std::make_unique<PrivateKey>(Must(PrivateKey::GenerateRsa(2048)));
        break;
      case KeyType::kEcdsaP256:
        slot = std::make_unique<PrivateKey>(Must(PrivateKey::GenerateEcdsaP256()));
        break;
      case KeyType::kEd25519:
        slot = std::make_unique<PrivateKey>(Must(PrivateKey::GenerateEd25519()));
        break;
    }
  }
  return *slot;
}

Announce Unsigned() {
  Announce a;
  a.mac = "02:42:ac:11:00:02";
  a.transport_key = std::string(32, '\x07');
  a.ts_ms = 1763880000123;
  return a;
}

Announce Signed(KeyType type, Announce a = Unsigned()) {
  Status st = SignAnnounce(KeyOf(type), &a);
  if (!st.ok()) {
    throw std::runtime_error("SignAnnounce: " + st.ToString());
  }
  return a;
}

std::string TypeName(const ::testing::TestParamInfo<KeyType>& info) {
  switch (info.param) {
    case KeyType::kRsa:
      return "Rsa2048";
    case KeyType::kEcdsaP256:
      return "EcdsaP256";
    case KeyType::kEd25519:
      return "Ed25519";
  }
  return "Unknown";
}

class AnnounceRoundTrip : public ::testing::TestWithParam<KeyType> {};

TEST_P(AnnounceRoundTrip, SignEncodeParseVerify) {
  Announce a = Signed(GetParam());
  EXPECT_TRUE(IsDeviceId(a.device_id));
  std::string payload = EncodeAnnounce(a);
  Announce parsed = Must(ParseAnnounce(payload));
  EXPECT_EQ(parsed.device_id, a.device_id);
  EXPECT_EQ(parsed.mac, a.mac);
  EXPECT_EQ(parsed.pubkey_pem, a.pubkey_pem);
  EXPECT_EQ(parsed.transport_key, a.transport_key);
  EXPECT_EQ(parsed.ts_ms, a.ts_ms);
  EXPECT_EQ(parsed.csr_pem, "");
  EXPECT_EQ(parsed.signature, a.signature);

  Result<VerifiedAnnounce> v = VerifyAnnounce(parsed, a.device_id);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  crypto::PublicKey pub = Must(KeyOf(GetParam()).Public());
  EXPECT_EQ(v->key_type, GetParam());
  EXPECT_EQ(v->fingerprint, crypto::FingerprintFromSpki(pub.spki_der()));
  EXPECT_EQ(v->check_code, crypto::CheckCodeFromSpki(pub.spki_der()));
  EXPECT_EQ(v->announce.device_id, crypto::DeviceIdFromSpki(pub.spki_der()));
  EXPECT_EQ(v->announce.pubkey_pem, pub.SpkiPem());
}

TEST_P(AnnounceRoundTrip, WithCsr) {
  Announce a = Unsigned();
  a.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
  a = Signed(GetParam(), a);
  Announce parsed = Must(ParseAnnounce(EncodeAnnounce(a)));
  EXPECT_EQ(parsed.csr_pem, a.csr_pem);
  EXPECT_TRUE(VerifyAnnounce(parsed, a.device_id).ok());
}

TEST_P(AnnounceRoundTrip, TamperedFieldsFailTheSignature) {
  const Announce good = Must(ParseAnnounce(EncodeAnnounce(Signed(GetParam()))));
  std::vector<std::pair<std::string, Announce>> tampered;
  Announce ts = good;
  ts.ts_ms += 1;
  tampered.emplace_back("ts", ts);
  Announce mac = good;
  mac.mac = "02:42:ac:11:00:03";
  tampered.emplace_back("mac", mac);
  Announce tk = good;
  tk.transport_key[31] = '\x08';
  tampered.emplace_back("transport key", tk);
  Announce csr = good;
  csr.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\nX\n-----END CERTIFICATE REQUEST-----\n";
  tampered.emplace_back("added csr", csr);
  Announce sig = good;
  sig.signature[sig.signature.size() / 2] ^= 0x10;
  tampered.emplace_back("signature", sig);
  for (const auto& [what, a] : tampered) {
    // Through the wire and back, as the engine would see it.
    Announce wire = Must(ParseAnnounce(EncodeAnnounce(a)));
    Result<VerifiedAnnounce> v = VerifyAnnounce(wire, wire.device_id);
    EXPECT_FALSE(v.ok()) << what;
    EXPECT_TRUE(v.status().IsPermissionDenied()) << what << ": " << v.status().ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryKeyType, AnnounceRoundTrip,
                         ::testing::Values(KeyType::kRsa, KeyType::kEcdsaP256, KeyType::kEd25519),
                         TypeName);

TEST(AnnounceSigningString, HasTheDocumentedLayout) {
  Announce a;
  a.device_id = std::string(64, 'a');
  a.mac = "02:42:ac:11:00:02";
  a.transport_key = "0123456789abcdef0123456789abcdef";
  a.ts_ms = 1763880000123;
  EXPECT_EQ(
      AnnounceSigningString(a),
      "gps/v1 announce\n" + std::string(64, 'a') +
          "\n02:42:ac:11:00:02\nMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n1763880000123\n");
  a.csr_pem = "CSR";
  // The last line is the lower-case hex SHA-256 of the CSR (from sha256sum).
  EXPECT_EQ(AnnounceSigningString(a),
            "gps/v1 announce\n" + std::string(64, 'a') +
                "\n02:42:ac:11:00:02\nMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n1763880000123\n"
                "bc07f34c89a05eeec256046a695f86444a8dbb1bfbf331d6932feed048c17171");
}

TEST(AnnounceSigningString, ACsrChangesIt) {
  Announce a = Unsigned();
  std::string without = AnnounceSigningString(a);
  a.csr_pem = "csr one";
  std::string with_one = AnnounceSigningString(a);
  a.csr_pem = "csr two";
  std::string with_two = AnnounceSigningString(a);
  EXPECT_NE(without, with_one);
  EXPECT_NE(with_one, with_two);
}

TEST(AnnounceVerify, RefusesTheWrongTopicId) {
  Announce a = Signed(KeyType::kEd25519);
  Announce other = Signed(KeyType::kEcdsaP256);
  Result<VerifiedAnnounce> v = VerifyAnnounce(a, other.device_id);
  EXPECT_TRUE(v.status().IsPermissionDenied()) << v.status().ToString();
  EXPECT_TRUE(VerifyAnnounce(a, "").status().IsPermissionDenied());
}

TEST(AnnounceVerify, RefusesADeviceIdThatIsNotTheKeys) {
  Announce a = Signed(KeyType::kEd25519);
  Announce b = Signed(KeyType::kEcdsaP256);
  // a's id and signature with b's key.
  Announce swapped_key = a;
  swapped_key.pubkey_pem = b.pubkey_pem;
  Result<VerifiedAnnounce> v = VerifyAnnounce(swapped_key, a.device_id);
  EXPECT_TRUE(v.status().IsPermissionDenied()) << v.status().ToString();
  // b's id and key, but signed by a's key over b's id.
  Announce forged = b;
  forged.signature = a.signature;
  v = VerifyAnnounce(forged, b.device_id);
  EXPECT_TRUE(v.status().IsPermissionDenied()) << v.status().ToString();
  // An id that is well formed but belongs to nobody.
  Announce stranger = a;
  stranger.device_id = std::string(64, 'f');
  v = VerifyAnnounce(stranger, stranger.device_id);
  EXPECT_TRUE(v.status().IsPermissionDenied()) << v.status().ToString();
}

TEST(AnnounceVerify, RefusesAKeyThatDoesNotParseOrIsNotAccepted) {
  Announce a = Signed(KeyType::kEd25519);
  a.pubkey_pem = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n";
  Result<VerifiedAnnounce> v = VerifyAnnounce(a, a.device_id);
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("announce.pubkey"), std::string::npos)
      << v.status().message();
}

// A valid payload as raw JSON members, so single fields can be replaced or dropped.
class AnnounceParse : public ::testing::Test {
 protected:
  AnnounceParse() {
    Announce a = Signed(KeyType::kEd25519);
    members_ = {
        {"v", "1"},
        {"deviceId", json::Quote(a.device_id)},
        {"mac", json::Quote(a.mac)},
        {"pubkey", json::Quote(a.pubkey_pem)},
        {"transportKey", json::Quote(crypto::Base64Encode(a.transport_key))},
        {"ts", std::to_string(a.ts_ms)},
        {"sig", json::Quote(crypto::Base64Encode(a.signature))},
    };
  }

  std::string Payload(const std::map<std::string, std::string>& replace = {},
                      const std::string& drop = "") const {
    std::string out = "{";
    for (const auto& [key, raw] : members_) {
      if (key == drop) {
        continue;
      }
      auto it = replace.find(key);
      out += (out.size() > 1 ? "," : "") + json::Quote(key) + ":" +
             (it != replace.end() ? it->second : raw);
    }
    for (const auto& [key, raw] : replace) {
      if (!members_.count(key)) {
        out += "," + json::Quote(key) + ":" + raw;
      }
    }
    return out + "}";
  }

  void ExpectRefused(const std::string& payload, const std::string& why) const {
    Result<Announce> a = ParseAnnounce(payload);
    EXPECT_FALSE(a.ok()) << why;
    EXPECT_TRUE(a.status().IsInvalidArgument()) << why << ": " << a.status().ToString();
  }

  std::map<std::string, std::string> members_;
};

TEST_F(AnnounceParse, TheBasePayloadIsAccepted) {
  Result<Announce> a = ParseAnnounce(Payload());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(VerifyAnnounce(*a, a->device_id).ok());
}

TEST_F(AnnounceParse, RefusesAMissingRequiredField) {
  for (const char* field : {"v", "deviceId", "mac", "pubkey", "transportKey", "ts", "sig"}) {
    ExpectRefused(Payload({}, field), std::string("without ") + field);
  }
}

TEST_F(AnnounceParse, RefusesAnyVersionButOne) {
  for (const char* v : {"0", "2", "-1", "\"1\"", "1.0", "null"}) {
    ExpectRefused(Payload({{"v", v}}), std::string("v=") + v);
  }
}

TEST_F(AnnounceParse, RefusesABadDeviceId) {
  const std::string id(64, 'a');
  for (const std::string& raw :
       {json::Quote(id.substr(1)), json::Quote(id + "a"), json::Quote(std::string(64, 'A')),
        json::Quote(id.substr(1) + "g"), json::Quote(""), std::string("42"),
        json::Quote(std::string(64, 'a') + std::string(1000, 'b'))}) {
    ExpectRefused(Payload({{"deviceId", raw}}), "deviceId=" + raw.substr(0, 70));
  }
}

TEST_F(AnnounceParse, RefusesAMacThatIsNotCanonical) {
  for (const char* mac : {"02:42:AC:11:00:02", "02-42-ac-11-00-02", "0242ac110002",
                          "02:42:ac:11:00", "02:42:ac:11:00:02:03:04"}) {
    ExpectRefused(Payload({{"mac", json::Quote(mac)}}), mac);
  }
  ExpectRefused(Payload({{"mac", "true"}}), "mac of the wrong type");
}

TEST_F(AnnounceParse, RefusesABadTransportKey) {
  ExpectRefused(
      Payload({{"transportKey", json::Quote(crypto::Base64Encode(std::string(31, 'k')))}}),
      "31-byte transport key");
  ExpectRefused(
      Payload({{"transportKey", json::Quote(crypto::Base64Encode(std::string(33, 'k')))}}),
      "33-byte transport key");
  ExpectRefused(Payload({{"transportKey", json::Quote("")}}), "empty transport key");
  ExpectRefused(Payload({{"transportKey", json::Quote("not base64 at all, not at all!!!")}}),
                "transport key not base64");
  // Base64 of 32 bytes ends in one padding character after two unused bits; setting one of
  // them spells the same key a second way.
  std::string b64 = crypto::Base64Encode(std::string(32, 'k'));
  ASSERT_EQ(b64.substr(42), "s=");
  b64[42] = 't';
  ExpectRefused(Payload({{"transportKey", json::Quote(b64)}}),
                "transport key with non-canonical trailing bits");
  ExpectRefused(Payload({{"transportKey", json::Quote(std::string(100, 'A'))}}),
                "transport key too long");
}

TEST_F(AnnounceParse, RefusesABadTimestamp) {
  for (const char* ts : {"-1", "\"1763880000123\"", "1.5", "1e40", "null"}) {
    ExpectRefused(Payload({{"ts", ts}}), std::string("ts=") + ts);
  }
}

TEST_F(AnnounceParse, RefusesABadSignatureField) {
  ExpectRefused(Payload({{"sig", json::Quote("")}}), "empty signature");
  ExpectRefused(Payload({{"sig", json::Quote("@@@@")}}), "signature not base64");
  ExpectRefused(Payload({{"sig", json::Quote(std::string(2052, 'A'))}}), "signature too long");
  ExpectRefused(Payload({{"sig", "[]"}}), "signature of the wrong type");
}

TEST_F(AnnounceParse, RefusesABadPubkeyOrCsrField) {
  ExpectRefused(Payload({{"pubkey", "7"}}), "pubkey of the wrong type");
  ExpectRefused(Payload({{"pubkey", json::Quote(std::string(kMaxPemBytes + 1, 'A'))}}),
                "pubkey over the PEM limit");
  ExpectRefused(Payload({{"csr", "{}"}}), "csr of the wrong type");
  ExpectRefused(Payload({{"csr", json::Quote(std::string(kMaxPemBytes + 1, 'A'))}}),
                "csr over the PEM limit");
  // null means absent for the optional csr.
  Result<Announce> a = ParseAnnounce(Payload({{"csr", "null"}}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->csr_pem, "");
}

TEST_F(AnnounceParse, RefusesAnOversizedPayload) {
  std::string pad(kMaxAnnounceBytes, ' ');
  Result<Announce> a = ParseAnnounce(Payload() + pad);
  EXPECT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("exceeds the limit"), std::string::npos)
      << a.status().message();
}

TEST_F(AnnounceParse, RefusesWhatIsNotAJsonObject) {
  ExpectRefused("", "empty");
  ExpectRefused("[]", "array");
  ExpectRefused(Payload() + "x", "trailing garbage");
  ExpectRefused("{\"v\":1", "truncated");
}

}  // namespace
}  // namespace gps::protocol
