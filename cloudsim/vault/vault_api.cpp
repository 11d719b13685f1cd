#include "cloudsim/vault/vault_api.h"

#include <rapidjson/document.h>

#include <ctime>
#include <optional>
#include <vector>

#include "cloudsim/server/ids.h"
#include "cloudsim/vault/duration.h"
#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;

ApiResponse Errors(int status, const std::vector<std::string>& errors) {
  json::Writer w;
  w.BeginObject().Key("errors").BeginArray();
  for (const std::string& e : errors) {
    w.String(e);
  }
  w.EndArray().EndObject();
  return ApiResponse::Json(status, w.Take());
}

ApiResponse Error(int status, std::string message) { return Errors(status, {std::move(message)}); }

// The envelope of every successful Vault answer. data_json and auth_json may be "null".
ApiResponse Envelope(const std::string& data_json, const std::vector<std::string>& warnings,
                     const std::string& auth_json = "null", std::string_view mount_type = "pki") {
  json::Writer w;
  w.BeginObject();
  w.Field("request_id", NewUuid());
  w.Field("lease_id", "");
  w.Field("renewable", false);
  w.Field("lease_duration", 0);
  w.Key("data").Raw(data_json);
  w.Key("wrap_info").Null();
  w.Key("warnings");
  if (warnings.empty()) {
    w.Null();
  } else {
    w.BeginArray();
    for (const std::string& s : warnings) {
      w.String(s);
    }
    w.EndArray();
  }
  w.Key("auth").Raw(auth_json);
  w.Field("mount_type", mount_type);
  w.EndObject();
  return ApiResponse::Json(200, w.Take());
}

void Strings(json::Writer& w, std::string_view key, const std::vector<std::string>& items) {
  w.Key(key).BeginArray();
  for (const std::string& item : items) {
    w.String(item);
  }
  w.EndArray();
}

// The "auth" block of a login or renew-self answer.
std::string AuthBlock(const TokenAnswer& answer, const AppRoleConfig& approle) {
  json::Writer w;
  w.BeginObject();
  w.Field("client_token", answer.token.id);
  w.Field("accessor", answer.token.accessor);
  Strings(w, "policies", approle.policies);
  Strings(w, "token_policies", approle.policies);
  w.Key("metadata").BeginObject().Field("role_name", "gps-vault-worker").EndObject();
  w.Field("lease_duration", answer.ttl_s);
  w.Field("renewable", true);
  w.Field("entity_id", "");
  w.Field("token_type", "service");
  w.Field("orphan", true);
  w.Key("mfa_requirement").Null();
  w.Field("num_uses", 0);
  w.EndObject();
  return w.Take();
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    std::size_t comma = s.find(',');
    std::string item(TrimBlanks(s.substr(0, comma)));
    if (!item.empty()) {
      out.push_back(std::move(item));
    }
    if (comma == std::string_view::npos) {
      break;
    }
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string ConversionError(std::string_view field, const json::Value& v) {
  return "error converting input " + v.Serialize() + " for field \"" + std::string(field) + "\"";
}

// The request's fields, read with Vault's (string-typed, comma-list) conventions.
class Fields {
 public:
  static Result<Fields> Parse(const std::string& body) {
    Fields f;
    if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
      return f;
    }
    Result<json::Document> doc = json::Parse(body, kMaxBodyBytes, "request");
    if (!doc.ok() || !doc->Root().IsObject()) {
      return Status::InvalidArgument(
          "failed to parse JSON input: " +
          (doc.ok() ? std::string("expected a JSON object") : doc.status().message()));
    }
    f.doc_ = std::move(doc).value();
    return f;
  }

  std::optional<json::Value> Find(std::string_view key) const {
    if (!doc_) {
      return std::nullopt;
    }
    return doc_->Root().Find(key);
  }

  Result<std::string> String(std::string_view key) const {
    std::optional<json::Value> v = Find(key);
    if (!v) {
      return std::string();
    }
    if (v->IsString()) {
      return v->AsString(64 * 1024);
    }
    if (v->raw()->IsNumber() || v->raw()->IsBool()) {
      return v->Serialize();  // Vault decodes weakly: 5 and true become "5" and "true"
    }
    return Status::InvalidArgument(ConversionError(key, *v));
  }

  Result<bool> Bool(std::string_view key) const {
    std::optional<json::Value> v = Find(key);
    if (!v) {
      return false;
    }
    if (v->raw()->IsBool()) {
      return v->raw()->GetBool();
    }
    if (v->IsString()) {
      std::string s = v->AsString().value_or("");
      if (s == "true" || s == "1") {
        return true;
      }
      if (s == "false" || s == "0" || s.empty()) {
        return false;
      }
    }
    return Status::InvalidArgument(ConversionError(key, *v));
  }

  // A comma-separated string or an array of strings.
  Result<std::vector<std::string>> List(std::string_view key) const {
    std::optional<json::Value> v = Find(key);
    if (!v) {
      return std::vector<std::string>{};
    }
    if (v->IsString()) {
      return SplitComma(v->AsString(64 * 1024).value_or(""));
    }
    if (v->IsArray()) {
      std::vector<std::string> out;
      for (const json::Value& item : v->AsArray().value_or({})) {
        if (!item.IsString()) {
          return Status::InvalidArgument(ConversionError(key, *v));
        }
        for (std::string& s : SplitComma(item.AsString(64 * 1024).value_or(""))) {
          out.push_back(std::move(s));
        }
      }
      return out;
    }
    return Status::InvalidArgument(ConversionError(key, *v));
  }

 private:
  std::optional<json::Document> doc_;
};

