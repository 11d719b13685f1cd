#include "workers/vault/vault_client.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/openssl_handles.h"
#include "gps/crypto/x509.h"
#include "gps/http/deadline_send.h"
#include "gps/json/json.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/limits.h"

namespace gps::worker::vault {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;
// A list answer carries every serial of the mount (about 62 bytes each): as much as the HTTP
// client accepts.
constexpr std::size_t kMaxListBytes = http::kMaxResponseBytes;
constexpr std::size_t kMaxSerialChars = 128;
// The result protocol carries 1 to 8 CA certificates (step_results.h).
constexpr std::size_t kMaxChain = 8;
constexpr std::size_t kMaxWarnings = 16;

// A request to path under the mount (e.g. "issue/gps-device").
http::Request MountRequest(const VaultSettings& s, std::string method, std::string_view path) {
  return VaultRequest(s, std::move(method), s.pki_mount + "/" + std::string(path));
}

http::Request BaseRequest(const VaultSettings& s, std::string_view operation) {
  return MountRequest(s, "POST", std::string(operation) + "/" + s.role);
}

// Unix seconds written as an integer, or (as Vault's documentation shows them) a quoted one.
Result<std::int64_t> UnixSeconds(const json::Value& v) {
  if (v.IsString()) {
    GPS_ASSIGN_OR_RETURN(std::string text, v.AsString(20));
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || out < 0) {
      return Status::InvalidArgument(v.path() + ": '" + text + "' is not a Unix time");
    }
    return out;
  }
  return v.AsInt();
}

Result<std::vector<std::string>> Warnings(const json::Value& root) {
  std::vector<std::string> out;
  std::optional<json::Value> warnings = root.Find("warnings");
  // Vault writes null when there are none (and its documentation once showed "").
  if (!warnings || !warnings->IsArray()) {
    return out;
  }
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> list, warnings->AsArray());
  for (const json::Value& w : list) {
    if (out.size() < kMaxWarnings && w.IsString()) {
      GPS_ASSIGN_OR_RETURN(std::string text, w.AsString(protocol::kMaxErrorTextBytes));
      out.push_back(std::move(text));
    }
  }
  return out;
}

Result<std::int64_t> NotAfter(const crypto::Certificate& cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    return Status::InvalidArgument("certificate: unreadable notAfter");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

Result<std::string> CertificatePem(const json::Value& v) {
  GPS_ASSIGN_OR_RETURN(std::string pem, v.AsString(protocol::kMaxPemBytes));
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) {
    return cert.status().WithContext(v.path());
  }
  return pem;
}

// Vault's code writes expiration as an integer; its documentation shows a quoted one.
Result<std::int64_t> Expiration(const json::Value& data) {
  GPS_ASSIGN_OR_RETURN(json::Value v, data.Get("expiration"));
  return UnixSeconds(v);
}

}  // namespace

std::string CommonNameFor(const VaultSettings& s, std::string_view device_name) {
  constexpr std::string_view kPlaceholder = "{name}";
  std::string out;
  std::string_view rest = s.common_name;
  for (std::size_t at; (at = rest.find(kPlaceholder)) != std::string_view::npos;) {
    out += rest.substr(0, at);
    out += device_name;
    rest.remove_prefix(at + kPlaceholder.size());
  }
  out += rest;
  return out;
}

http::Request IssueRequest(const VaultSettings& s, std::string_view common_name) {
  http::Request r = BaseRequest(s, "issue");
  r.idempotent = false;  // every call mints a certificate
  json::Writer w;
  w.BeginObject()
      .Field("common_name", common_name)
      .Field("ttl", s.ttl)
      .Field("format", "pem")
      .Field("private_key_format", "pkcs8")
      .EndObject();
  r.body = w.Take();
  return r;
}

