#include "gps/azure/service_settings.h"

#include <algorithm>
#include <cctype>

#include "gps/azure/sas_token.h"
#include "gps/core/result.h"
#include "gps/core/text.h"
#include "gps/crypto/encoding.h"

namespace gps::azure {

bool IsToken(std::string_view s, std::string_view extra) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

Status ValidateServiceSettings(ServiceSettingsRef s, std::string_view env_prefix,
                               std::string_view example_host, std::string_view example_version) {
  std::string prefix(env_prefix);
  if (!IsToken(*s.host, ".-")) {
    return Status::InvalidArgument(prefix + "_HOST: required, a host name such as " +
                                   std::string(example_host));
  }
  if (s.url->empty()) {
    *s.url = "https://" + *s.host;
  }
  while (!s.url->empty() && s.url->back() == '/') {
    s.url->pop_back();
  }
  if ((s.url->rfind("https://", 0) != 0 && s.url->rfind("http://", 0) != 0) ||
      HasControlCharacter(*s.url)) {
    return Status::InvalidArgument(prefix + "_URL: '" + *s.url +
                                   "' must start with https:// (or http:// for a local stand-in)");
  }
  if (!IsToken(*s.policy_name, "-_.")) {
    return Status::InvalidArgument(prefix + "_POLICY_NAME: required, letters, digits, '-_.'");
  }
  if (s.policy_key->empty()) {
    return Status::InvalidArgument(prefix + "_POLICY_KEY: required (or " + prefix +
                                   "_POLICY_KEY_FILE)");
  }
  Result<std::string> key = crypto::Base64Decode(*s.policy_key);
  if (!key.ok() || key->empty()) {
    return Status::InvalidArgument(prefix + "_POLICY_KEY: not base64");
  }
  if (!IsToken(*s.api_version, "-.")) {
    return Status::InvalidArgument(prefix + "_API_VERSION: required, e.g. " +
                                   std::string(example_version));
  }
  return Status::Ok();
}

Result<http::Request> SignedRequest(std::string_view host, std::string_view policy_name,
                                    std::string_view policy_key, std::string method,
                                    std::string url, Instant now, std::int64_t lifetime_s,
                                    std::string_view what) {
  Result<std::string> sas =
      BuildSasToken(host, policy_key, policy_name, now.ms / 1000 + lifetime_s);
  if (!sas.ok()) {
    return sas.status().WithContext(std::string(what) + ": SAS token");
  }
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers.push_back({"Authorization", std::move(sas).value()});
  r.headers.push_back({"Accept", "application/json"});
  return r;
}

}  // namespace gps::azure