// Reads string fields into the given places; the first that does not convert is the error.
Status ReadStrings(const Fields& f,
                   std::initializer_list<std::pair<std::string_view, std::string*>> fields) {
  for (const auto& [key, out] : fields) {
    GPS_ASSIGN_OR_RETURN(*out, f.String(key));
  }
  return Status::Ok();
}

Result<std::int64_t> ParseNotAfter(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') {
    return Status::InvalidArgument("could not parse not_after \"" + text +
                                   "\": expected YYYY-MM-ddTHH:MM:SSZ");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string Rfc3339Seconds(std::int64_t t) { return FormatRfc3339(Instant{t * 1000}); }

// Go's strconv.ParseBool, which Vault reads ?list= with; anything else is false.
bool ParseGoBool(std::string_view s) {
  return s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True";
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  for (const std::string& x : v) {
    if (x == s) {
      return;
    }
  }
  v.push_back(s);
}

}  // namespace

namespace vault {

std::string NormalizeSerial(std::string_view serial) {
  std::string out = ToLower(TrimBlanks(serial));
  for (char& c : out) {
    if (c == '-') {
      c = ':';
    }
  }
  return out;
}

}  // namespace vault

VaultApi::VaultApi(VaultConfig config, SimState* state, const Clock* clock,
                   const ca::CertificateAuthority* ca)
    : config_(std::move(config)), state_(state), clock_(clock), ca_(ca), tokens_(config_.approle) {}

bool VaultApi::IsLoginPath(const std::vector<std::string>& segments) const {
  // v1 / auth / <mount, one or more segments> / login
  if (segments.size() < 4 || segments[1] != "auth" || segments.back() != "login") {
    return false;
  }
  std::string mount;
  for (std::size_t i = 2; i + 1 < segments.size(); ++i) {
    mount += (mount.empty() ? "" : "/") + segments[i];
  }
  return mount == config_.approle.mount;
}

