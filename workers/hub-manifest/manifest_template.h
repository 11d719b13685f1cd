#pragma once
// ManifestTemplate: the deployment manifest this worker applies to every gateway, as a template
// file (GPS_HUB_MANIFEST_TEMPLATE) with the device's facts filled in.
//
// The file is the body of applyConfigurationContent, {"modulesContent": {...}}: what
// `az iot edge set-modules --content` takes and the IoT Edge tooling writes to
// config/deployment.*.json. No other top-level key is allowed (deviceContent and moduleContent
// are not for edge devices). Every module's entry is {"properties.desired": {...}}.
//
// Placeholders are written ${NAME} inside JSON string values (never in keys, numbers or
// booleans); "$${" stands for a literal "${". Names (TemplateValues):
//   ${DEVICE_NAME}       the approved device name = the IoT Hub device id
//   ${DEVICE_ID}         the gps device id (64 hex characters)
//   ${MENDER_DEVICE_ID}  the device's Mender id, from the job's facts.menderDeviceId
// Rendering works on the parsed document and writes each string anew, so a value is always
// JSON-escaped; on top of that the values are held to letters, digits and '-' (and are checked
// before use), so none can break out of a string nested inside a string (createOptions) either.
//
// Load() renders the template with SampleValues() and validates $edgeAgent and $edgeHub
// "properties.desired" against the IoT Edge deployment schemas their schemaVersion names
// (edgeAgent 1.0 / 1.1, edgeHub 1.0 / 1.1 / 1.2; the schema files are built into the binary);
// Render() validates every rendering again. Errors name the JSON path:
//   modulesContent.$edgeAgent["properties.desired"].modules.app.status: "runing" is not one of
//   "running", "stopped"
//
// Thread-safety: a loaded template is immutable; Render() may run on several threads at once.
// Copies share the parsed form.

#include <memory>
#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::worker::hub {

// The values of one device. An empty value is refused only when the template uses it.
struct TemplateValues {
  std::string device_name;       // ${DEVICE_NAME}
  std::string device_id;         // ${DEVICE_ID}
  std::string mender_device_id;  // ${MENDER_DEVICE_ID}
};

// Values of the right shape for the start-up check.
TemplateValues SampleValues();

inline constexpr std::size_t kMaxTemplateBytes = 256 * 1024;

class ManifestTemplate {
 public:
  // An empty template: Render() fails. Load() or Parse() make a usable one.
  ManifestTemplate() = default;

  // Reads and checks the file. Errors read "<path>: <json path>: <why>".
  static Result<ManifestTemplate> Load(const std::string& path);
  // Checks text as Load() does. Errors read "<json path>: <why>".
  static Result<ManifestTemplate> Parse(std::string_view text);

  bool empty() const { return impl_ == nullptr; }
  // Whether the template uses ${name} anywhere ("MENDER_DEVICE_ID").
  bool Uses(std::string_view name) const;
  // The schemaVersions found, for the start-up log ("1.1").
  std::string agent_schema_version() const;
  std::string hub_schema_version() const;

  // The applyConfigurationContent body for one device, compact JSON. InvalidArgument when a value
  // the template uses is missing or malformed, or the rendering fails the schemas.
  Result<std::string> Render(const TemplateValues& values) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace gps::worker::hub
