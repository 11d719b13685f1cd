#pragma once
// Test-only helpers of the hub-manifest worker's tests: the minimal valid manifest of
// cloud-apis.md 4.4 (as a template with placeholders) and a temporary file that removes itself.
// Never linked into the binary.

#include <stdlib.h>  // mkstemp
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace gps::worker::hub::testing {

// cloud-apis.md 4.4, with ${DEVICE_NAME} in an env value and in createOptions, ${DEVICE_ID} in a
// module setting and a "$upstream" that is no placeholder.
inline constexpr std::string_view kTemplate = R"json({"modulesContent": {
  "$edgeAgent": {"properties.desired": {
    "schemaVersion": "1.1",
    "runtime": {"type": "docker", "settings": {"minDockerVersion": "v1.25",
      "registryCredentials": {"myacr": {"username": "myacr", "password": "<secret>", "address": "myacr.azurecr.io"}}}},
    "systemModules": {
      "edgeAgent": {"type": "docker", "settings": {"image": "mcr.microsoft.com/azureiotedge-agent:1.5", "createOptions": "{}"}},
      "edgeHub": {"type": "docker", "status": "running", "restartPolicy": "always",
        "settings": {"image": "mcr.microsoft.com/azureiotedge-hub:1.5",
          "createOptions": "{\"HostConfig\":{\"PortBindings\":{\"5671/tcp\":[{\"HostPort\":\"5671\"}],\"8883/tcp\":[{\"HostPort\":\"8883\"}],\"443/tcp\":[{\"HostPort\":\"443\"}]}}}"}}},
    "modules": {
      "gatewayapp": {"version": "1.0", "type": "docker", "status": "running", "restartPolicy": "always",
        "settings": {"image": "myacr.azurecr.io/gatewayapp:1.4.2", "createOptions": "{\"Hostname\":\"${DEVICE_NAME}\"}"},
        "env": {"SITE": {"value": "berlin"}, "GATEWAY": {"value": "${DEVICE_NAME}"}, "PORT": {"value": 8080}}}}}},
  "$edgeHub": {"properties.desired": {
    "schemaVersion": "1.1",
    "routes": {"upstream": "FROM /messages/* INTO $upstream"},
    "storeAndForwardConfiguration": {"timeToLiveSecs": 7200}}},
  "gatewayapp": {"properties.desired": {"setting": 1, "gpsDeviceId": "${DEVICE_ID}", "ratio": 0.25, "on": true, "none": null, "list": ["${DEVICE_NAME}", 2]}}}})json";

// A file holding text, removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(std::string_view text) {
    path_ = (std::filesystem::temp_directory_path() / "gps-hub-test-XXXXXX").string();
    int fd = mkstemp(path_.data());
    if (fd >= 0) {
      close(fd);
    }
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace gps::worker::hub::testing
