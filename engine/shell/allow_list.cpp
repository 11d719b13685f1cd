#include "engine/shell/allow_list.h"

#include "gps/json/json.h"
#include "gps/protocol/names.h"

namespace gps::engine {

std::optional<AllowListMatch> MatchAllowList(const saga::Saga& device,
                                             const std::optional<std::string>& by_fingerprint,
                                             const std::optional<std::string>& by_mac,
                                             std::string* problem) {
  problem->clear();
  if (device.phase != saga::Phase::kPending || device.generation != 0 || !device.name.empty()) {
    return std::nullopt;
  }
  const bool fingerprint = by_fingerprint.has_value();
  const std::optional<std::string>& entry = fingerprint ? by_fingerprint : by_mac;
  if (!entry) {
    return std::nullopt;
  }
  AllowListMatch match;
  match.matched_by = fingerprint ? "fingerprint" : "mac";
  match.value = fingerprint ? device.fingerprint : device.mac;
  Result<json::Document> doc = json::ParseObject(*entry, 4096, "allow-list entry");
  Result<std::string> name =
      doc.ok() ? doc->Root().GetString("name", 128) : Result<std::string>(doc.status());
  if (!name.ok()) {
    *problem = "allow-list entry for " + match.matched_by + " " + match.value +
               " is unreadable: " + name.status().message();
    return std::nullopt;
  }
  Status valid = protocol::ValidateDeviceName(*name);
  if (!valid.ok()) {
    *problem = "allow-list entry for " + match.matched_by + " " + match.value +
               " has an invalid name: " + valid.message();
    return std::nullopt;
  }
  match.name = std::move(name).value();
  return match;
}

}  // namespace gps::engine
