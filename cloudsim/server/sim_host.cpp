#include "cloudsim/server/sim_host.h"

#include <chrono>

namespace gps::cloudsim {

Result<std::unique_ptr<SimHost>> SimHost::Start(Options options, const Clock* clock) {
  std::unique_ptr<SimHost> host(new SimHost());
  Result<std::unique_ptr<ca::CertificateAuthority>> ca =
      ca::CertificateAuthority::Create(clock->Now().ms / 1000);
  if (!ca.ok()) {
    return ca.status().WithContext("cloudsim: create the CA");
  }
  host->ca_ = std::move(ca).value();
  host->state_.Locked([&](SimData& data) {
    data.ca_root_pem = host->ca_->root_pem();
    data.ca_intermediate_pem = host->ca_->intermediate_pem();
  });
  host->faults_ = std::make_unique<FaultInjector>(std::move(options.faults), options.fault_seed);
  host->mender_ = std::make_unique<MenderApi>(options.mender, &host->state_, clock);
  host->dps_ = std::make_unique<DpsApi>(options.dps, &host->state_, clock);
  host->vault_ = std::make_unique<VaultApi>(options.vault, &host->state_, clock, host->ca_.get());
  host->hub_ = std::make_unique<HubApi>(options.hub, &host->state_, clock);

  struct Slot {
    Service* service;
    int requested;
    int* actual;
  };
  Slot slots[] = {{host->mender_.get(), options.ports.mender, &host->ports_.mender},
                  {host->dps_.get(), options.ports.dps, &host->ports_.dps},
                  {host->vault_.get(), options.ports.vault, &host->ports_.vault},
                  {host->hub_.get(), options.ports.hub, &host->ports_.hub}};
  for (const Slot& slot : slots) {
    host->dispatchers_.push_back(
        std::make_unique<Dispatcher>(slot.service, &host->state_, host->faults_.get(), clock));
    host->servers_.push_back(std::make_unique<HttpServer>(
        host->dispatchers_.back().get(), options.max_body_bytes, options.threads_per_port));
    Result<int> port = host->servers_.back()->Bind(options.bind, slot.requested);
    if (!port.ok()) {
      return port.status().WithContext(std::string("cloudsim: ") +
                                       std::string(slot.service->Name()));
    }
    *slot.actual = *port;
  }
  for (auto& server : host->servers_) {
    server->Start();
  }
  for (auto& server : host->servers_) {
    if (!server->WaitUntilRunning(std::chrono::seconds(10))) {
      return Status::Unavailable("cloudsim: a server did not start accepting connections");
    }
  }
  return host;
}

SimHost::~SimHost() { Stop(); }

void SimHost::Stop() {
  if (faults_) {
    faults_->Stop();
  }
  for (auto& server : servers_) {
    server->Stop();
  }
}

}  // namespace gps::cloudsim
