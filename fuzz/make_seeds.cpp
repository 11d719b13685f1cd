// gps_fuzz_seeds <dir>: writes valid messages of every kind into <dir>/<target>/, made with the
// project's own encoders, keys and test CA, so each fuzz target starts from inputs that pass its
// parser and reach the checks behind it (signatures, sealed bundles, certificate chains).
// Bundles are sealed to the fixture device's transport key (fixture.h), which the targets open
// with. Exits non-zero with a message when anything cannot be made or written.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "device-client/bundle_files.h"
#include "device-client/testing/test_pki.h"
#include "fuzz/check.h"
#include "fuzz/fixture.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/seal.h"
#include "gps/crypto/x509.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/command.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "gps/protocol/step_results.h"

namespace {

using namespace gps;
using namespace gps::protocol;
namespace pki = gps::device_client::testing;

constexpr std::int64_t kTs = 1'700'000'000'000;
constexpr char kName[] = "gw-fuzz-1";
constexpr char kBundleId[] = "b-0001";

class SeedWriter {
 public:
  explicit SeedWriter(std::filesystem::path root) : root_(std::move(root)) {}

  void Write(const std::string& target, const std::string& name, const std::string& content) {
    std::filesystem::path dir = root_ / target;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    fuzz::Check(!ec, "seeds", "cannot create " + dir.string() + ": " + ec.message());
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    fuzz::Check(out.good(), "seeds", "cannot write " + (dir / name).string());
  }

