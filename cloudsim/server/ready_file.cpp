#include "cloudsim/server/ready_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "gps/json/json.h"

namespace gps::cloudsim {

std::string PortsJson(const Ports& ports) {
  json::Writer w;
  w.BeginObject()
      .Field("mender", ports.mender)
      .Field("dps", ports.dps)
      .Field("vault", ports.vault)
      .Field("hub", ports.hub)
      .EndObject();
  return w.Take();
}

Status WriteReadyFile(const std::string& path, const Ports& ports) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
    }
    out << PortsJson(ports) << "\n";
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Status::Unavailable("cannot write " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::Unavailable("cannot rename " + tmp + " to " + path + ": " + err);
  }
  return Status::Ok();
}

}  // namespace gps::cloudsim
