#include "cloudsim/server/azure_auth.h"

#include <string>

#include "gps/azure/sas_token.h"
#include "gps/core/text.h"

namespace gps::cloudsim {

Status CheckServiceSas(const ApiRequest& request, const SasPolicy& policy, std::int64_t now_s) {
  std::optional<std::string> header = request.Header("Authorization");
  if (!header || header->empty()) {
    return Status::PermissionDenied("no Authorization header");
  }
  Result<azure::SasToken> token = azure::ParseSasToken(*header);
  if (!token.ok()) {
    return Status::PermissionDenied(token.status().message());
  }
  if (!EqualsIgnoreCase(token->key_name, policy.policy_name)) {
    return Status::PermissionDenied("SAS token names policy '" + token->key_name +
                                    "', which is not a policy of this service");
  }
  Status verified = azure::VerifySasToken(*token, policy.host, policy.policy_key, now_s);
  if (!verified.ok()) {
    return Status::PermissionDenied(verified.message());
  }
  return Status::Ok();
}

}  // namespace gps::cloudsim
