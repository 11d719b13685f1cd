#pragma once
// The ready file: {"mender":P,"dps":P,"vault":P,"hub":P}, written atomically (a temporary file in
// the same directory, then rename) once every server accepts connections, so scripts and tests
// can wait for it instead of sleeping. Thread-compatible.

#include <string>

#include "gps/core/status.h"

namespace gps::cloudsim {

struct Ports {
  int mender = 0;
  int dps = 0;
  int vault = 0;
  int hub = 0;
};

std::string PortsJson(const Ports& ports);
Status WriteReadyFile(const std::string& path, const Ports& ports);

}  // namespace gps::cloudsim