ApiResponse VaultApi::Login(const ApiRequest& request) {
  Result<Fields> fields = Fields::Parse(request.body);
  if (!fields.ok()) {
    return Error(400, fields.status().message());
  }
  std::string role_id;
  std::string secret_id;
  if (Status read = ReadStrings(*fields, {{"role_id", &role_id}, {"secret_id", &secret_id}});
      !read.ok()) {
    return Error(400, read.message());
  }
  Result<TokenAnswer> answer = tokens_.Login(role_id, secret_id, clock_->Now());
  if (!answer.ok()) {
    log::Info("approle login refused", {{"service", "vault"}, {"err", answer.status().message()}});
    return Error(400, answer.status().message());
  }
  return Envelope("null", answer->warnings, AuthBlock(*answer, config_.approle), "approle");
}

ApiResponse VaultApi::RenewSelf(const ApiRequest& request, const std::string& token) {
  Result<Fields> fields = Fields::Parse(request.body);
  if (!fields.ok()) {
    return Error(400, fields.status().message());
  }
  std::int64_t increment = 0;
  if (std::optional<json::Value> v = fields->Find("increment")) {
    Result<std::int64_t> parsed = vault::ParseDurationValue(*v);
    if (!parsed.ok()) {
      return Error(400, ConversionError("increment", *v) + ": " + parsed.status().message());
    }
    increment = *parsed;
  }
  if (crypto::ConstantTimeEquals(token, config_.token)) {
    return Error(400, "lease is not renewable");  // the static token has no TTL to extend
  }
  Result<TokenAnswer> answer = tokens_.Renew(token, increment, clock_->Now());
  if (!answer.ok()) {
    return Error(403, "permission denied");  // expired between the check and now
  }
  return Envelope("null", answer->warnings, AuthBlock(*answer, config_.approle), "token");
}

ApiResponse VaultApi::LookupSelf(const std::string& token) {
  const Instant now = clock_->Now();
  const std::int64_t now_s = now.ms / 1000;
  json::Writer w;
  w.BeginObject();
  if (crypto::ConstantTimeEquals(token, config_.token)) {
    w.Field("accessor", "");
    w.Field("creation_ttl", 0);
    w.Field("display_name", "token");
    w.Key("expire_time").Null();
    w.Field("explicit_max_ttl", 0);
    w.Field("id", token);
    w.Field("path", "auth/token/create");
    Strings(w, "policies", {"root"});
    w.Field("renewable", false);
    w.Field("ttl", 0);
  } else {
    std::optional<VaultToken> t = tokens_.Find(token, now);
    if (!t) {
      return Error(403, "permission denied");
    }
    w.Field("accessor", t->accessor);
    w.Field("creation_time", t->issue_time);
    w.Field("creation_ttl", t->creation_ttl);
    w.Field("display_name", "approle");
    w.Field("entity_id", "");
    w.Field("expire_time", Rfc3339Seconds(t->expire_time));
    w.Field("explicit_max_ttl", 0);
    w.Field("id", t->id);
    w.Field("issue_time", Rfc3339Seconds(t->issue_time));
    if (t->last_renewal != 0) {
      w.Field("last_renewal", Rfc3339Seconds(t->last_renewal));
      w.Field("last_renewal_time", t->last_renewal);
    }
    w.Key("meta").BeginObject().Field("role_name", "gps-vault-worker").EndObject();
    w.Field("num_uses", 0);
    w.Field("orphan", true);
    w.Field("path", "auth/" + config_.approle.mount + "/login");
    Strings(w, "policies", config_.approle.policies);
    w.Field("renewable", true);
    w.Field("ttl", t->expire_time - now_s);
    w.Field("type", "service");
  }
  w.EndObject();
  return Envelope(w.Take(), {}, "null", "token");
}

