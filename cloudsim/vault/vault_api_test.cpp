#include "cloudsim/vault/vault_api.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

#include "cloudsim/testing/test_util.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/openssl_handles.h"
#include "gps/crypto/x509.h"

namespace gps::cloudsim {
namespace {

using testing::Body;
using testing::Req;
using testing::Str;

constexpr char kToken[] = "vault-test-token";

// A PEM CSR for key with the given CN and DNS SANs, signed by key.
std::string MakeCsr(const crypto::PrivateKey& key, const std::string& cn,
                    const std::string& sans = "") {
  crypto::X509ReqPtr req(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key.get());
  if (!sans.empty()) {
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    sk_X509_EXTENSION_push(
        exts, X509V3_EXT_nconf_nid(nullptr, nullptr, NID_subject_alt_name, sans.c_str()));
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  EXPECT_GT(X509_REQ_sign(req.get(), key.get(),
                          key.type() == crypto::KeyType::kEd25519 ? nullptr : EVP_sha256()),
            0);
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req.get());
  return crypto::BioContents(bio.get());
}

std::string JsonBody(std::initializer_list<std::pair<const char*, std::string>> fields) {
  json::Writer w;
  w.BeginObject();
  for (const auto& [k, v] : fields) {
    w.Field(k, v);
  }
  w.EndObject();
  return w.Take();
}

class VaultApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = ca::CertificateAuthority::Create(SystemClock().Now().ms / 1000).value().release();
  }
  static void TearDownTestSuite() {
    delete ca_;
    ca_ = nullptr;
  }

  VaultApiTest() : clock_(SystemClock().Now()) {}

  VaultConfig Config(std::string key_type = "ec", int bits = 256) {
    VaultConfig c;
    c.token = kToken;
    c.mount = "pki";
    c.role.name = "gps-device";
    c.role.key_type = std::move(key_type);
    c.role.key_bits = bits;
    c.role.allow_any_name = true;
    c.role.ttl_s = 3600;
    c.role.max_ttl_s = 24 * 3600;
    return c;
  }

  ApiResponse Post(VaultApi& api, const std::string& path, const std::string& body) {
    return api.Handle(Req("POST", path, {{"X-Vault-Token", kToken}}, body));
  }

  std::vector<crypto::Certificate> Roots() {
    std::vector<crypto::Certificate> roots;
    roots.push_back(crypto::Certificate::FromPem(ca_->root_pem()).value());
    return roots;
  }

  static std::vector<crypto::Certificate> One(crypto::Certificate c) {
    std::vector<crypto::Certificate> v;
    v.push_back(std::move(c));
    return v;
  }

  static ca::CertificateAuthority* ca_;
  SimState state_;
  FakeClock clock_;
};

ca::CertificateAuthority* VaultApiTest::ca_ = nullptr;

TEST_F(VaultApiTest, TokenIsRequired403AndUnknownPaths404) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  std::string body = JsonBody({{"common_name", "gw-1"}});
  for (const ApiRequest& r :
       {Req("POST", "/v1/pki/issue/gps-device", {}, body),
        Req("POST", "/v1/pki/issue/gps-device", {{"X-Vault-Token", "wrong"}}, body),
        Req("POST", "/v1/pki/issue/gps-device", {{"Authorization", "Bearer wrong"}}, body)}) {
    ApiResponse resp = api.Handle(r);
    EXPECT_EQ(resp.status, 403);
    EXPECT_EQ(resp.body, R"({"errors":["permission denied"]})");
  }
  ApiResponse bearer = api.Handle(Req("POST", "/v1/pki/issue/gps-device",
                                      {{"Authorization", std::string("Bearer ") + kToken}}, body));
  EXPECT_EQ(bearer.status, 200) << bearer.body;
  ApiResponse unknown = Post(api, "/v1/secret/data/x", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, R"({"errors":[]})");
  EXPECT_EQ(Post(api, "/v1/other-mount/issue/gps-device", body).status, 404);
  ApiResponse get = api.Handle(Req("GET", "/v1/pki/issue/gps-device", {{"X-Vault-Token", kToken}}));
  EXPECT_EQ(get.status, 405);
}