http::Request SignRequest(const VaultSettings& s, std::string_view common_name,
                          std::string_view csr_pem) {
  http::Request r = BaseRequest(s, "sign");
  r.idempotent = false;  // every call mints a certificate
  json::Writer w;
  w.BeginObject()
      .Field("csr", csr_pem)
      .Field("common_name", common_name)
      .Field("ttl", s.ttl)
      .Field("format", "pem")
      .EndObject();
  r.body = w.Take();
  return r;
}

Result<IssuedCertificate> ParseCertificateAnswer(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(body, kMaxBodyBytes, "vault answer"));
  json::Value root = doc.Root();
  IssuedCertificate out;
  GPS_ASSIGN_OR_RETURN(out.warnings, Warnings(root));
  GPS_ASSIGN_OR_RETURN(json::Value data, root.GetObject("data"));
  GPS_ASSIGN_OR_RETURN(json::Value certificate, data.Get("certificate"));
  GPS_ASSIGN_OR_RETURN(out.certificate_pem, CertificatePem(certificate));
  if (std::optional<json::Value> chain = data.Find("ca_chain")) {
    GPS_ASSIGN_OR_RETURN(std::vector<json::Value> list, chain->AsArray());
    if (list.size() > kMaxChain) {
      return Status::InvalidArgument(chain->path() + ": " + std::to_string(list.size()) +
                                     " certificates, at most " + std::to_string(kMaxChain) +
                                     " are carried");
    }
    for (const json::Value& c : list) {
      GPS_ASSIGN_OR_RETURN(std::string pem, CertificatePem(c));
      out.ca_chain_pem.push_back(std::move(pem));
    }
  }
  if (out.ca_chain_pem.empty()) {
    GPS_ASSIGN_OR_RETURN(json::Value issuing_ca, data.Get("issuing_ca"));
    GPS_ASSIGN_OR_RETURN(std::string pem, CertificatePem(issuing_ca));
    out.ca_chain_pem.push_back(std::move(pem));
  }
  GPS_ASSIGN_OR_RETURN(out.serial, data.GetString("serial_number", 128));
  if (out.serial.empty()) {
    return Status::InvalidArgument("vault answer.data.serial_number: empty");
  }
  GPS_ASSIGN_OR_RETURN(out.expiration, Expiration(data));
  GPS_ASSIGN_OR_RETURN(out.private_key_pem,
                       data.GetStringOr("private_key", "", protocol::kMaxPemBytes));
  return out;
}

bool IsSerial(std::string_view s) {
  if (s.empty() || s.size() > kMaxSerialChars) {
    return false;
  }
  bool after_digit = false;
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      after_digit = true;
    } else if ((c == ':' || c == '-') && after_digit) {
      after_digit = false;
    } else {
      return false;
    }
  }
  return after_digit;
}

std::string NormalizeSerial(std::string_view serial) {
  std::string out = ToLower(serial);
  std::replace(out.begin(), out.end(), '-', ':');
  return out;
}

http::Request ListCertificatesRequest(const VaultSettings& s) {
  return MountRequest(s, "GET", "certs?list=true");
}

http::Request ReadCertificateRequest(const VaultSettings& s, std::string_view serial) {
  return MountRequest(s, "GET", "cert/" + NormalizeSerial(serial));
}

http::Request RevokeRequest(const VaultSettings& s, std::string_view serial) {
  http::Request r = MountRequest(s, "POST", "revoke");
  json::Writer w;
  w.BeginObject().Field("serial_number", NormalizeSerial(serial)).EndObject();
  r.body = w.Take();
  return r;
}

Result<std::vector<std::string>> ParseSerialList(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, kMaxListBytes, "vault list answer"));
  GPS_ASSIGN_OR_RETURN(json::Value data, doc.Root().GetObject("data"));
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> keys, data.GetArray("keys"));
  std::vector<std::string> out;
  out.reserve(keys.size());
  for (const json::Value& key : keys) {
    if (!key.IsString()) {
      continue;
    }
    GPS_ASSIGN_OR_RETURN(std::string text, key.AsString(kMaxListBytes));
    if (IsSerial(text)) {
      out.push_back(NormalizeSerial(text));
    }
  }
  return out;
}