ApiResponse VaultApi::Handle(const ApiRequest& request) {
  const std::vector<std::string>& s = request.segments;
  const std::string& m = request.method;
  if (s.empty() || s[0] != "v1") {
    return Errors(404, {});
  }
  bool read = m == "GET" || m == "HEAD";
  // Paths Vault serves without a token.
  if (read && s.size() == 3 && s[1] == "sys" && s[2] == "health") {
    json::Writer w;
    w.BeginObject()
        .Field("initialized", true)
        .Field("sealed", false)
        .Field("standby", false)
        .Field("performance_standby", false)
        .Field("replication_performance_mode", "disabled")
        .Field("replication_dr_mode", "disabled")
        .Field("server_time_utc", clock_->Now().ms / 1000)
        .Field("version", "1.15.0+gps-cloudsim")
        .EndObject();
    return ApiResponse::Json(200, w.Take());
  }
  if (read && s.size() >= 3 && s[1] == config_.mount) {
    if (s.size() == 4 && s[2] == "ca" && s[3] == "pem") {
      ApiResponse r = ApiResponse::Empty(200);
      r.body = ca::TrimPem(ca_->intermediate_pem());
      r.SetHeader("Content-Type", "application/pem-certificate-chain");
      return r;
    }
    if (s.size() == 3 && s[2] == "ca_chain") {
      ApiResponse r = ApiResponse::Empty(200);
      r.body = ca_->intermediate_pem() + ca::TrimPem(ca_->root_pem());
      r.SetHeader("Content-Type", "application/pem-certificate-chain");
      return r;
    }
    if (s.size() == 4 && s[2] == "cert") {
      return ReadCertificate(s[3]);
    }
  }
  bool write = m == "POST" || m == "PUT";
  // The one path besides the reads above that needs no token.
  if (IsLoginPath(s)) {
    return write ? Login(request) : Error(405, "1 error occurred:\n\t* unsupported operation\n\n");
  }
  std::string token = request.Header("X-Vault-Token").value_or("");
  if (token.empty()) {
    std::string auth = request.Header("Authorization").value_or("");
    if (auth.size() > 7 && EqualsIgnoreCase(auth.substr(0, 7), "Bearer ")) {
      token = auth.substr(7);
    }
  }
  bool static_token = !token.empty() && crypto::ConstantTimeEquals(token, config_.token);
  if (!static_token && (token.empty() || !tokens_.Find(token, clock_->Now()))) {
    log::Info("request refused",
              {{"service", "vault"}, {"err", "missing, wrong or expired token"}});
    return Error(403, "permission denied");
  }
  if (s.size() == 4 && s[1] == "auth" && s[2] == "token") {
    if (s[3] == "renew-self" && write) {
      return RenewSelf(request, token);
    }
    // Vault serves lookup-self for GET and POST alike.
    if (s[3] == "lookup-self" && (read || write)) {
      return LookupSelf(token);
    }
    return (s[3] == "renew-self" || s[3] == "lookup-self")
               ? Error(405, "1 error occurred:\n\t* unsupported operation\n\n")
               : Errors(404, {});
  }
  bool on_mount = s.size() >= 3 && s[1] == config_.mount;
  // Vault treats GET with ?list=true as the LIST verb (its HTTP layer turns it into a list
  // operation), and a list of a path without its trailing '/' as one with it.
  bool list = m == "LIST" || (read && ParseGoBool(request.Query("list").value_or("")));
  if (list) {
    if (on_mount && s.size() == 3 && s[2] == "certs") {
      return ListCertificates();
    }
    return Errors(404, {});
  }
  if (on_mount && s.size() == 3 && s[2] == "certs") {
    return Error(405, "1 error occurred:\n\t* unsupported operation\n\n");
  }
  bool known = on_mount && ((s.size() == 4 && (s[2] == "issue" || s[2] == "sign")) ||
                            (s.size() == 3 && s[2] == "revoke"));
  if (!known) {
    return Errors(404, {});
  }
  if (!write) {
    return Error(405, "1 error occurred:\n\t* unsupported operation\n\n");
  }
  if (s[2] == "revoke") {
    return Revoke(request);
  }
  return IssueOrSign(request, s[3], s[2] == "sign");
}