TEST_F(VaultApiTest, IssueValidationErrorsAre400WithVaultBodies) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  ApiResponse no_cn = Post(api, "/v1/pki/issue/gps-device", "{}");
  EXPECT_EQ(no_cn.status, 400);
  EXPECT_NE(no_cn.body.find("the common_name field is required"), std::string::npos);
  ApiResponse role = Post(api, "/v1/pki/issue/nope", JsonBody({{"common_name", "gw-1"}}));
  EXPECT_EQ(role.status, 400);
  EXPECT_EQ(role.body, R"({"errors":["unknown role: nope"]})");
  EXPECT_EQ(Post(api, "/v1/pki/issue/gps-device", "{bad json").status, 400);
  EXPECT_EQ(
      Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}, {"ttl", "soon"}}))
          .status,
      400);
  EXPECT_EQ(Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "bad_name"}})).status,
            400);
  EXPECT_EQ(
      Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}, {"format", "p12"}}))
          .status,
      400);
  EXPECT_EQ(Post(api, "/v1/pki/issue/gps-device",
                 JsonBody({{"common_name", "gw-1"}, {"uri_sans", "spiffe://x"}}))
                .status,
            400);
}

TEST_F(VaultApiTest, RolePolicyRefusesNamesOutsideAllowedDomains) {
  VaultConfig c = Config();
  c.role.allow_any_name = false;
  c.role.allowed_domains = {"devices.example.com"};
  c.role.allow_subdomains = true;
  VaultApi api(c, &state_, &clock_, ca_);
  ApiResponse bad = Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"errors":["common name gw-1 not allowed by this role"]})");
  ApiResponse bad_san =
      Post(api, "/v1/pki/issue/gps-device",
           JsonBody({{"common_name", "gw-1.devices.example.com"}, {"alt_names", "gw-1.evil.com"}}));
  EXPECT_EQ(bad_san.status, 400);
  EXPECT_NE(bad_san.body.find("subject alternate name gw-1.evil.com"), std::string::npos);
  EXPECT_EQ(
      Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1.devices.example.com"}}))
          .status,
      200);
}