Result<StoredCertificate> ParseStoredCertificate(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, kMaxBodyBytes, "vault certificate"));
  GPS_ASSIGN_OR_RETURN(json::Value data, doc.Root().GetObject("data"));
  // The leaf first; a chain after it (as some versions append) is not looked at.
  GPS_ASSIGN_OR_RETURN(std::string pem,
                       data.GetString("certificate", protocol::kMaxCertificateChainBytes));
  Result<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) {
    return cert.status().WithContext(data.path() + ".certificate");
  }
  StoredCertificate out;
  out.common_name = cert->SubjectCommonName();
  GPS_ASSIGN_OR_RETURN(out.not_after, NotAfter(*cert));
  GPS_ASSIGN_OR_RETURN(crypto::PublicKey key, cert->Key());
  out.key_sha256 = crypto::Sha256(key.spki_der());
  if (std::optional<json::Value> revoked = data.Find("revocation_time")) {
    GPS_ASSIGN_OR_RETURN(std::int64_t t, UnixSeconds(*revoked));
    out.revoked = t != 0;
  }
  return out;
}

Result<std::vector<std::string>> ParseWarnings(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::vector<std::string>{};
  }
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, kMaxBodyBytes, "vault revoke answer"));
  return Warnings(doc.Root());
}

Result<crypto::PublicKey> CsrPublicKey(std::string_view csr_pem) {
  crypto::BioPtr bio = crypto::MemoryBio(csr_pem);
  crypto::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) {
    return crypto::OpenSslError("CSR: cannot parse PEM", Status::Code::kInvalidArgument);
  }
  EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
  if (pkey == nullptr) {
    return crypto::OpenSslError("CSR: no public key", Status::Code::kInvalidArgument);
  }
  if (X509_REQ_verify(req.get(), pkey) != 1) {
    return crypto::OpenSslError("CSR: signature does not verify", Status::Code::kInvalidArgument);
  }
  return crypto::PublicKey::FromPkey(pkey);
}

bool RetryWithFreshToken(const Result<http::Response>& response, bool token_was_fresh) {
  return response.ok() && response->status == 403 && !token_was_fresh;
}

VaultClient::VaultClient(VaultSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock), auth_(settings_, clock_) {}

Result<http::Response> VaultClient::Send(http::Request request, Instant deadline) const {
  CurrentToken token = auth_.Token(deadline);
  if (token.instead) {
    return std::move(*token.instead);
  }
  Result<http::Response> response =
      http::SendBefore(WithToken(request, token.token), deadline, clock_);
  if (!RetryWithFreshToken(response, token.fresh)) {
    return response;
  }
  CurrentToken fresh = auth_.Refresh(token.token, deadline);
  if (fresh.instead) {
    // The new login's refusal says more than the 403 (e.g. a secret_id that expired).
    return std::move(*fresh.instead);
  }
  if (fresh.token == token.token) {
    return response;  // no other token to try: the 403 stands
  }
  metrics::Inc("worker.vault.forbidden_retries");
  return http::SendBefore(WithToken(std::move(request), fresh.token), deadline, clock_);
}

Result<http::Response> VaultClient::Issue(std::string_view common_name, Instant deadline) const {
  return Send(IssueRequest(settings_, common_name), deadline);
}

Result<http::Response> VaultClient::Sign(std::string_view common_name, std::string_view csr_pem,
                                         Instant deadline) const {
  return Send(SignRequest(settings_, common_name, csr_pem), deadline);
}

Result<http::Response> VaultClient::ListCertificates(Instant deadline) const {
  return Send(ListCertificatesRequest(settings_), deadline);
}

Result<http::Response> VaultClient::ReadCertificate(std::string_view serial,
                                                    Instant deadline) const {
  return Send(ReadCertificateRequest(settings_, serial), deadline);
}

Result<http::Response> VaultClient::Revoke(std::string_view serial, Instant deadline) const {
  return Send(RevokeRequest(settings_, serial), deadline);
}

}  // namespace gps::worker::vault