ApiResponse VaultApi::IssueOrSign(const ApiRequest& request, const std::string& role_name,
                                  bool sign) {
  const vault::VaultRole& role = config_.role;
  if (role_name != role.name) {
    return Error(400, "unknown role: " + role_name);
  }
  Result<Fields> fields = Fields::Parse(request.body);
  if (!fields.ok()) {
    return Error(400, fields.status().message());
  }
  auto fail = [](const Status& st) { return Error(400, st.message()); };
  Result<std::string> common_name = fields->String("common_name");
  Result<std::vector<std::string>> alt_names = fields->List("alt_names");
  Result<std::vector<std::string>> ip_sans = fields->List("ip_sans");
  Result<std::vector<std::string>> uri_sans = fields->List("uri_sans");
  Result<std::vector<std::string>> other_sans = fields->List("other_sans");
  Result<std::string> not_after_text = fields->String("not_after");
  Result<std::string> format = fields->String("format");
  Result<std::string> key_format = fields->String("private_key_format");
  Result<bool> exclude_cn = fields->Bool("exclude_cn_from_sans");
  Result<bool> remove_roots = fields->Bool("remove_roots_from_chain");
  Result<std::string> csr_pem = fields->String("csr");
  for (const Status& st :
       {common_name.status(), alt_names.status(), ip_sans.status(), uri_sans.status(),
        other_sans.status(), not_after_text.status(), format.status(), key_format.status(),
        exclude_cn.status(), remove_roots.status(), csr_pem.status()}) {
    if (!st.ok()) {
      return fail(st);
    }
  }
  std::string fmt = format->empty() ? "pem" : *format;
  if (fmt != "pem" && fmt != "der" && fmt != "pem_bundle") {
    return Error(400, "the \"format\" path parameter must be \"pem\", \"der\", or \"pem_bundle\"");
  }
  std::string pk_fmt = key_format->empty() ? "der" : *key_format;
  if (pk_fmt != "der" && pk_fmt != "pkcs8") {
    return Error(400, "\"private_key_format\" must be \"der\" or \"pkcs8\"");
  }

  // The key: generated here (issue) or taken from the CSR (sign).
  crypto::PkeyPtr key;
  ca::Csr csr;
  if (sign) {
    if (csr_pem->empty()) {
      return Error(400, "\"csr\" is empty");
    }
    Result<ca::Csr> parsed = ca::ParseCsr(*csr_pem);
    if (!parsed.ok()) {
      return fail(parsed.status());
    }
    csr = std::move(parsed).value();
    Result<ca::KeyInfo> info = ca::DescribeKey(csr.key.get());
    if (!info.ok()) {
      return fail(info.status());
    }
    if (role.key_type != "any") {
      if (info->type != role.key_type) {
        return Error(400, "role requires keys of type " + role.key_type);
      }
      if (role.key_type == "rsa" && info->bits < role.key_bits) {
        return Error(400, "role requires a minimum of a " + std::to_string(role.key_bits) +
                              "-bit key, but CSR's key is " + std::to_string(info->bits) + " bits");
      }
      if (role.key_type == "ec" && info->bits != role.key_bits) {
        return Error(400, "role requires a minimum of a " + std::to_string(role.key_bits) +
                              "-bit key, but CSR's key is " + std::to_string(info->bits) + " bits");
      }
    } else if (info->type == "rsa" && info->bits < 2048) {
      return Error(400, "Vault requires a minimum of a 2048-bit key, but CSR's key is " +
                            std::to_string(info->bits) + " bits");
    }
  } else if (role.key_type == "any") {
    return Error(400, "role key type \"any\" not allowed for issuing certificates, only signing");
  }

  // Names.
  std::string cn;
  if (sign && role.use_csr_common_name) {
    cn = csr.common_name;
  }
  if (cn.empty()) {
    cn = *common_name;
  }
  if (cn.empty() && role.require_cn) {
    return Error(400,
                 "the common_name field is required, or must be provided in a CSR with "
                 "\"use_csr_common_name\" set to true, unless \"require_cn\" is set to false");
  }
  std::vector<std::string> dns;
  std::vector<std::string> emails;
  std::vector<std::string> ips;
  if (sign && role.use_csr_sans) {
    dns = csr.dns_names;
    emails = csr.emails;
    ips = csr.ip_addresses;
  } else {
    for (const std::string& n : *alt_names) {
      AddUnique(n.find('@') != std::string::npos ? emails : dns, n);
    }
    ips = *ip_sans;
  }
  if (!cn.empty() && !*exclude_cn) {
    AddUnique(cn.find('@') != std::string::npos ? emails : dns, cn);
  }
  if (!cn.empty()) {
    std::string bad = vault::FirstDisallowedName(role, {cn});
    if (!bad.empty()) {
      return Error(400, "common name " + cn + " not allowed by this role");
    }
  }
  std::vector<std::string> sans = dns;
  sans.insert(sans.end(), emails.begin(), emails.end());
  std::string bad_san = vault::FirstDisallowedName(role, sans);
  if (!bad_san.empty()) {
    return Error(400, "subject alternate name " + bad_san + " not allowed by this role");
  }
  if (!ips.empty() && !role.allow_ip_sans) {
    return Error(400,
                 "IP Subject Alternative Names are not allowed in this role, but was "
                 "provided " +
                     ips[0]);
  }
  if (!uri_sans->empty()) {
    return Error(400,
                 "URI Subject Alternative Names are not allowed in this role, but were "
                 "provided via the API");
  }
  if (!other_sans->empty()) {
    return Error(400, "other_sans are not allowed by this role, but were provided via the API");
  }

  // Validity.
  std::int64_t now = clock_->Now().ms / 1000;
  std::vector<std::string> warnings;
  std::optional<json::Value> ttl_value = fields->Find("ttl");
  if (ttl_value && !not_after_text->empty()) {
    return Error(400,
                 "Either ttl or not_after should be provided. Both should not be provided "
                 "in the same request.");
  }
  std::int64_t not_after = 0;
  if (!not_after_text->empty()) {
    Result<std::int64_t> t = ParseNotAfter(*not_after_text);
    if (!t.ok()) {
      return fail(t.status());
    }
    not_after = *t;
  } else {
    std::int64_t ttl = 0;
    if (ttl_value) {
      Result<std::int64_t> parsed = vault::ParseDurationValue(*ttl_value);
      if (!parsed.ok()) {
        return Error(400, ConversionError("ttl", *ttl_value) + ": " + parsed.status().message());
      }
      ttl = *parsed;
    }
    if (ttl == 0) {
      ttl = role.ttl_s;
    }
    if (ttl > role.max_ttl_s) {
      warnings.push_back("TTL \"" + vault::GoDurationString(ttl) +
                         "\" is longer than permitted maxTTL \"" +
                         vault::GoDurationString(role.max_ttl_s) + "\", so maxTTL is being used");
      ttl = role.max_ttl_s;
    }
    not_after = now + ttl;
  }
  if (not_after > now + role.max_ttl_s) {
    not_after = now + role.max_ttl_s;
  }
  if (not_after <= now) {
    return Error(400, "not_after " + Rfc3339Seconds(not_after) + " is not in the future");
  }
  if (not_after > ca_->intermediate_not_after()) {
    return Error(400, "cannot satisfy request, as TTL would result in notAfter of " +
                          Rfc3339Seconds(not_after) +
                          " that is beyond the expiration of the CA certificate at " +
                          Rfc3339Seconds(ca_->intermediate_not_after()));
  }

  if (!sign) {
    Result<crypto::PkeyPtr> generated = ca::GenerateKey(role.key_type, role.key_bits);
    if (!generated.ok()) {
      return Error(500, generated.status().message());
    }
    key = std::move(generated).value();
  }
  EVP_PKEY* subject_key = sign ? csr.key.get() : key.get();
  Result<std::string> serial = crypto::RandomBytes(20);
  if (!serial.ok()) {
    return Error(500, serial.status().message());
  }
  // Positive and always 20 bytes long (Vault's serials are random 159-bit integers).
  (*serial)[0] = static_cast<char>((static_cast<unsigned char>((*serial)[0]) & 0x7f) | 0x01);
  ca::LeafSpec spec;
  spec.subject_key = subject_key;
  spec.common_name = cn;
  spec.dns_names = dns;
  spec.emails = emails;
  spec.ip_addresses = ips;
  spec.not_before = now - 30;  // Vault back-dates by not_before_duration (30 s)
  spec.not_after = not_after;
  spec.serial = *serial;
  spec.server_auth = role.server_flag;
  spec.client_auth = role.client_flag;
  Result<ca::Issued> issued = ca_->Issue(spec);
  if (!issued.ok()) {
    return Error(issued.status().IsInvalidArgument() ? 400 : 500, issued.status().message());
  }

  std::string private_key;
  std::string private_key_type;
  if (!sign) {
    bool pkcs8 = pk_fmt == "pkcs8";
    Result<std::string> encoded =
        fmt == "der" ? ca::PrivateKeyDer(key.get(), pkcs8) : ca::PrivateKeyPem(key.get(), pkcs8);
    Result<ca::KeyInfo> info = ca::DescribeKey(key.get());
    if (!encoded.ok() || !info.ok()) {
      return Error(500, "encoding the private key failed");
    }
    private_key = fmt == "der" ? crypto::Base64Encode(*encoded) : *encoded;
    private_key_type = info->type;
  }

  state_->Locked([&](SimData& data) {
    VaultCertificate c;
    c.serial = issued->serial_hex;
    c.common_name = cn;
    c.dns_names = dns;
    c.pem = issued->pem;
    c.not_before = spec.not_before;
    c.expiration = not_after;
    c.seq = data.vault.next_seq++;
    data.vault.certificates[c.serial] = std::move(c);
  });

  std::vector<std::string> chain_pem = {ca::TrimPem(ca_->intermediate_pem())};
  if (!*remove_roots) {
    chain_pem.push_back(ca::TrimPem(ca_->root_pem()));
  }
  auto as_format = [&](const std::string& pem) -> std::string {
    if (fmt != "der") {
      return ca::TrimPem(pem);
    }
    return crypto::Base64Encode(ca::CertificateDer(pem).value_or(""));
  };
  std::string certificate = as_format(issued->pem);
  if (fmt == "pem_bundle") {
    certificate =
        (private_key.empty() ? "" : private_key + "\n") + certificate + "\n" + chain_pem.front();
  }
  json::Writer w;
  w.BeginObject();
  w.Field("certificate", certificate);
  w.Field("issuing_ca", as_format(ca_->intermediate_pem()));
  w.Key("ca_chain").BeginArray();
  for (const std::string& c : chain_pem) {
    w.String(as_format(c));
  }
  w.EndArray();
  if (!sign) {
    w.Field("private_key", private_key);
    w.Field("private_key_type", private_key_type);
  }
  w.Field("serial_number", issued->serial_hex);
  w.Field("expiration", not_after);
  w.EndObject();
  return Envelope(w.Take(), warnings);
}