TEST_F(VaultApiTest, IssuedCertificateVerifiesAgainstTheChainAndCarriesTheName) {
  VaultApi api(Config("rsa", 2048), &state_, &clock_, ca_);
  ApiResponse r = Post(api, "/v1/pki/issue/gps-device",
                       JsonBody({{"common_name", "gw-berlin-0042"},
                                 {"alt_names", "gw-berlin-0042.local"},
                                 {"ttl", "30m"},
                                 {"format", "pem"},
                                 {"private_key_format", "pkcs8"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  json::Document doc = Body(r);
  json::Value root = doc.Root();
  EXPECT_EQ(Str(root, "lease_id"), "");
  EXPECT_FALSE(root.GetBool("renewable").value_or(true));
  EXPECT_EQ(root.GetInt("lease_duration").value_or(-1), 0);
  EXPECT_TRUE(root.Get("warnings").value().IsNull());
  json::Value data = root.GetObject("data").value();

  crypto::Certificate leaf = crypto::Certificate::FromPem(Str(data, "certificate")).value();
  EXPECT_EQ(leaf.SubjectCommonName(), "gw-berlin-0042");
  EXPECT_EQ(leaf.SerialHex(), Str(data, "serial_number"));
  std::string serial = Str(data, "serial_number");
  EXPECT_GE(std::count(serial.begin(), serial.end(), ':'), 15);  // 16+ random bytes
  std::vector<json::Value> chain = data.GetArray("ca_chain").value();
  ASSERT_EQ(chain.size(), 2u);  // [intermediate, root]
  crypto::Certificate intermediate =
      crypto::Certificate::FromPem(chain[0].AsString(1 << 16).value()).value();
  crypto::Certificate root_ca =
      crypto::Certificate::FromPem(chain[1].AsString(1 << 16).value()).value();
  EXPECT_EQ(Str(data, "issuing_ca"), chain[0].AsString(1 << 16).value());
  EXPECT_TRUE(root_ca.IsSelfIssued());
  EXPECT_EQ(root_ca.Pem(), ca_->root_pem());
  std::vector<crypto::Certificate> roots = One(std::move(root_ca));
  EXPECT_TRUE(crypto::VerifyChain(leaf, One(std::move(intermediate)), roots).ok());
  EXPECT_FALSE(crypto::VerifyChain(leaf, {}, roots).ok());  // the intermediate is needed

  std::string key_pem = Str(data, "private_key");
  EXPECT_EQ(key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(Str(data, "private_key_type"), "rsa");
  crypto::PrivateKey key = crypto::PrivateKey::FromPem(key_pem).value();
  EXPECT_TRUE(crypto::CertificateMatchesKey(leaf, key).ok());
  std::int64_t expiration = data.GetInt("expiration").value_or(0);
  EXPECT_EQ(expiration, clock_.Now().ms / 1000 + 1800);

  // Recorded for the state dump and for revocation.
  bool stored = state_.Locked([&](SimData& d) {
    auto it = d.vault.certificates.find(leaf.SerialHex());
    return it != d.vault.certificates.end() && it->second.common_name == "gw-berlin-0042" &&
           !it->second.revoked;
  });
  EXPECT_TRUE(stored);
}

TEST_F(VaultApiTest, DefaultPrivateKeyFormatIsTheTraditionalPem) {
  VaultApi api(Config("ec", 256), &state_, &clock_, ca_);
  ApiResponse r = Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  json::Document doc = Body(r);
  json::Value data = doc.Root().GetObject("data").value();
  EXPECT_EQ(Str(data, "private_key").rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(Str(data, "private_key_type"), "ec");
  // Vault trims the trailing newline of PEM blocks.
  EXPECT_EQ(Str(data, "certificate").back(), '-');
}

TEST_F(VaultApiTest, DerAndPemBundleFormats) {
  VaultApi api(Config("ec", 256), &state_, &clock_, ca_);
  ApiResponse der =
      Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}, {"format", "der"}}));
  ASSERT_EQ(der.status, 200) << der.body;
  json::Document d = Body(der);
  json::Value data = d.Root().GetObject("data").value();
  // Base64 DER: no PEM armour, decodes, and starts with an ASN.1 SEQUENCE.
  for (std::string_view field : {"certificate", "issuing_ca", "private_key"}) {
    std::string v = Str(data, field);
    EXPECT_EQ(v.find("-----"), std::string::npos) << field;
    std::string raw = crypto::Base64Decode(v).value_or("");
    ASSERT_FALSE(raw.empty()) << field;
    EXPECT_EQ(static_cast<unsigned char>(raw[0]), 0x30) << field;
  }

  ApiResponse bundle = Post(api, "/v1/pki/issue/gps-device",
                            JsonBody({{"common_name", "gw-2"}, {"format", "pem_bundle"}}));
  ASSERT_EQ(bundle.status, 200) << bundle.body;
  json::Document b = Body(bundle);
  std::string cert = Str(b.Root().GetObject("data").value(), "certificate");
  EXPECT_EQ(cert.rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(crypto::Certificate::ChainFromPem(cert).value().size(), 2u);  // leaf + issuing CA
}

TEST_F(VaultApiTest, TtlAboveMaxIsCappedWithAWarning) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  ApiResponse r =
      Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}, {"ttl", "720h"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  json::Document doc = Body(r);
  EXPECT_EQ(doc.Root().GetObject("data").value().GetInt("expiration").value_or(0),
            clock_.Now().ms / 1000 + 24 * 3600);
  std::vector<json::Value> warnings = doc.Root().GetArray("warnings").value();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].AsString().value(),
            "TTL \"720h0m0s\" is longer than permitted maxTTL \"24h0m0s\", so maxTTL is being "
            "used");
}

