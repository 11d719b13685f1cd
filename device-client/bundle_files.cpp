#include "device-client/bundle_files.h"

#include <openssl/crypto.h>

#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/seal.h"
#include "gps/crypto/x509.h"
#include "gps/json/json.h"
#include "gps/protocol/job.h"
#include "gps/protocol/names.h"

namespace gps::device_client {

namespace {

constexpr std::size_t kMaxEnvValue = 256;

void Wipe(std::string& s) { OPENSSL_cleanse(s.data(), s.size()); }

// Wipes a string holding secret material when the scope ends.
struct WipeOnExit {
  std::string& s;
  ~WipeOnExit() { Wipe(s); }
};

Status Rejected(std::string why) { return Status::InvalidArgument("bundle: " + std::move(why)); }

Status RequireEnvSafe(std::string_view field, std::string_view value) {
  if (value.empty()) {
    return Rejected(std::string(field) + " is missing");
  }
  if (!IsEnvSafe(value)) {
    return Rejected(std::string(field) + " contains characters that cannot be written to " +
                    kDpsEnvFile);
  }
  return Status::Ok();
}

// One certificate per PEM string, no more, no less.
Result<crypto::Certificate> SingleCertificate(std::string_view pem, std::string_view what) {
  Result<std::vector<crypto::Certificate>> certs = crypto::Certificate::ChainFromPem(pem);
  if (!certs.ok()) {
    return Rejected(std::string(what) + ": " + certs.status().message());
  }
  if (certs->size() != 1) {
    return Rejected(std::string(what) + " holds " + std::to_string(certs->size()) +
                    " certificates, expected one");
  }
  return std::move(certs->front());
}

Result<std::string> OpenSecret(std::string_view transport_private_raw, std::string_view sealed,
                               std::string_view device_id, protocol::Step step,
                               std::string_view field) {
  Result<std::string> plain =
      crypto::Open(transport_private_raw, sealed, protocol::SecretContext(device_id, step, field));
  if (!plain.ok()) {
    return Rejected(std::string(protocol::StepName(step)) + " " + std::string(field) + ": " +
                    plain.status().message());
  }
  return plain;
}

// Appends in place, so the secret value is not copied into temporaries nobody wipes.
void AppendEnvLine(std::string* out, std::string_view key, std::string_view value) {
  out->append(key);
  out->push_back('=');
  out->append(value);
  out->push_back('\n');
}

// The certificate's private key as PKCS#8 PEM: the device's own (CSR mode), or the one Vault
// made, opened from the bundle.
Result<std::string> CertificateKey(const protocol::CredentialBundle& b, std::string_view device_id,
                                   std::string_view transport_private_raw,
                                   const crypto::PrivateKey* own_key) {
  if (own_key != nullptr) {
    if (!b.sealed_private_key.empty()) {
      // A key from outside would defeat the point of keeping our own.
      return Rejected(
          "certificate.sealedPrivateKey is present, but this device sent a CSR "
          "(GPS_CLIENT_CERT_MODE=csr) and takes only a certificate for its own key");
    }
    return own_key->ToPkcs8Pem();
  }
  if (b.sealed_private_key.empty()) {
    return Rejected(
        "certificate.sealedPrivateKey is missing and this device sent no CSR "
        "(GPS_CLIENT_CERT_MODE=vault-key)");
  }
  GPS_ASSIGN_OR_RETURN(std::string key_pem,
                       OpenSecret(transport_private_raw, b.sealed_private_key, device_id,
                                  protocol::Step::kVault, "privateKey"));
  WipeOnExit wipe_key_pem{key_pem};
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(key_pem);
  if (!key.ok()) {
    return Rejected("certificate private key: " + key.status().message());
  }
  return key->ToPkcs8Pem();
}

}  // namespace

InstallPlan::~InstallPlan() {
  for (FileSpec& f : files) {
    if (f.mode == kSecretMode) {
      Wipe(f.content);
    }
  }
}

bool IsEnvSafe(std::string_view value) {
  if (value.empty() || value.size() > kMaxEnvValue) {
    return false;
  }
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '=' || c == '@' ||
              c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

Result<InstallPlan> PlanInstall(const protocol::CredentialsMessage& message,
                                std::string_view device_id, std::string_view transport_private_raw,
                                Instant now, const crypto::PrivateKey* own_certificate_key) {
  if (message.device_id != device_id) {
    return Status::PermissionDenied("credentials for another device");
  }
  Result<std::string> plaintext = crypto::Open(
      transport_private_raw, message.sealed, protocol::BundleContext(device_id, message.bundle_id));
  if (!plaintext.ok()) {
    return plaintext.status().WithContext("bundle " + message.bundle_id);
  }
  WipeOnExit wipe_plaintext{*plaintext};
  GPS_ASSIGN_OR_RETURN(protocol::CredentialBundle b, protocol::ParseBundle(*plaintext));
  WipeOnExit wipe_dps{b.dps_sealed_symmetric_key};
  if (b.device_id != device_id) {
    return Rejected("names another device");
  }
  if (b.bundle_id != message.bundle_id) {
    return Rejected("id '" + b.bundle_id + "' is not the delivery's '" + message.bundle_id + "'");
  }
  GPS_RETURN_IF_ERROR(protocol::ValidateDeviceName(b.name).WithContext("bundle: name"));
  GPS_RETURN_IF_ERROR(RequireEnvSafe("mender.deviceId", b.mender_device_id));
  GPS_RETURN_IF_ERROR(RequireEnvSafe("dps.registrationId", b.dps_registration_id));
  GPS_RETURN_IF_ERROR(RequireEnvSafe("dps.idScope", b.dps_id_scope));
  GPS_RETURN_IF_ERROR(RequireEnvSafe("dps.globalEndpoint", b.dps_global_endpoint));

  // The DPS primary key, base64 as Azure shows it.
  GPS_ASSIGN_OR_RETURN(std::string dps_key,
                       OpenSecret(transport_private_raw, b.dps_sealed_symmetric_key, device_id,
                                  protocol::Step::kDps, "symmetricKey"));
  WipeOnExit wipe_dps_key{dps_key};
  if (!IsEnvSafe(dps_key)) {
    return Rejected("dps symmetricKey is empty or not base64");
  }
  {
    Result<std::string> raw = crypto::Base64Decode(dps_key);
    if (!raw.ok() || raw->empty()) {
      return Rejected("dps symmetricKey is not base64");
    }
    Wipe(*raw);
  }

  GPS_ASSIGN_OR_RETURN(std::string key_pkcs8,
                       CertificateKey(b, device_id, transport_private_raw, own_certificate_key));
  WipeOnExit wipe_pkcs8{key_pkcs8};
  // Parsed from the PEM just made (or just opened), so the key checked is the key written.
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(key_pkcs8));

  GPS_ASSIGN_OR_RETURN(crypto::Certificate leaf,
                       SingleCertificate(b.certificate_pem, "certificate.pem"));
  if (leaf.SubjectCommonName() != b.name) {
    return Rejected("certificate common name '" + leaf.SubjectCommonName() +
                    "' is not the device name '" + b.name + "'");
  }
  Status matches = crypto::CertificateMatchesKey(leaf, key);
  if (!matches.ok()) {
    return Rejected(matches.message());
  }
  std::vector<crypto::Certificate> chain;
  for (std::size_t i = 0; i < b.ca_chain_pem.size(); ++i) {
    GPS_ASSIGN_OR_RETURN(
        crypto::Certificate c,
        SingleCertificate(b.ca_chain_pem[i], "certificate.caChain[" + std::to_string(i) + "]"));
    chain.push_back(std::move(c));
  }
  if (chain.empty()) {
    return Rejected("certificate.caChain is empty");
  }
  if (!chain.back().IsSelfIssued()) {
    return Rejected("the last certificate.caChain entry ('" + chain.back().SubjectCommonName() +
                    "') is not a self-signed root");
  }
  std::vector<crypto::Certificate> roots;
  roots.push_back(std::move(chain.back()));
  chain.pop_back();
  Status verified = crypto::VerifyChain(leaf, chain, roots);
  if (!verified.ok()) {
    return Rejected(verified.message());
  }

  InstallPlan plan;
  plan.bundle_id = b.bundle_id;
  plan.name = b.name;
  plan.certificate_serial = leaf.SerialHex();
  plan.certificate_issuer = leaf.IssuerCommonName();

  // Re-encoded from the parsed certificates, so no text around the PEM blocks is carried along.
  std::string leaf_pem = leaf.Pem();
  std::string chain_pem;
  for (const crypto::Certificate& c : chain) {
    chain_pem += c.Pem();
  }
  chain_pem += roots.front().Pem();
  if (leaf_pem.empty() || chain_pem.empty()) {
    return Status::Internal("bundle: cannot re-encode the certificates as PEM");
  }

  std::string dps_env;
  dps_env.reserve(2048);  // room for every line: no reallocation leaves key copies behind
  AppendEnvLine(&dps_env, "DPS_REGISTRATION_ID", b.dps_registration_id);
  AppendEnvLine(&dps_env, "DPS_SYMMETRIC_KEY", dps_key);
  AppendEnvLine(&dps_env, "DPS_ID_SCOPE", b.dps_id_scope);
  AppendEnvLine(&dps_env, "DPS_GLOBAL_ENDPOINT", b.dps_global_endpoint);
  AppendEnvLine(&dps_env, "MENDER_DEVICE_ID", b.mender_device_id);
  AppendEnvLine(&dps_env, "DEVICE_NAME", b.name);

  json::Writer marker;
  marker.BeginObject()
      .Field("v", 1)
      .Field("deviceId", std::string(device_id))
      .Field("bundleId", b.bundle_id)
      .Field("name", b.name)
      .Field("certificateSerial", plan.certificate_serial)
      .Field("provisionedAt", FormatRfc3339(now))
      .EndObject();

  plan.files.push_back(FileSpec{kNameFile, b.name + "\n", kPublicMode});
  plan.files.push_back(FileSpec{kCertificateFile, std::move(leaf_pem), kPublicMode});
  plan.files.push_back(FileSpec{kPrivateKeyFile, key_pkcs8, kSecretMode});
  plan.files.push_back(FileSpec{kCaChainFile, std::move(chain_pem), kPublicMode});
  plan.files.push_back(FileSpec{kDpsEnvFile, std::move(dps_env), kSecretMode});
  plan.files.push_back(FileSpec{kMarkerFile, marker.Take() + "\n", kPublicMode});
  return plan;
}

}  // namespace gps::device_client