ApiResponse VaultApi::Revoke(const ApiRequest& request) {
  Result<Fields> fields = Fields::Parse(request.body);
  if (!fields.ok()) {
    return Error(400, fields.status().message());
  }
  std::string serial_text;
  std::string cert_pem;
  if (Status read =
          ReadStrings(*fields, {{"serial_number", &serial_text}, {"certificate", &cert_pem}});
      !read.ok()) {
    return Error(400, read.message());
  }
  if (serial_text.empty() && cert_pem.empty()) {
    return Error(400, "The serial number or certificate to revoke must be provided.");
  }
  if (!serial_text.empty() && !cert_pem.empty()) {
    return Error(400, "Must provide either the certificate or the serial to revoke; not both.");
  }
  std::string serial;
  std::string cert_der;
  if (!cert_pem.empty()) {
    Result<std::string> der = ca::CertificateDer(cert_pem);
    if (!der.ok()) {
      return Error(400, "certificate could not be parsed");
    }
    cert_der = *der;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(cert_der.data());
    crypto::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
    const ASN1_INTEGER* sn = x ? X509_get0_serialNumber(x.get()) : nullptr;
    for (int i = 0; sn != nullptr && i < sn->length; ++i) {
      static constexpr char kDigits[] = "0123456789abcdef";
      if (!serial.empty()) {
        serial += ':';
      }
      serial += kDigits[sn->data[i] >> 4];
      serial += kDigits[sn->data[i] & 15];
    }
  } else {
    serial = vault::NormalizeSerial(serial_text);
  }
  Instant now = clock_->Now();
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.vault.certificates.find(serial);
    if (it == data.vault.certificates.end()) {
      return Error(400, "certificate with serial " + serial + " not found");
    }
    VaultCertificate& c = it->second;
    if (!cert_der.empty() && ca::CertificateDer(c.pem).value_or("") != cert_der) {
      return Error(400, "certificate with serial " + serial +
                            " does not match the certificate issued by this mount");
    }
    if (!c.revoked && c.expiration < now.ms / 1000) {
      return Envelope("null", {"certificate with serial " + serial +
                               " already expired; refusing to add to CRL"});
    }
    if (!c.revoked) {
      c.revoked = true;
      c.revocation_time = now.ms / 1000;
      c.revocation_time_rfc3339 = FormatRfc3339(now);
    }
    json::Writer w;
    w.BeginObject()
        .Field("revocation_time", c.revocation_time)
        .Field("revocation_time_rfc3339", c.revocation_time_rfc3339)
        .Field("state", "revoked")
        .EndObject();
    return Envelope(w.Take(), {});
  });
}

