#pragma once
// The pure parts of gps-edge-agent-sim, the simulated edge agent the tests run on the "gateway"
// side: it takes the credentials a provisioned gateway received and uses them the way the real
// agents do, so a test can prove they work against gps-cloudsim.
//   dps:    reads dps.env (as gps-device-client writes it), registers with DPS like IoT Edge's
//           identity service (PUT .../register with the device SAS, then GET .../operations/{id}
//           until the status is no longer "assigning") and reports the assigned hub and device.
//   mender: sends the Mender client's authentication request (id_data {"mac": ...}, the public
//           key, signed with the device's private key in X-MEN-Signature) and reports the answer.
// Command line, file, body and answer handling live here and are unit-tested; edge_agent_sim.cpp
// only does the I/O. Pure functions; thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"

namespace gps::cloudsim::edge {

// ---- command line ----
struct Options {
  enum class Mode { kDps, kMender };
  Mode mode = Mode::kDps;
  bool help = false;
  // dps
  std::string env_file;  // --env: the dps.env file
  std::string dps_url;   // --dps-url: base URL; empty: https://{DPS_GLOBAL_ENDPOINT}
  std::string api_version = "2021-06-01";  // --api-version
  std::int64_t timeout_s = 120;            // --timeout-s: whole registration, as aziot's 120 s
  std::int64_t poll_interval_ms = 1000;    // --poll-interval-ms: when no retry-after is sent
  // mender
  std::string mender_url;    // --mender-url: base URL of the Mender server
  std::string key_file;      // --key: the device's private key (PEM)
  std::string mac;           // --mac: the identity attribute
  std::string tenant_token;  // --tenant-token
};

// "dps|mender [--flag value | --flag=value]..." or "--help". InvalidArgument naming the problem.
Result<Options> ParseArgs(const std::vector<std::string>& args);
std::string Usage();

// ---- DPS ----
// KEY=value lines; blank lines and '#' comments are skipped, a value in matching single or double
// quotes is unquoted. InvalidArgument for a line without '=' (with its number).
Result<std::map<std::string, std::string>> ParseEnvFile(std::string_view text);

struct DpsDevice {
  std::string registration_id;  // DPS_REGISTRATION_ID
  std::string symmetric_key;    // DPS_SYMMETRIC_KEY (base64)
  std::string id_scope;         // DPS_ID_SCOPE
  std::string global_endpoint;  // DPS_GLOBAL_ENDPOINT (a host name)
};
// All four keys are required; the key must be base64.
Result<DpsDevice> DpsDeviceFromEnv(const std::map<std::string, std::string>& env);

// base (no trailing '/') + "/{scope}/registrations/{id}/register?api-version=..." and the
// operation's URL.
std::string RegisterUrl(std::string_view base, const DpsDevice& d, std::string_view api_version);
std::string OperationUrl(std::string_view base, const DpsDevice& d, std::string_view operation_id,
                         std::string_view api_version);
// {"registrationId": "..."}
std::string RegisterBody(const DpsDevice& d);
// SharedAccessSignature for "{scope}/registrations/{id}", skn=registration, until expiry.
Result<std::string> DeviceSas(const DpsDevice& d, std::int64_t expiry_unix_seconds);

// A RegistrationOperationStatus answer.
struct OperationStatus {
  std::string operation_id;
  std::string status;  // assigning | assigned | failed | disabled | unassigned
  std::string registration_id;
  std::string assigned_hub;
  std::string device_id;
  std::string substatus;
  std::string error_message;
};
Result<OperationStatus> ParseOperationStatus(std::string_view body);

// The one JSON line printed on success:
// {"mode":"dps","status":"assigned","registrationId","assignedHub","deviceId","operationId"}.
std::string DpsResultLine(const OperationStatus& s);

// ---- Mender ----
// {"mac":"<mac>"}: what the stock identity script reports, as JSON.
std::string MenderIdentity(std::string_view mac);
// {"id_data":"<identity JSON as a string>","pubkey":"<PEM>","tenant_token":"..."}
std::string MenderAuthBody(std::string_view identity_json, std::string_view pubkey_pem,
                           std::string_view tenant_token);
// base64 of the body's signature with the device key (what X-MEN-Signature carries).
Result<std::string> MenderSignature(const crypto::PrivateKey& key, std::string_view body);
// The one JSON line printed for a Mender answer: {"mode":"mender","authorized":true,
// "http_status":200,"token":"<jwt>"} or {"mode":"mender","authorized":false,"http_status":N,
// "error":"<Mender's error text or the body>"}.
std::string MenderResultLine(int http_status, std::string_view body);

}  // namespace gps::cloudsim::edge
