#pragma once
// The device client's I/O shell: connects to the broker as the device, feeds the Provisioner its
// events (connection changes, status and credentials messages, timer ticks, SIGINT/SIGTERM) and
// carries out its actions (publish a signed announce or ack, install a bundle: validate, write
// the files, forget the transport key and the certificate key, run the restart commands). All
// decisions are the Provisioner's; this file only does what it says.
//
// The broker may be unreachable at first boot, restart, or drop away while the gateway waits:
// connecting and reconnecting are retried with jittered backoff until the timeout (if any).
// Two clocks: `monotonic` drives every timer (announce interval, timeout, ack window), `wall`
// stamps messages and the marker. Not thread-safe: Run() is called once, from main. Every
// referenced object must outlive Run().

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device-client/client_settings.h"
#include "device-client/device_key.h"
#include "device-client/provisioner.h"
#include "gps/core/clock.h"
#include "gps/crypto/seal.h"
#include "gps/mqtt/client.h"

namespace gps::device_client {

struct ClientIdentity {
  const DeviceKey& device;
  std::string mac;
  const crypto::TransportKeyPair& transport;
  // GPS_CLIENT_CERT_MODE=csr: the certificate key this device keeps and the CSR it announces for
  // it. Null and empty when Vault makes the key.
  const crypto::PrivateKey* certificate_key = nullptr;
  std::string csr_pem;
};

class ClientLoop {
 public:
  ClientLoop(const ClientConfig& config, ClientIdentity identity, const Clock& wall,
             const Clock& monotonic);
  ~ClientLoop();
  // Runs until the Provisioner finishes; returns the process exit code. The broker connection is
  // closed by then; its Paho client lives until the loop is destroyed (main exits before that).
  ExitCode Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const ClientConfig& config_;
  ClientIdentity identity_;
  const Clock& wall_;
  const Clock& monotonic_;
};

// The announce payload for this identity, signed with the device key.
Result<std::string> SignedAnnounce(const ClientIdentity& identity, std::int64_t ts_ms);

// The device's subscriptions: gps/v1/devices/<id>/+ (see client_loop.cpp for why one filter).
// The broker ACL must let the bootstrap account read that filter for its own client id.
std::vector<mqtt::Subscription> DeviceSubscriptions(const std::string& device_id);

// Milliseconds of std::chrono::steady_clock: never steps, unlike the wall clock.
class MonotonicClock final : public Clock {
 public:
  Instant Now() const override;
};

}  // namespace gps::device_client