ApiResponse VaultApi::ListCertificates() {
  // Every stored certificate, revoked and expired ones included (Vault keeps them until a tidy),
  // in storage order: sorted by serial.
  std::vector<std::string> serials = state_->Locked([](SimData& data) {
    std::vector<std::string> out;
    out.reserve(data.vault.certificates.size());
    for (const auto& [serial, certificate] : data.vault.certificates) {
      out.push_back(serial);
    }
    return out;
  });
  if (serials.empty()) {
    return Errors(404, {});  // Vault's answer to every empty list
  }
  json::Writer w;
  w.BeginObject().Key("keys").BeginArray();
  for (const std::string& serial : serials) {
    w.String(serial);
  }
  w.EndArray().EndObject();
  return Envelope(w.Take(), {});
}

ApiResponse VaultApi::ReadCertificate(const std::string& serial_text) {
  std::string serial = vault::NormalizeSerial(serial_text);
  if (serial == "ca") {
    json::Writer w;
    w.BeginObject()
        .Field("certificate", ca::TrimPem(ca_->intermediate_pem()))
        .Field("revocation_time", 0)
        .EndObject();
    return Envelope(w.Take(), {});
  }
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.vault.certificates.find(serial);
    if (it == data.vault.certificates.end()) {
      return Errors(404, {});
    }
    const VaultCertificate& c = it->second;
    json::Writer w;
    w.BeginObject()
        .Field("certificate", ca::TrimPem(c.pem))
        .Field("revocation_time", c.revoked ? c.revocation_time : 0)
        .Field("revocation_time_rfc3339", c.revoked ? c.revocation_time_rfc3339 : "")
        .EndObject();
    return Envelope(w.Take(), {});
  });
}

}  // namespace gps::cloudsim
