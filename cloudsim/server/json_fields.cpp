#include "cloudsim/server/json_fields.h"

#include <optional>

namespace gps::cloudsim {

Result<std::string> OptionalString(const json::Value& obj, std::string_view key) {
  std::optional<json::Value> v = obj.Find(key);
  if (!v) {
    return std::string();
  }
  if (!v->IsString()) {
    return Status::InvalidArgument("'" + std::string(key) + "' must be a string");
  }
  return v->AsString();
}

}  // namespace gps::cloudsim
