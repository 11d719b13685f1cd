#include "gps/azure/sas_token.h"

#include <algorithm>

#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::azure {

namespace {

Result<std::string> Signature(std::string_view encoded_resource, std::string_view key_base64,
                              std::int64_t expiry) {
  Result<std::string> key = crypto::Base64Decode(key_base64);
  if (!key.ok()) {
    return Status::InvalidArgument("SAS key is not valid base64");
  }
  std::string to_sign(encoded_resource);
  to_sign += '\n';
  to_sign += std::to_string(expiry);
  return crypto::HmacSha256(*key, to_sign);
}

}  // namespace

Result<std::string> BuildSasToken(std::string_view resource, std::string_view key_base64,
                                  std::string_view key_name, std::int64_t expiry_unix_seconds) {
  std::string sr = crypto::UrlEncode(ToLower(resource));
  GPS_ASSIGN_OR_RETURN(std::string sig, Signature(sr, key_base64, expiry_unix_seconds));
  std::string out = "SharedAccessSignature sr=" + sr +
                    "&sig=" + crypto::UrlEncode(crypto::Base64Encode(sig)) +
                    "&se=" + std::to_string(expiry_unix_seconds);
  if (!key_name.empty()) {
    out += "&skn=" + crypto::UrlEncode(key_name);
  }
  return out;
}

Result<SasToken> ParseSasToken(std::string_view header_value) {
  constexpr std::string_view kScheme = "SharedAccessSignature ";
  if (header_value.size() > 4096) {
    return Status::InvalidArgument("SAS token too long");
  }
  if (header_value.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("authorization is not a SharedAccessSignature");
  }
  std::string_view rest = header_value.substr(kScheme.size());
  SasToken token;
  bool have_sr = false, have_sig = false, have_se = false;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("SAS token: field without '='");
    }
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    if (key == "sr") {
      token.encoded_resource = std::string(value);
      GPS_ASSIGN_OR_RETURN(token.resource, crypto::UrlDecode(value));
      have_sr = true;
    } else if (key == "sig") {
      GPS_ASSIGN_OR_RETURN(std::string b64, crypto::UrlDecode(value));
      Result<std::string> raw = crypto::Base64Decode(b64);
      if (!raw.ok()) {
        return Status::InvalidArgument("SAS token: sig is not base64");
      }
      token.signature = std::move(raw).value();
      have_sig = true;
    } else if (key == "se") {
      if (value.empty() || value.size() > 12 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Status::InvalidArgument("SAS token: se is not a Unix time");
      }
      token.expiry = std::stoll(std::string(value));
      have_se = true;
    } else if (key == "skn") {
      GPS_ASSIGN_OR_RETURN(token.key_name, crypto::UrlDecode(value));
    }
  }
  if (!have_sr || !have_sig || !have_se) {
    return Status::InvalidArgument("SAS token: sr, sig and se are required");
  }
  return token;
}

Status VerifySasToken(const SasToken& token, std::string_view expected_resource,
                      std::string_view key_base64, std::int64_t now_unix_seconds) {
  std::string have = ToLower(token.resource);
  std::string want = ToLower(expected_resource);
  bool covers =
      have == want || (want.size() > have.size() && want.compare(0, have.size(), have) == 0 &&
                       want[have.size()] == '/');
  if (!covers) {
    return Status::PermissionDenied("SAS token is for '" + token.resource + "', not '" +
                                    std::string(expected_resource) + "'");
  }
  if (token.expiry <= now_unix_seconds) {
    return Status::PermissionDenied("SAS token expired");
  }
  GPS_ASSIGN_OR_RETURN(std::string expected,
                       Signature(token.encoded_resource, key_base64, token.expiry));
  if (!crypto::ConstantTimeEquals(expected, token.signature)) {
    return Status::PermissionDenied("SAS token signature does not match");
  }
  return Status::Ok();
}

}  // namespace gps::azure
