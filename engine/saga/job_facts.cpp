#include "engine/saga/job_facts.h"

#include "gps/json/json.h"
#include "gps/protocol/step_results.h"

namespace gps::engine {

namespace {

std::string DataOf(const saga::Saga& s, saga::Slot slot) {
  auto it = s.steps.find(slot);
  return it == s.steps.end() ? "{}" : it->second.data_json;
}

std::string OneField(std::string_view key, const std::string& value) {
  if (value.empty()) {
    return "{}";
  }
  json::Writer w;
  w.BeginObject().Field(key, value).EndObject();
  return w.Take();
}

}  // namespace

std::string JobFacts(const saga::Saga& s, saga::Slot slot) {
  switch (slot) {
    case saga::Slot::kHubManifest:
    case saga::Slot::kMenderRevoke: {
      Result<protocol::MenderProvisionResult> mender =
          protocol::ParseMenderProvision(DataOf(s, saga::Slot::kMender));
      return OneField("menderDeviceId", mender.ok() ? mender->mender_device_id : "");
    }
    case saga::Slot::kVaultRevoke: {
      Result<protocol::VaultProvisionResult> vault =
          protocol::ParseVaultProvision(DataOf(s, saga::Slot::kVault));
      return OneField("serial", vault.ok() ? vault->serial : "");
    }
    default:
      return "{}";
  }
}

}  // namespace gps::engine