TEST_F(VaultApiTest, SignUsesTheCsrKeyAndNamesAndVerifiesItsSignature) {
  VaultApi api(Config("ec", 256), &state_, &clock_, ca_);
  crypto::PrivateKey device_key = crypto::PrivateKey::GenerateEcdsaP256().value();
  std::string csr = MakeCsr(device_key, "gw-csr-1", "DNS:gw-csr-1.local");
  ApiResponse r = Post(api, "/v1/pki/sign/gps-device",
                       JsonBody({{"csr", csr}, {"common_name", "ignored-by-default"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  json::Document doc = Body(r);
  json::Value data = doc.Root().GetObject("data").value();
  EXPECT_FALSE(data.Has("private_key"));
  crypto::Certificate leaf = crypto::Certificate::FromPem(Str(data, "certificate")).value();
  EXPECT_EQ(leaf.SubjectCommonName(), "gw-csr-1");  // use_csr_common_name
  EXPECT_TRUE(crypto::CertificateMatchesKey(leaf, device_key).ok());
  crypto::Certificate intermediate = crypto::Certificate::FromPem(Str(data, "issuing_ca")).value();
  EXPECT_TRUE(crypto::VerifyChain(leaf, One(std::move(intermediate)), Roots()).ok());

  // A CSR whose signature does not verify is refused.
  std::string tampered = csr;
  std::size_t pos = tampered.find("-----END");
  ASSERT_NE(pos, std::string::npos);
  tampered[pos - 6] = tampered[pos - 6] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Post(api, "/v1/pki/sign/gps-device", JsonBody({{"csr", tampered}})).status, 400);
  EXPECT_EQ(Post(api, "/v1/pki/sign/gps-device", JsonBody({{"csr", ""}})).status, 400);
  // The role's key type applies to CSRs too.
  crypto::PrivateKey ed = crypto::PrivateKey::GenerateEd25519().value();
  ApiResponse wrong_type =
      Post(api, "/v1/pki/sign/gps-device", JsonBody({{"csr", MakeCsr(ed, "gw-2")}}));
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.body, R"({"errors":["role requires keys of type ec"]})");
}

TEST_F(VaultApiTest, RevokeIsIdempotentAndAcceptsHyphensOrTheCertificate) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  ApiResponse issued = Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}}));
  ASSERT_EQ(issued.status, 200);
  json::Document doc = Body(issued);
  std::string serial = Str(doc.Root().GetObject("data").value(), "serial_number");
  std::string pem = Str(doc.Root().GetObject("data").value(), "certificate");

  ApiResponse first = Post(api, "/v1/pki/revoke", JsonBody({{"serial_number", serial}}));
  ASSERT_EQ(first.status, 200) << first.body;
  json::Document r1 = Body(first);
  json::Value d1 = r1.Root().GetObject("data").value();
  std::int64_t t1 = d1.GetInt("revocation_time").value_or(0);
  EXPECT_EQ(t1, clock_.Now().ms / 1000);
  EXPECT_EQ(Str(d1, "state"), "revoked");
  EXPECT_FALSE(Str(d1, "revocation_time_rfc3339").empty());

  clock_.Advance(60'000);
  std::string hyphens = serial;
  std::replace(hyphens.begin(), hyphens.end(), ':', '-');
  for (std::string body :
       {JsonBody({{"serial_number", hyphens}}), JsonBody({{"certificate", pem}})}) {
    ApiResponse again = Post(api, "/v1/pki/revoke", body);
    ASSERT_EQ(again.status, 200) << again.body;
    json::Document r = Body(again);
    EXPECT_EQ(r.Root().GetObject("data").value().GetInt("revocation_time").value_or(0), t1);
  }
  bool revoked = state_.Locked([&](SimData& d) { return d.vault.certificates.at(serial).revoked; });
  EXPECT_TRUE(revoked);

  ApiResponse unknown = Post(api, "/v1/pki/revoke", JsonBody({{"serial_number", "01:02:03"}}));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, R"({"errors":["certificate with serial 01:02:03 not found"]})");
  EXPECT_EQ(Post(api, "/v1/pki/revoke", "{}").status, 400);
  EXPECT_EQ(Post(api, "/v1/pki/revoke", JsonBody({{"serial_number", serial}, {"certificate", pem}}))
                .status,
            400);
}

TEST_F(VaultApiTest, UnauthenticatedReadsOfTheCa) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  ApiResponse pem = api.Handle(Req("GET", "/v1/pki/ca/pem"));
  EXPECT_EQ(pem.status, 200);
  EXPECT_EQ(pem.body + "\n", ca_->intermediate_pem());
  EXPECT_EQ(api.Handle(Req("GET", "/v1/sys/health")).status, 200);
  EXPECT_EQ(api.Handle(Req("GET", "/v1/pki/cert/01:02")).status, 404);
}

