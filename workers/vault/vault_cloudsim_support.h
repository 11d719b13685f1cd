#pragma once
// Test-only: what the vault step's tests against cloudsim share: jobs as the engine sends them,
// running one on a thread of its own (as the runtime's handler threads do; the thread's keep-alive
// connection closes when it ends, so stopping the server need not wait for it to time out), the
// data of a successful provision, and the live certificates Vault holds.
// No shared state; thread-safe as far as SimState is.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "cloudsim/state/sim_state.h"
#include "gps/protocol/job.h"
#include "gps/protocol/step_results.h"
#include "workers/vault/vault_step.h"

namespace gps::worker::vault::testing {

// Settings of a worker using token against cloudsim's Vault on port: mount pki, role gps-device,
// common names {name}.devices.example.com, one-hour certificates.
inline VaultSettings SimSettings(int port, const std::string& token) {
  VaultSettings s;
  s.addr = "http://127.0.0.1:" + std::to_string(port);
  s.token = token;
  s.approle_mount = "approle";
  s.pki_mount = "pki";
  s.role = "gps-device";
  s.common_name = "{name}.devices.example.com";
  s.ttl = "1h";
  s.timeout_ms = 5000;
  return s;
}

// A vault job of generation 1, sealed secrets to transport_public_raw, due by deadline.
inline protocol::Job VaultJob(protocol::Action action, const std::string& device_id, int attempt,
                              std::string name, Instant deadline,
                              const std::string& transport_public_raw) {
  protocol::Job job;
  job.id.device_id = device_id;
  job.id.generation = 1;
  job.id.step = protocol::Step::kVault;
  job.id.action = action;
  job.id.attempt = attempt;
  job.deadline = deadline;
  job.name = std::move(name);
  job.mac = "02:42:ac:11:00:02";
  job.transport_key = transport_public_raw;
  return job;
}

inline protocol::JobResult RunOnThread(VaultStep& step, const protocol::Job& job) {
  protocol::JobResult result;
  std::thread([&] { result = step.Handle(job, job.deadline); }).join();
  return result;
}

// The data of a successful provision; a test failure (and empty data) otherwise.
inline protocol::VaultProvisionResult ProvisionedData(const protocol::JobResult& result) {
  EXPECT_TRUE(result.outcome.ok()) << result.outcome.error;
  Result<protocol::VaultProvisionResult> data = protocol::ParseVaultProvision(result.data_json);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return data.ok() ? *data : protocol::VaultProvisionResult{};
}

// Serials of the certificates Vault holds that are neither revoked nor expired at now, with this
// common name (any when empty).
inline std::set<std::string> LiveSerials(cloudsim::SimState& state, Instant now,
                                         const std::string& common_name = "") {
  const std::int64_t now_s = now.ms / 1000;
  return state.Locked([&](cloudsim::SimData& data) {
    std::set<std::string> out;
    for (const auto& [serial, c] : data.vault.certificates) {
      if ((common_name.empty() || c.common_name == common_name) && !c.revoked &&
          c.expiration > now_s) {
        out.insert(serial);
      }
    }
    return out;
  });
}

}  // namespace gps::worker::vault::testing
