#pragma once
// SimHost: the whole simulator in one object — the CA, the shared state, the four services, and
// one HttpServer per service on its own port — so main() only composes settings into Options and
// tests can run the simulator in-process the same way the binary does.
//
// Start() returns once every server accepts connections. Stop() first ends every injected wait
// (latency, hangs), so shutdown never waits for a hanging request.
// Thread-safety: Start/Stop/ports from one thread; faults() from any. Lifetime: clock must
// outlive the SimHost; the destructor stops the servers.

#include <cstddef>
#include <memory>
#include <string>

#include "cloudsim/ca/ca.h"
#include "cloudsim/dps/dps_api.h"
#include "cloudsim/faults/fault_injector.h"
#include "cloudsim/hub/hub_api.h"
#include "cloudsim/mender/mender_api.h"
#include "cloudsim/server/dispatcher.h"
#include "cloudsim/server/http_server.h"
#include "cloudsim/server/ready_file.h"
#include "cloudsim/state/sim_state.h"
#include "cloudsim/vault/vault_api.h"
#include "gps/core/clock.h"

namespace gps::cloudsim {

class SimHost {
 public:
  struct Options {
    std::string bind = "127.0.0.1";
    Ports ports;  // 0: a free port
    std::size_t max_body_bytes = 1 << 20;
    std::size_t threads_per_port = 64;  // connections each server serves at once
    FaultConfig faults = NoFaults();    // fault injection at start (changed over /_sim/faults)
    std::uint64_t fault_seed = 0;       // seeds the fault injector's generators
    MenderConfig mender;
    DpsConfig dps;
    VaultConfig vault;
    HubConfig hub;
  };

  static Result<std::unique_ptr<SimHost>> Start(Options options, const Clock* clock);
  ~SimHost();
  SimHost(const SimHost&) = delete;
  SimHost& operator=(const SimHost&) = delete;

  const Ports& ports() const { return ports_; }
  SimState& state() { return state_; }
  FaultInjector& faults() { return *faults_; }
  void Stop();

 private:
  SimHost() = default;

  SimState state_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<ca::CertificateAuthority> ca_;
  std::unique_ptr<MenderApi> mender_;
  std::unique_ptr<DpsApi> dps_;
  std::unique_ptr<VaultApi> vault_;
  std::unique_ptr<HubApi> hub_;
  std::vector<std::unique_ptr<Dispatcher>> dispatchers_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
  Ports ports_;
};

}  // namespace gps::cloudsim
