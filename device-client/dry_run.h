#pragma once
// --dry-run: what this gateway would send and write, printed as one JSON object on stdout, with
// nothing connected, created or changed. Kept keys in the state directory are read when they
// exist; otherwise a throw-away key stands in for the one a real run would create, and the
// output says so.

#include <string>

#include "device-client/client_loop.h"
#include "device-client/client_settings.h"
#include "gps/core/result.h"

namespace gps::device_client {

struct DryRunFacts {
  std::string interface;        // where the MAC came from ("" when configured)
  bool transport_kept = false;  // the announced transport key is the kept one
  bool certificate_kept = false;
};

// Pure apart from signing: the report for this configuration and identity at wall time ts_ms.
Result<std::string> DescribeDryRun(const ClientConfig& config, const ClientIdentity& identity,
                                   const DryRunFacts& facts, std::int64_t ts_ms);

// The kept transport key, or nullopt when there is none yet; an unreadable file is an error.
Result<std::optional<crypto::TransportKeyPair>> PeekTransportKey(const std::string& state_dir);
// The kept certificate key (CSR mode), or nullopt when there is none yet.
Result<std::optional<crypto::PrivateKey>> PeekCertificateKey(const std::string& state_dir);

}  // namespace gps::device_client
