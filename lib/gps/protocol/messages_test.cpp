// Tests of the engine <-> device messages, operator commands and replies, step result data and
// topics: everything in lib/gps/protocol besides the announce and jobs.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/json/json.h"
#include "gps/protocol/command.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/step_results.h"
#include "gps/protocol/topics.h"
#include "gps/testing/test_util.h"

namespace gps::protocol {
namespace {

using testing::kDeviceId;
using testing::Must;

// Builds a JSON object from raw member texts; the test names what it changes.
std::string Object(const std::map<std::string, std::string>& members) {
  std::string out = "{";
  for (const auto& [k, v] : members) {
    out += (out.size() > 1 ? "," : "") + json::Quote(k) + ":" + v;
  }
  return out + "}";
}

std::map<std::string, std::string> With(std::map<std::string, std::string> base,
                                        const std::string& key, const std::string& raw) {
  base[key] = raw;
  return base;
}

std::map<std::string, std::string> Without(std::map<std::string, std::string> base,
                                           const std::string& key) {
  base.erase(key);
  return base;
}

// ---------------------------------------------------------------------------------------------
// Step results

TEST(NameCheck, RoundTrips) {
  for (bool available : {true, false}) {
    NameCheckResult r{available, available ? "" : "used by Mender device 3f2a"};
    NameCheckResult back = Must(ParseNameCheck(EncodeNameCheck(r)));
    EXPECT_EQ(back.available, r.available);
    EXPECT_EQ(back.detail, r.detail);
  }
}

TEST(NameCheck, RefusesMalformedData) {
  for (const char* data : {"{}", R"({"available":"yes"})", R"({"available":1})",
                           R"({"available":true,"detail":5})", "[]", ""}) {
    EXPECT_TRUE(ParseNameCheck(data).status().IsInvalidArgument()) << data;
  }
  EXPECT_TRUE(ParseNameCheck(R"({"available":false})").ok());
}

TEST(NameCheck, ALongDetailIsCutSoTheEngineCanStillReadIt) {
  NameCheckResult r{false, "used by " + std::string(4000, 'd')};
  Result<NameCheckResult> back = ParseNameCheck(EncodeNameCheck(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->detail, r.detail.substr(0, kMaxErrorTextBytes));
}

TEST(MenderProvision, RoundTripsAndRefusesAnEmptyId) {
  EXPECT_EQ(Must(ParseMenderProvision(EncodeMenderProvision({"m-123"}))).mender_device_id, "m-123");
  for (const char* data : {R"({"menderDeviceId":""})", "{}", R"({"menderDeviceId":1})"}) {
    EXPECT_TRUE(ParseMenderProvision(data).status().IsInvalidArgument()) << data;
  }
  std::string long_id = Object({{"menderDeviceId", json::Quote(std::string(129, 'm'))}});
  EXPECT_TRUE(ParseMenderProvision(long_id).status().IsInvalidArgument());
}

DpsProvisionResult FullDps() {
  return DpsProvisionResult{"gw-berlin-0042", "0ne00000000",
                            "global.azure-devices-provisioning.net",
                            std::string("\x01sealed\x00key", 11)};
}

TEST(DpsProvision, RoundTrips) {
  DpsProvisionResult back = Must(ParseDpsProvision(EncodeDpsProvision(FullDps())));
  EXPECT_EQ(back.registration_id, "gw-berlin-0042");
  EXPECT_EQ(back.id_scope, "0ne00000000");
  EXPECT_EQ(back.global_endpoint, "global.azure-devices-provisioning.net");
  EXPECT_EQ(back.sealed_symmetric_key, FullDps().sealed_symmetric_key);
}

TEST(DpsProvision, RefusesMissingOrMalformedFields) {
  const std::map<std::string, std::string> base = {
      {"registrationId", "\"gw-1\""},
      {"idScope", "\"0ne00000000\""},
      {"globalEndpoint", "\"global.azure-devices-provisioning.net\""},
      {"sealedSymmetricKey", json::Quote(crypto::Base64Encode("sealed"))}};
  ASSERT_TRUE(ParseDpsProvision(Object(base)).ok());
  for (const char* field : {"registrationId", "idScope", "globalEndpoint", "sealedSymmetricKey"}) {
    EXPECT_TRUE(ParseDpsProvision(Object(Without(base, field))).status().IsInvalidArgument())
        << "without " << field;
    EXPECT_TRUE(ParseDpsProvision(Object(With(base, field, "\"\""))).status().IsInvalidArgument())
        << "empty " << field;
  }
  EXPECT_TRUE(ParseDpsProvision(Object(With(base, "sealedSymmetricKey", "\"not base64!\"")))
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseDpsProvision(Object(With(base, "idScope", json::Quote(std::string(65, 's')))))
                  .status()
                  .IsInvalidArgument());
}

VaultProvisionResult FullVault() {
  VaultProvisionResult r;
  r.certificate_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  r.ca_chain_pem = {"-----BEGIN CERTIFICATE-----\nissuing\n-----END CERTIFICATE-----\n",
                    "-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"};
  r.serial = "39:dd:2e";
  r.expiration = 1795416000;
  r.sealed_private_key = "sealed private key";
  return r;
}

TEST(VaultProvision, RoundTripsWithAndWithoutPrivateKey) {
  VaultProvisionResult full = FullVault();
  VaultProvisionResult back = Must(ParseVaultProvision(EncodeVaultProvision(full)));
  EXPECT_EQ(back.certificate_pem, full.certificate_pem);
  EXPECT_EQ(back.ca_chain_pem, full.ca_chain_pem);
  EXPECT_EQ(back.serial, full.serial);
  EXPECT_EQ(back.expiration, full.expiration);
  EXPECT_EQ(back.sealed_private_key, full.sealed_private_key);

  VaultProvisionResult sign_mode = FullVault();
  sign_mode.sealed_private_key.clear();
  std::string data = EncodeVaultProvision(sign_mode);
  EXPECT_EQ(data.find("sealedPrivateKey"), std::string::npos);
  EXPECT_EQ(Must(ParseVaultProvision(data)).sealed_private_key, "");
}

TEST(VaultProvision, RefusesMalformedFields) {
  const std::map<std::string, std::string> base = {{"certificate", "\"cert\""},
                                                   {"caChain", "[\"ca\"]"},
                                                   {"serial", "\"01\""},
                                                   {"expiration", "1795416000"}};
  ASSERT_TRUE(ParseVaultProvision(Object(base)).ok());
  for (const char* field : {"certificate", "caChain", "serial", "expiration"}) {
    EXPECT_TRUE(ParseVaultProvision(Object(Without(base, field))).status().IsInvalidArgument())
        << "without " << field;
  }
  const std::pair<const char*, std::string> cases[] = {
      {"caChain", "[]"},
      {"caChain", "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]"},
      {"caChain", "[1]"},
      {"caChain", "\"ca\""},
      {"expiration", "\"1795416000\""},
      {"sealedPrivateKey", "\"***\""},
      {"certificate", json::Quote(std::string(kMaxPemBytes + 1, 'c'))},
  };
  for (const auto& [field, raw] : cases) {
    EXPECT_TRUE(ParseVaultProvision(Object(With(base, field, raw))).status().IsInvalidArgument())
        << field << "=" << raw.substr(0, 40);
  }
}

// ---------------------------------------------------------------------------------------------
// Credential bundle and credentials message

CredentialBundle FullBundle() {
  CredentialBundle b;
  b.device_id = kDeviceId;
  b.bundle_id = "b-7";
  b.name = "gw-berlin-0042";
  b.mender_device_id = "m-123";
  b.dps_registration_id = "gw-berlin-0042";
  b.dps_id_scope = "0ne00000000";
  b.dps_global_endpoint = "global.azure-devices-provisioning.net";
  b.dps_sealed_symmetric_key = std::string("\x01\x02sealed-dps", 12);
  b.certificate_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  b.ca_chain_pem = {"issuing", "root"};
  b.certificate_serial = "39:dd";
  b.sealed_private_key = std::string("\x01sealed-key", 11);
  return b;
}

void ExpectSameBundle(const CredentialBundle& a, const CredentialBundle& b) {
  EXPECT_EQ(a.device_id, b.device_id);
  EXPECT_EQ(a.bundle_id, b.bundle_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.mender_device_id, b.mender_device_id);
  EXPECT_EQ(a.dps_registration_id, b.dps_registration_id);
  EXPECT_EQ(a.dps_id_scope, b.dps_id_scope);
  EXPECT_EQ(a.dps_global_endpoint, b.dps_global_endpoint);
  EXPECT_EQ(a.dps_sealed_symmetric_key, b.dps_sealed_symmetric_key);
  EXPECT_EQ(a.certificate_pem, b.certificate_pem);
  EXPECT_EQ(a.ca_chain_pem, b.ca_chain_pem);
  EXPECT_EQ(a.certificate_serial, b.certificate_serial);
  EXPECT_EQ(a.sealed_private_key, b.sealed_private_key);
}

TEST(Bundle, RoundTripsEveryField) {
  ExpectSameBundle(Must(ParseBundle(EncodeBundle(FullBundle()))), FullBundle());
}

TEST(Bundle, RoundTripsInSignModeWithoutPrivateKey) {
  CredentialBundle b = FullBundle();
  b.sealed_private_key.clear();
  std::string text = EncodeBundle(b);
  EXPECT_EQ(text.find("sealedPrivateKey"), std::string::npos);
  ExpectSameBundle(Must(ParseBundle(text)), b);
}

TEST(Bundle, RefusesMalformedBundles) {
  // Start from the encoded full bundle and break one thing at a time.
  std::string good = EncodeBundle(FullBundle());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    std::size_t at = s.find(from);
    if (at == std::string::npos) {
      throw std::logic_error("fixture text not found: " + from);
    }
    return s.replace(at, from.size(), to);
  };
  const std::pair<const char*, std::string> cases[] = {
      {"version", replace("\"v\":1", "\"v\":2")},
      {"device id", replace(kDeviceId, std::string(64, 'A'))},
      {"name rules", replace("\"name\":\"gw-berlin-0042\"", "\"name\":\"GW_1\"")},
      {"empty name", replace("\"name\":\"gw-berlin-0042\"", "\"name\":\"\"")},
      {"mender not an object", replace("\"mender\":{\"deviceId\":\"m-123\"}", "\"mender\":[]")},
      {"dps key not base64",
       replace(crypto::Base64Encode(FullBundle().dps_sealed_symmetric_key), "!!!!")},
      {"empty chain", replace("[\"issuing\",\"root\"]", "[]")},
      {"chain of numbers", replace("[\"issuing\",\"root\"]", "[1,2]")},
      {"private key not base64",
       replace(crypto::Base64Encode(FullBundle().sealed_private_key), "????")},
      {"not json", good.substr(0, good.size() - 1)},
  };
  for (const auto& [what, text] : cases) {
    EXPECT_TRUE(ParseBundle(text).status().IsInvalidArgument()) << what;
  }
  EXPECT_TRUE(ParseBundle(std::string(kMaxCredentialsBytes + 1, ' ')).status().IsInvalidArgument());
}

TEST(Bundle, ContextBindsDeviceAndDelivery) {
  EXPECT_EQ(BundleContext(kDeviceId, "b-7"), "gps/v1 bundle " + kDeviceId + " b-7");
  EXPECT_NE(BundleContext(kDeviceId, "b-7"), BundleContext(kDeviceId, "b-8"));
}

TEST(Credentials, RoundTrips) {
  CredentialsMessage m{kDeviceId, "b-7", std::string("\x01\x00sealed", 8)};
  std::string payload = EncodeCredentials(m);
  CredentialsMessage back = Must(ParseCredentials(payload));
  EXPECT_EQ(back.device_id, m.device_id);
  EXPECT_EQ(back.bundle_id, m.bundle_id);
  EXPECT_EQ(back.sealed, m.sealed);
}

TEST(Credentials, RefusesMalformedMessages) {
  const std::map<std::string, std::string> base = {{"v", "1"},
                                                   {"deviceId", json::Quote(kDeviceId)},
                                                   {"bundleId", "\"b-7\""},
                                                   {"sealed", "\"AAAA\""}};
  ASSERT_TRUE(ParseCredentials(Object(base)).ok());
  for (const char* field : {"v", "deviceId", "bundleId", "sealed"}) {
    EXPECT_TRUE(ParseCredentials(Object(Without(base, field))).status().IsInvalidArgument())
        << field;
  }
  const std::pair<const char*, std::string> cases[] = {
      {"v", "2"},
      {"deviceId", json::Quote(kDeviceId.substr(1))},
      {"bundleId", json::Quote(std::string(129, 'b'))},
      {"sealed", "\"AAA\""},
      {"sealed", "7"},
  };
  for (const auto& [field, raw] : cases) {
    EXPECT_TRUE(ParseCredentials(Object(With(base, field, raw))).status().IsInvalidArgument())
        << field << "=" << raw;
  }
}

// ---------------------------------------------------------------------------------------------
// Status

TEST(StatusMessage, RoundTripsEveryState) {
  for (const char* state :
       {"pending", "provisioning", "provisioned", "failed", "dismissed", "revoking", "revoked"}) {
    StatusMessage m{kDeviceId, state, "waiting for an operator", 1763880000123};
    StatusMessage back = Must(ParseStatus(EncodeStatus(m)));
    EXPECT_EQ(back.device_id, m.device_id);
    EXPECT_EQ(back.state, m.state);
    EXPECT_EQ(back.message, m.message);
    EXPECT_EQ(back.ts_ms, m.ts_ms);
  }
}

TEST(StatusMessage, RefusesMalformedMessages) {
  const std::map<std::string, std::string> base = {{"v", "1"},
                                                   {"deviceId", json::Quote(kDeviceId)},
                                                   {"state", "\"pending\""},
                                                   {"message", "\"m\""},
                                                   {"ts", "1"}};
  ASSERT_TRUE(ParseStatus(Object(base)).ok());
  // message and ts are optional.
  EXPECT_TRUE(ParseStatus(Object(Without(Without(base, "message"), "ts"))).ok());
  for (const char* field : {"v", "deviceId", "state"}) {
    EXPECT_TRUE(ParseStatus(Object(Without(base, field))).status().IsInvalidArgument()) << field;
  }
  const std::pair<const char*, std::string> cases[] = {
      {"v", "0"},
      {"deviceId", "\"x\""},
      {"state", "\"exploded\""},  // not one of the documented states
      {"state", "\"Pending\""},
      {"state", "\"\""},
      {"state", "1"},
      {"message", json::Quote(std::string(kMaxErrorTextBytes + 1, 'm'))},
      {"ts", "\"1\""},
  };
  for (const auto& [field, raw] : cases) {
    EXPECT_TRUE(ParseStatus(Object(With(base, field, raw))).status().IsInvalidArgument())
        << field << "=" << raw.substr(0, 40);
  }
  EXPECT_TRUE(
      ParseStatus(Object(With(base, "message", json::Quote(std::string(kMaxStatusBytes, 'm')))))
          .status()
          .IsInvalidArgument());
}

TEST(StatusMessage, ALongMessageIsCutSoTheDeviceCanStillReadIt) {
  StatusMessage m{kDeviceId, "pending",
                  "waiting for an operator; last attempt: " + std::string(3000, 'e'), 1};
  Result<StatusMessage> back = ParseStatus(EncodeStatus(m));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->message.size(), kMaxErrorTextBytes);
  EXPECT_EQ(back->message, m.message.substr(0, kMaxErrorTextBytes));
}

// ---------------------------------------------------------------------------------------------
// Ack

crypto::PrivateKey MakeKey() { return Must(crypto::PrivateKey::GenerateEd25519()); }

Ack SignedAck(const crypto::PrivateKey& key) {
  Ack a;
  a.device_id = crypto::DeviceIdFromSpki(Must(key.Public()).spki_der());
  a.bundle_id = "b-7";
  a.ts_ms = 1763880001234;
  Status st = SignAck(key, &a);
  if (!st.ok()) {
    throw std::runtime_error("SignAck: " + st.ToString());
  }
  return a;
}

TEST(Ack, SigningStringHasTheDocumentedLayout) {
  Ack a{kDeviceId, "b-7", 1763880001234, ""};
  EXPECT_EQ(AckSigningString(a), "gps/v1 ack\n" + kDeviceId + "\nb-7\n1763880001234");
}

TEST(Ack, SignEncodeParseVerify) {
  crypto::PrivateKey key = MakeKey();
  std::string pem = Must(key.Public()).SpkiPem();
  Ack a = SignedAck(key);
  Ack back = Must(ParseAck(EncodeAck(a)));
  EXPECT_EQ(back.device_id, a.device_id);
  EXPECT_EQ(back.bundle_id, a.bundle_id);
  EXPECT_EQ(back.ts_ms, a.ts_ms);
  EXPECT_EQ(back.signature, a.signature);
  Status st = VerifyAck(back, a.device_id, pem);
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(Ack, VerifyRefusesTheWrongKey) {
  crypto::PrivateKey key = MakeKey();
  crypto::PrivateKey other = MakeKey();
  Ack a = SignedAck(key);
  Status st = VerifyAck(a, a.device_id, Must(other.Public()).SpkiPem());
  EXPECT_TRUE(st.IsPermissionDenied()) << st.ToString();
}

TEST(Ack, VerifyRefusesAnotherTopicOrAlteredFields) {
  crypto::PrivateKey key = MakeKey();
  std::string pem = Must(key.Public()).SpkiPem();
  Ack a = SignedAck(key);
  EXPECT_TRUE(VerifyAck(a, kDeviceId, pem).IsPermissionDenied());
  Ack bundle = a;
  bundle.bundle_id = "b-8";
  EXPECT_TRUE(VerifyAck(bundle, a.device_id, pem).IsPermissionDenied());
  Ack ts = a;
  ts.ts_ms += 1;
  EXPECT_TRUE(VerifyAck(ts, a.device_id, pem).IsPermissionDenied());
  EXPECT_FALSE(VerifyAck(a, a.device_id, "not a key").ok());
}

TEST(Ack, RefusesMalformedMessages) {
  const std::map<std::string, std::string> base = {{"v", "1"},
                                                   {"deviceId", json::Quote(kDeviceId)},
                                                   {"bundleId", "\"b-7\""},
                                                   {"ts", "1"},
                                                   {"sig", "\"AAAA\""}};
  ASSERT_TRUE(ParseAck(Object(base)).ok());
  for (const char* field : {"v", "deviceId", "bundleId", "ts", "sig"}) {
    EXPECT_TRUE(ParseAck(Object(Without(base, field))).status().IsInvalidArgument()) << field;
  }
  const std::pair<const char*, std::string> cases[] = {
      {"v", "2"},
      {"deviceId", json::Quote(std::string(64, 'G'))},
      {"bundleId", json::Quote(std::string(129, 'b'))},
      {"ts", "\"1\""},
      {"sig", "\"A\""},
      {"sig", json::Quote(std::string(2052, 'A'))},
  };
  for (const auto& [field, raw] : cases) {
    EXPECT_TRUE(ParseAck(Object(With(base, field, raw))).status().IsInvalidArgument())
        << field << "=" << raw.substr(0, 40);
  }
  EXPECT_TRUE(ParseAck(Object(With(base, "pad", json::Quote(std::string(kMaxAckBytes, 'p')))))
                  .status()
                  .IsInvalidArgument());
}

// ---------------------------------------------------------------------------------------------
// Operator commands and replies

TEST(Command, NamesRoundTrip) {
  for (CommandKind k :
       {CommandKind::kApprove, CommandKind::kDismiss, CommandKind::kRetry, CommandKind::kRunNow}) {
    EXPECT_EQ(Must(ParseCommandName(CommandName(k))), k);
  }
  EXPECT_TRUE(ParseCommandName("Approve").status().IsInvalidArgument());
  EXPECT_TRUE(ParseCommandName("").status().IsInvalidArgument());
}

TEST(Command, ApproveRoundTrips) {
  OperatorCommand c{CommandKind::kApprove, kDeviceId, "gw-berlin-0042", "alice", ""};
  std::string payload = EncodeCommand(c);
  OperatorCommand back = Must(ParseCommand(CommandKind::kApprove, payload));
  EXPECT_EQ(back.kind, CommandKind::kApprove);
  EXPECT_EQ(back.device_id, kDeviceId);
  EXPECT_EQ(back.name, "gw-berlin-0042");
  EXPECT_EQ(back.actor, "alice");
}

TEST(Command, DismissRoundTripsWithoutName) {
  OperatorCommand c{CommandKind::kDismiss, kDeviceId, "", "bob", ""};
  std::string payload = EncodeCommand(c);
  EXPECT_EQ(payload.find("\"name\""), std::string::npos);
  OperatorCommand back = Must(ParseCommand(CommandKind::kDismiss, payload));
  EXPECT_EQ(back.kind, CommandKind::kDismiss);
  EXPECT_EQ(back.device_id, kDeviceId);
  EXPECT_EQ(back.actor, "bob");
}

TEST(Command, RunNowCarriesItsOptionalStep) {
  OperatorCommand c{CommandKind::kRunNow, kDeviceId, "", "carol", "vault"};
  OperatorCommand back = Must(ParseCommand(CommandKind::kRunNow, EncodeCommand(c)));
  EXPECT_EQ(back.step, "vault");
  EXPECT_EQ(back.actor, "carol");
  c.step.clear();
  std::string payload = EncodeCommand(c);
  EXPECT_EQ(payload.find("step"), std::string::npos);
  EXPECT_EQ(Must(ParseCommand(CommandKind::kRunNow, payload)).step, "");
  EXPECT_FALSE(ParseCommand(CommandKind::kRunNow,
                            R"({"v":1,"deviceId":")" + std::string(kDeviceId) + R"(","step":7})")
                   .ok());
}

TEST(Command, RetryRoundTrips) {
  OperatorCommand c{CommandKind::kRetry, kDeviceId, "", "dave", ""};
  OperatorCommand back = Must(ParseCommand(CommandKind::kRetry, EncodeCommand(c)));
  EXPECT_EQ(back.kind, CommandKind::kRetry);
  EXPECT_EQ(back.device_id, kDeviceId);
}

TEST(Command, RefusesMalformedCommands) {
  const std::map<std::string, std::string> base = {
      {"v", "1"}, {"deviceId", json::Quote(kDeviceId)}, {"name", "\"gw-1\""}, {"actor", "\"a\""}};
  ASSERT_TRUE(ParseCommand(CommandKind::kApprove, Object(base)).ok());
  // An approval needs a name; a dismissal does not.
  EXPECT_TRUE(ParseCommand(CommandKind::kApprove, Object(Without(base, "name")))
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(ParseCommand(CommandKind::kDismiss, Object(Without(base, "name"))).ok());
  EXPECT_TRUE(ParseCommand(CommandKind::kApprove, Object(Without(base, "actor"))).ok());
  const std::pair<const char*, std::string> cases[] = {
      {"v", "2"},
      {"deviceId", "\"abc\""},
      {"deviceId", "null"},
      {"name", "1"},
      {"name", json::Quote(std::string(257, 'n'))},
      {"actor", json::Quote(std::string(129, 'a'))},
  };
  for (const auto& [field, raw] : cases) {
    EXPECT_TRUE(ParseCommand(CommandKind::kApprove, Object(With(base, field, raw)))
                    .status()
                    .IsInvalidArgument())
        << field << "=" << raw.substr(0, 40);
  }
  EXPECT_TRUE(ParseCommand(CommandKind::kApprove, "[]").status().IsInvalidArgument());
  EXPECT_TRUE(ParseCommand(CommandKind::kApprove, std::string(kMaxCommandBytes + 1, ' '))
                  .status()
                  .IsInvalidArgument());
}

TEST(Reply, RoundTripsEveryStatus) {
  const std::pair<ReplyStatus, const char*> statuses[] = {
      {ReplyStatus::kAccepted, "accepted"},       {ReplyStatus::kInvalid, "invalid"},
      {ReplyStatus::kNotFound, "not_found"},      {ReplyStatus::kConflict, "conflict"},
      {ReplyStatus::kUnavailable, "unavailable"},
  };
  for (const auto& [status, name] : statuses) {
    EXPECT_EQ(ReplyStatusName(status), name);
    CommandReply r{status, "because"};
    CommandReply back = Must(ParseReply(EncodeReply(r)));
    EXPECT_EQ(back.status, status);
    EXPECT_EQ(back.message, "because");
  }
}

TEST(Reply, ALongMessageIsCutSoTheUiCanStillReadIt) {
  CommandReply r{ReplyStatus::kUnavailable, "dps: name check: " + std::string(5000, 'x')};
  Result<CommandReply> back = ParseReply(EncodeReply(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->message, r.message.substr(0, kMaxErrorTextBytes));
}

TEST(Reply, RefusesMalformedReplies) {
  const std::map<std::string, std::string> base = {
      {"v", "1"}, {"status", "\"accepted\""}, {"message", "\"m\""}};
  ASSERT_TRUE(ParseReply(Object(base)).ok());
  EXPECT_TRUE(ParseReply(Object(Without(base, "message"))).ok());
  EXPECT_TRUE(ParseReply(Object(Without(base, "status"))).status().IsInvalidArgument());
  EXPECT_TRUE(ParseReply(Object(Without(base, "v"))).status().IsInvalidArgument());
  const std::pair<const char*, std::string> cases[] = {
      {"v", "2"},
      {"status", "\"ok\""},
      {"status", "\"Accepted\""},
      {"status", "1"},
      {"message", json::Quote(std::string(kMaxErrorTextBytes + 1, 'm'))},
  };
  for (const auto& [field, raw] : cases) {
    EXPECT_TRUE(ParseReply(Object(With(base, field, raw))).status().IsInvalidArgument())
        << field << "=" << raw.substr(0, 40);
  }
}

// ---------------------------------------------------------------------------------------------
// Free text limits

TEST(CapText, KeepsShortTextAndCutsLongText) {
  EXPECT_EQ(CapText("", 4), "");
  EXPECT_EQ(CapText("abcd", 4), "abcd");
  EXPECT_EQ(CapText("abcde", 4), "abcd");
  EXPECT_EQ(CapText("abcde", 0), "");
}

TEST(CapText, NeverSplitsAUtf8Character) {
  // "a" + U+00FC (2 bytes) + U+20AC (3 bytes) + U+1F600 (4 bytes).
  const std::string text = "a\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80";
  EXPECT_EQ(CapText(text, 1), "a");
  EXPECT_EQ(CapText(text, 2), "a");
  EXPECT_EQ(CapText(text, 3), "a\xc3\xbc");
  EXPECT_EQ(CapText(text, 5), "a\xc3\xbc");
  EXPECT_EQ(CapText(text, 6), "a\xc3\xbc\xe2\x82\xac");
  EXPECT_EQ(CapText(text, 9), "a\xc3\xbc\xe2\x82\xac");
  EXPECT_EQ(CapText(text, 10), text);
}

TEST(CapText, BacksOffAtMostOneCharacterInGarbage) {
  // A run of continuation bytes is not UTF-8; the cut still keeps most of the text.
  std::string garbage(100, '\x80');
  EXPECT_EQ(CapText(garbage, 50).size(), 47u);
}

// ---------------------------------------------------------------------------------------------
// Topics

TEST(Topics, DeviceTopicsRoundTrip) {
  for (DeviceTopicKind kind : {DeviceTopicKind::kAnnounce, DeviceTopicKind::kAck,
                               DeviceTopicKind::kCredentials, DeviceTopicKind::kStatus}) {
    std::optional<ParsedDeviceTopic> parsed = ParseDeviceTopic(DeviceTopic(kDeviceId, kind));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->device_id, kDeviceId);
    EXPECT_EQ(parsed->kind, kind);
  }
  EXPECT_EQ(DeviceTopic(kDeviceId, DeviceTopicKind::kAnnounce),
            "gps/v1/devices/" + kDeviceId + "/announce");
  EXPECT_EQ(AllDevicesFilter(DeviceTopicKind::kAck), "gps/v1/devices/+/ack");
}

TEST(Topics, ParseDeviceTopicRefusesOtherTopics) {
  for (const std::string& topic :
       {std::string("gps/v1/devices/") + kDeviceId, "gps/v1/devices/" + kDeviceId + "/other",
        std::string("gps/v1/devices//announce"), "gps/v2/devices/" + kDeviceId + "/announce",
        "gps/v1/devices/" + kDeviceId + "/announce/extra", std::string("gps/v1/jobs/dps"),
        std::string("")}) {
    EXPECT_FALSE(ParseDeviceTopic(topic).has_value()) << topic;
  }
}

TEST(Topics, JobsResultsCommandsAndReplies) {
  EXPECT_EQ(JobTopic("hub-manifest"), "gps/v1/jobs/hub-manifest");
  EXPECT_TRUE(IsJobTopic("gps/v1/jobs/vault"));
  EXPECT_FALSE(IsJobTopic("gps/v1/jobs/"));
  EXPECT_FALSE(IsJobTopic("gps/v1/jobs/vault/x"));
  EXPECT_FALSE(IsJobTopic("gps/v1/results/vault"));
  EXPECT_EQ(ResultTopic("dps"), "gps/v1/results/dps");
  EXPECT_EQ(AllResultsFilter(), "gps/v1/results/+");
  EXPECT_EQ(CommandTopic("approve"), "gps/v1/commands/approve");
  EXPECT_EQ(AllCommandsFilter(), "gps/v1/commands/+");
  EXPECT_EQ(ReplyTopic("ui-1"), "gps/v1/replies/ui-1");
  EXPECT_EQ(SharedFilter("gps-engine", AllResultsFilter()), "$share/gps-engine/gps/v1/results/+");
  EXPECT_EQ(ShareGroup("gps-engine", ""), "gps-engine");
  EXPECT_EQ(ParseCommandTopic("gps/v1/commands/dismiss"), std::optional<std::string>("dismiss"));
  EXPECT_FALSE(ParseCommandTopic("gps/v1/commands/").has_value());
  EXPECT_FALSE(ParseCommandTopic("gps/v1/commands/a/b").has_value());
  EXPECT_FALSE(ParseCommandTopic("gps/v1/replies/x").has_value());
}

TEST(TopicsTest, ShareGroupIsKnownOnlyToHoldersOfTheAccountPassword) {
  std::string group = ShareGroup("gps-engine", "engine password");
  // Stable, so every replica with the password lands in the same group across restarts.
  EXPECT_EQ(group, ShareGroup("gps-engine", "engine password"));
  ASSERT_EQ(group.size(), std::string("gps-engine-").size() + 32);
  EXPECT_EQ(group.rfind("gps-engine-", 0), 0u);
  EXPECT_EQ(group.find_first_not_of("0123456789abcdef", 11), std::string::npos);
  EXPECT_NE(group, ShareGroup("gps-engine", "another password"));
  EXPECT_NE(ShareGroup("gps-worker-dps", "engine password").substr(15), group.substr(11));
  // Valid in a topic filter level: no '/', '+' or '#'.
  EXPECT_EQ(group.find_first_of("/+#"), std::string::npos);
}

}  // namespace
}  // namespace gps::protocol
