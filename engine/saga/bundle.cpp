#include "engine/saga/bundle.h"

#include "gps/protocol/step_results.h"

namespace gps::engine {

namespace {

Result<std::string> SucceededData(const saga::Saga& s, saga::Slot slot) {
  auto it = s.steps.find(slot);
  if (it == s.steps.end() || it->second.status != saga::StepStatus::kSucceeded) {
    return Status::FailedPrecondition("bundle: step " + std::string(saga::SlotName(slot)) +
                                      " has not succeeded");
  }
  return it->second.data_json;
}

}  // namespace

Result<protocol::CredentialBundle> BuildBundle(const saga::Saga& s) {
  if (s.bundle_id.empty()) {
    return Status::FailedPrecondition("bundle: no bundle id");
  }
  GPS_ASSIGN_OR_RETURN(std::string mender_json, SucceededData(s, saga::Slot::kMender));
  GPS_ASSIGN_OR_RETURN(std::string dps_json, SucceededData(s, saga::Slot::kDps));
  GPS_ASSIGN_OR_RETURN(std::string vault_json, SucceededData(s, saga::Slot::kVault));
  GPS_ASSIGN_OR_RETURN(protocol::MenderProvisionResult mender,
                       protocol::ParseMenderProvision(mender_json));
  GPS_ASSIGN_OR_RETURN(protocol::DpsProvisionResult dps, protocol::ParseDpsProvision(dps_json));
  GPS_ASSIGN_OR_RETURN(protocol::VaultProvisionResult vault,
                       protocol::ParseVaultProvision(vault_json));

  protocol::CredentialBundle b;
  b.device_id = s.device_id;
  b.bundle_id = s.bundle_id;
  b.name = s.name;
  b.mender_device_id = mender.mender_device_id;
  b.dps_registration_id = dps.registration_id;
  b.dps_id_scope = dps.id_scope;
  b.dps_global_endpoint = dps.global_endpoint;
  b.dps_sealed_symmetric_key = dps.sealed_symmetric_key;
  b.certificate_pem = vault.certificate_pem;
  b.ca_chain_pem = vault.ca_chain_pem;
  b.certificate_serial = vault.serial;
  b.sealed_private_key = vault.sealed_private_key;
  if (b.sealed_private_key.empty() && s.csr_pem.empty()) {
    return Status::FailedPrecondition(
        "bundle: Vault returned no private key and the device sent no CSR");
  }
  return b;
}

}  // namespace gps::engine