 private:
  std::filesystem::path root_;
};

std::string Sealed(std::string_view plaintext, std::string_view context) {
  return fuzz::Must(crypto::Seal(fuzz::TransportKey().public_raw(), plaintext, context), "seal");
}

void Announces(SeedWriter& w) {
  struct KeyCase {
    const char* seed;
    Result<crypto::PrivateKey> (*make)();
    bool with_csr;
  };
  const KeyCase cases[] = {
      {"announce-ed25519", crypto::PrivateKey::GenerateEd25519, false},
      {"announce-p256-csr", crypto::PrivateKey::GenerateEcdsaP256, true},
      {"announce-rsa", [] { return crypto::PrivateKey::GenerateRsa(2048); }, false},
  };
  for (const KeyCase& c : cases) {
    crypto::PrivateKey key = fuzz::Must(c.make(), c.seed);
    Announce a;
    a.mac = "aa:bb:cc:dd:ee:01";
    a.transport_key = fuzz::TransportKey().public_raw();
    a.ts_ms = kTs;
    if (c.with_csr) {
      a.csr_pem = fuzz::Must(crypto::MakeCsrPem(fuzz::CertificateKey(), ""), "csr");
    }
    fuzz::Check(SignAnnounce(key, &a).ok(), "seeds", "sign announce");
    std::string payload = EncodeAnnounce(a);
    // A seed the engine would refuse would only start the fuzzer at the shallow end.
    fuzz::Must(VerifyAnnounce(fuzz::Must(ParseAnnounce(payload), c.seed), a.device_id), c.seed);
    w.Write("announce", c.seed, payload);
  }
  Ack ack;
  ack.device_id = std::string(fuzz::kDeviceId);
  ack.bundle_id = kBundleId;
  ack.ts_ms = kTs;
  fuzz::Check(SignAck(fuzz::CertificateKey(), &ack).ok(), "seeds", "sign ack");
  w.Write("announce", "ack", EncodeAck(ack));
}

void Jobs(SeedWriter& w) {
  Job job;
  job.id = JobId{std::string(fuzz::kDeviceId), 3, Step::kMender, Action::kProvision, 1};
  job.deadline = Instant{kTs + 60'000};
  job.name = kName;
  job.mac = "aa:bb:cc:dd:ee:01";
  job.pubkey_pem = fuzz::Must(fuzz::CertificateKey().Public(), "public key").SpkiPem();
  job.transport_key = fuzz::TransportKey().public_raw();
  w.Write("job", "mender-provision", EncodeJob(job));

  job.id.step = Step::kDps;
  job.id.action = Action::kCheckName;
  job.id.attempt = 2;
  job.name.clear();
  w.Write("job", "dps-check-name-unnamed", EncodeJob(job));

  job.id.step = Step::kVault;
  job.id.action = Action::kProvision;
  job.name = kName;
  job.csr_pem = fuzz::Must(crypto::MakeCsrPem(fuzz::CertificateKey(), ""), "csr");
  job.facts_json = R"({"menderDeviceId":"6f1c3a52","ttl":"720h","nested":[1,2.5,null,true]})";
  w.Write("job", "vault-provision-csr", EncodeJob(job));

  job.id.step = Step::kHubManifest;
  job.id.action = Action::kRevoke;
  job.csr_pem.clear();
  job.facts_json = "{}";
  w.Write("job", "hub-manifest-revoke", EncodeJob(job));
  w.Write("job", "job-id", FormatJobId(job.id));
}

void Results(SeedWriter& w, const pki::BundleParts& parts) {
  auto write = [&w](const char* seed, Outcome outcome, std::string data) {
    w.Write("result", seed, EncodeJobResult(JobResult{std::move(outcome), std::move(data)}));
  };
  write("name-free", Outcome::Ok(), EncodeNameCheck({true, ""}));
  write("name-taken", Outcome::Ok(), EncodeNameCheck({false, "used by Mender device 3f2a"}));
  write("mender", Outcome::Ok(), EncodeMenderProvision({"6f1c3a52-94b1-4d8e-b0a7-2d1e5c9f8a10"}));
  write("dps", Outcome::Ok(),
        EncodeDpsProvision({kName, "0ne00A1B2C3", "global.azure-devices-provisioning.net",
                            Sealed(parts.dps_symmetric_key,
                                   SecretContext(fuzz::kDeviceId, Step::kDps, "symmetricKey"))}));
  VaultProvisionResult vault;
  vault.certificate_pem = parts.certificate_pem;
  vault.ca_chain_pem = parts.ca_chain_pem;
  vault.serial = "3a:01:7f";
  vault.expiration = kTs / 1000 + 30 * 24 * 3600;
  vault.sealed_private_key =
      Sealed(parts.private_key_pem, SecretContext(fuzz::kDeviceId, Step::kVault, "privateKey"));
  write("vault", Outcome::Ok(), EncodeVaultProvision(vault));
  write("hub-manifest-applied", Outcome::Ok(), EncodeHubManifest({kName, true, false}));
  write("hub-manifest-waiting", Outcome::Retryable("DeviceNotFound", 30'000),
        EncodeHubManifest({kName, false, true}));
  write("permanent", Outcome::Permanent("dps: HTTP 400: bad registration id"), "{}");
}

void Commands(SeedWriter& w) {
  for (CommandKind kind : {CommandKind::kApprove, CommandKind::kDismiss, CommandKind::kRetry,
                           CommandKind::kRunNow, CommandKind::kRevoke}) {
    OperatorCommand c;
    c.kind = kind;
    c.device_id = std::string(fuzz::kDeviceId);
    c.name = kName;
    c.actor = "operator";
    c.step = "vault";
    w.Write("command", std::string(CommandName(kind)), EncodeCommand(c));
  }
  for (ReplyStatus s : {ReplyStatus::kAccepted, ReplyStatus::kConflict}) {
    w.Write("command", "reply-" + std::string(ReplyStatusName(s)),
            EncodeReply({s, "name gw-fuzz-1 is taken"}));
  }
}

// A valid bundle in each certificate mode: Vault made the key (sealed inside), or the device
// sent a CSR for the fixture's certificate key (no key inside).
struct Bundles {
  pki::BundleParts vault_key;
  pki::BundleParts csr;
};

Bundles MakeBundles() {
  Bundles b;
  b.vault_key = fuzz::Must(pki::MakeValidParts(std::string(fuzz::kDeviceId), kBundleId, kName),
                           "bundle parts");
  pki::CertifiedKey root = fuzz::Must(pki::MakeRootCa("GPS Fuzz Root CA"), "root CA");
  pki::CertifiedKey issuing =
      fuzz::Must(pki::MakeIntermediateCa("GPS Fuzz Issuing CA", root), "issuing CA");
  b.csr = b.vault_key;
  b.csr.certificate_pem = fuzz::Must(pki::MakeLeaf(kName, fuzz::CertificateKey(), issuing), "leaf");
  b.csr.ca_chain_pem = {issuing.cert_pem, root.cert_pem};
  b.csr.private_key_pem.clear();
  return b;
}

void DeviceMessages(SeedWriter& w, const Bundles& bundles) {
  for (std::string_view state : kDeviceStates) {
    w.Write("device_inbound", "status-" + std::string(state),
            EncodeStatus({std::string(fuzz::kDeviceId), std::string(state), "why", kTs}));
  }
  struct Mode {
    const char* name;
    const pki::BundleParts* parts;
    const crypto::PrivateKey* own_key;
  };
  const Mode modes[] = {{"vault-key", &bundles.vault_key, nullptr},
                        {"csr", &bundles.csr, &fuzz::CertificateKey()}};
  for (const auto& [mode, parts, own_key] : modes) {
    CredentialsMessage m =
        fuzz::Must(pki::SealParts(*parts, fuzz::TransportKey().public_raw()), "seal bundle");
    // The device would install it: the seed reaches every check of the validation.
    fuzz::Must(device_client::PlanInstall(m, fuzz::kDeviceId, fuzz::TransportKey().private_raw(),
                                          Instant{kTs}, own_key),
               mode);
    w.Write("device_inbound", std::string("credentials-") + mode, EncodeCredentials(m));
    std::string plaintext = fuzz::Must(crypto::Open(fuzz::TransportKey().private_raw(), m.sealed,
                                                    BundleContext(m.device_id, m.bundle_id)),
                                       "open bundle");
    w.Write("bundle", std::string("bundle-") + mode, plaintext);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
    return 2;
  }
  SeedWriter w{std::filesystem::path(argv[1])};
  Bundles bundles = MakeBundles();
  Announces(w);
  Jobs(w);
  Results(w, bundles.vault_key);
  Commands(w);
  DeviceMessages(w, bundles);
  return 0;
}