TEST_F(VaultApiTest, ListCertificatesNeedsTheTokenAndAnswersLikeVault) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  const HeaderField token{"X-Vault-Token", kToken};
  // Nothing stored yet: Vault's empty list.
  for (const ApiRequest& r :
       {Req("LIST", "/v1/pki/certs", {token}), Req("GET", "/v1/pki/certs?list=true", {token})}) {
    ApiResponse empty = api.Handle(r);
    EXPECT_EQ(empty.status, 404) << r.target;
    EXPECT_EQ(empty.body, R"({"errors":[]})") << r.target;
  }

  std::vector<std::string> serials;
  for (const char* cn : {"gw-1", "gw-2", "gw-1"}) {
    ApiResponse issued = Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", cn}}));
    ASSERT_EQ(issued.status, 200) << issued.body;
    json::Document doc = Body(issued);
    serials.push_back(Str(doc.Root().GetObject("data").value(), "serial_number"));
  }
  ASSERT_EQ(Post(api, "/v1/pki/revoke", JsonBody({{"serial_number", serials[0]}})).status, 200);
  std::sort(serials.begin(), serials.end());

  for (const ApiRequest& r :
       {Req("LIST", "/v1/pki/certs", {token}), Req("LIST", "/v1/pki/certs/", {token}),
        Req("GET", "/v1/pki/certs?list=true", {token}),
        Req("GET", "/v1/pki/certs/?list=1",
            {{"Authorization", std::string("Bearer ") + kToken}})}) {
    ApiResponse list = api.Handle(r);
    ASSERT_EQ(list.status, 200) << r.method << " " << r.target << ": " << list.body;
    json::Document doc = Body(list);
    std::vector<std::string> keys;
    std::vector<json::Value> values =
        doc.Root().GetObject("data").value().GetArray("keys").value_or(std::vector<json::Value>{});
    for (const json::Value& k : values) {
      keys.push_back(k.AsString().value());
    }
    EXPECT_EQ(keys, serials) << "every stored serial, revoked ones too, sorted";
    EXPECT_EQ(Str(doc.Root(), "mount_type"), "pki");
  }

  // The list is authenticated (reading one certificate is not).
  for (const ApiRequest& r : {Req("LIST", "/v1/pki/certs"), Req("GET", "/v1/pki/certs?list=true"),
                              Req("LIST", "/v1/pki/certs", {{"X-Vault-Token", "wrong"}})}) {
    ApiResponse refused = api.Handle(r);
    EXPECT_EQ(refused.status, 403) << r.method << " " << r.target;
    EXPECT_EQ(refused.body, R"({"errors":["permission denied"]})");
  }
  // A read of certs is not a list; other lists are unknown here.
  EXPECT_EQ(api.Handle(Req("GET", "/v1/pki/certs", {token})).status, 405);
  EXPECT_EQ(api.Handle(Req("GET", "/v1/pki/certs?list=false", {token})).status, 405);
  EXPECT_EQ(api.Handle(Req("LIST", "/v1/pki/roles", {token})).status, 404);
  EXPECT_EQ(api.Handle(Req("LIST", "/v1/other/certs", {token})).status, 404);
}

TEST_F(VaultApiTest, ReadCertificateShowsItsRevocation) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  ApiResponse issued = Post(api, "/v1/pki/issue/gps-device", JsonBody({{"common_name", "gw-1"}}));
  ASSERT_EQ(issued.status, 200) << issued.body;
  json::Document doc = Body(issued);
  json::Value data = doc.Root().GetObject("data").value();
  const std::string serial = Str(data, "serial_number");

  // Unauthenticated, as in Vault; hyphens and upper case name the same serial.
  std::string upper_hyphens = serial;
  for (char& c : upper_hyphens) {
    c = c == ':' ? '-' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  for (const std::string& path : {"/v1/pki/cert/" + serial, "/v1/pki/cert/" + upper_hyphens}) {
    ApiResponse live = api.Handle(Req("GET", path));
    ASSERT_EQ(live.status, 200) << path << ": " << live.body;
    json::Document d = Body(live);
    json::Value cert = d.Root().GetObject("data").value();
    EXPECT_EQ(Str(cert, "certificate"), Str(data, "certificate"));
    EXPECT_EQ(cert.GetInt("revocation_time").value_or(-1), 0);
    EXPECT_EQ(Str(cert, "revocation_time_rfc3339"), "");
  }

  clock_.Advance(5000);
  ASSERT_EQ(Post(api, "/v1/pki/revoke", JsonBody({{"serial_number", serial}})).status, 200);
  ApiResponse revoked = api.Handle(Req("GET", "/v1/pki/cert/" + serial));
  ASSERT_EQ(revoked.status, 200);
  json::Document r = Body(revoked);
  json::Value cert = r.Root().GetObject("data").value();
  EXPECT_EQ(cert.GetInt("revocation_time").value_or(0), clock_.Now().ms / 1000);
  EXPECT_EQ(Str(cert, "revocation_time_rfc3339"), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(api.Handle(Req("GET", "/v1/pki/cert/01:02")).status, 404);
}

TEST_F(VaultApiTest, AppRoleLoginGivesATokenThatWorksUntilItExpires) {
  VaultConfig config = Config();
  config.approle.role_id = "role-1";
  config.approle.secret_id = "secret-1";
  config.approle.token_ttl_s = 60;
  config.approle.token_max_ttl_s = 150;
  VaultApi api(config, &state_, &clock_, ca_);

  ApiResponse wrong = api.Handle(Req("POST", "/v1/auth/approle/login", {},
                                     JsonBody({{"role_id", "role-1"}, {"secret_id", "nope"}})));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.body, R"({"errors":["invalid role or secret ID"]})");
  EXPECT_EQ(api.Handle(Req("GET", "/v1/auth/approle/login")).status, 405);
  EXPECT_EQ(api.Handle(Req("POST", "/v1/auth/other/login", {}, "{}")).status, 403);

  ApiResponse login = api.Handle(Req("POST", "/v1/auth/approle/login", {},
                                     JsonBody({{"role_id", "role-1"}, {"secret_id", "secret-1"}})));
  ASSERT_EQ(login.status, 200) << login.body;
  json::Document d = Body(login);
  json::Value auth = d.Root().GetObject("auth").value();
  std::string token = Str(auth, "client_token");
  EXPECT_EQ(auth.GetInt("lease_duration").value_or(0), 60);
  EXPECT_TRUE(auth.GetBool("renewable").value_or(false));
  EXPECT_TRUE(d.Root().Has("data"));
  EXPECT_FALSE(d.Root().Find("data"));  // null

  std::string body = JsonBody({{"common_name", "gw-1"}});
  auto issue = [&] {
    return api.Handle(Req("POST", "/v1/pki/issue/gps-device", {{"X-Vault-Token", token}}, body))
        .status;
  };
  EXPECT_EQ(issue(), 200);

  ApiResponse lookup =
      api.Handle(Req("GET", "/v1/auth/token/lookup-self", {{"X-Vault-Token", token}}));
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  json::Document l = Body(lookup);
  json::Value data = l.Root().GetObject("data").value();
  EXPECT_EQ(data.GetInt("ttl").value_or(0), 60);
  EXPECT_EQ(Str(data, "id"), token);
  EXPECT_TRUE(data.GetBool("renewable").value_or(false));

  clock_.Advance(40'000);
  ApiResponse renew =
      api.Handle(Req("POST", "/v1/auth/token/renew-self", {{"X-Vault-Token", token}}, "{}"));
  ASSERT_EQ(renew.status, 200) << renew.body;
  EXPECT_EQ(Body(renew).Root().GetObject("auth").value().GetInt("lease_duration").value_or(0), 60);

  clock_.Advance(50'000);  // 90 s after the login: the max TTL leaves the 60 s the role grants
  EXPECT_EQ(api.Handle(Req("POST", "/v1/auth/token/renew-self", {{"X-Vault-Token", token}})).status,
            200);
  clock_.Advance(30'000);  // 120 s after the login: 30 s left of the max TTL
  ApiResponse capped =
      api.Handle(Req("POST", "/v1/auth/token/renew-self", {{"X-Vault-Token", token}}));
  ASSERT_EQ(capped.status, 200) << capped.body;
  json::Document c = Body(capped);
  EXPECT_EQ(c.Root().GetObject("auth").value().GetInt("lease_duration").value_or(0), 30);
  EXPECT_NE(capped.body.find("exceeded the effective max_ttl"), std::string::npos);

  clock_.Advance(30'000);  // past the max TTL
  EXPECT_EQ(issue(), 403);
  ApiResponse expired =
      api.Handle(Req("POST", "/v1/auth/token/renew-self", {{"X-Vault-Token", token}}));
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(expired.body, R"({"errors":["permission denied"]})");
}

TEST_F(VaultApiTest, TheStaticTokenLooksUpButDoesNotRenew) {
  VaultApi api(Config(), &state_, &clock_, ca_);
  ApiResponse lookup =
      api.Handle(Req("GET", "/v1/auth/token/lookup-self", {{"X-Vault-Token", kToken}}));
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_EQ(Body(lookup).Root().GetObject("data").value().GetInt("ttl").value_or(-1), 0);
  ApiResponse renew =
      api.Handle(Req("POST", "/v1/auth/token/renew-self", {{"X-Vault-Token", kToken}}));
  EXPECT_EQ(renew.status, 400);
  EXPECT_EQ(renew.body, R"({"errors":["lease is not renewable"]})");
  EXPECT_EQ(api.Handle(Req("GET", "/v1/auth/token/renew-self", {{"X-Vault-Token", kToken}})).status,
            405);
  EXPECT_EQ(api.Handle(Req("GET", "/v1/auth/token/lookup-self")).status, 403);
}

TEST(NormalizeSerial, ColonsHyphensAndCase) {
  EXPECT_EQ(vault::NormalizeSerial("0D-B3:e7"), "0d:b3:e7");
}

}  // namespace
}  // namespace gps::cloudsim
