#pragma once
// DpsClient: the Azure IoT Hub Device Provisioning Service (service API) calls of the dps worker
// (/work/shared/reference/cloud-apis.md section 2): request builders with a fresh short-lived SAS
// token each, a sender, and parsers of the response bodies. It knows paths, headers and bodies; it
// decides nothing (409/412 and ownership are dps_step's business).
//
// Thread-safety: a const DpsClient may be used from several threads at once; each thread sends over
// its own keep-alive connection. The builders and parsers are pure.
// Lifetime: the Clock given to the constructor must outlive the client.

#include <cstdint>
#include <string>
#include <string_view>

#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/http/client.h"

namespace gps::worker::dps {

struct DpsSettings {
  std::string url;              // GPS_DPS_URL: API base, no trailing '/'; default https://<host>
  std::string host;             // GPS_DPS_HOST: the host name SAS tokens are signed for
  std::string policy_name;      // GPS_DPS_POLICY_NAME: shared access policy (skn)
  std::string policy_key;       // GPS_DPS_POLICY_KEY (secret): that policy's key, base64
  std::string id_scope;         // GPS_DPS_ID_SCOPE: handed to the device with its key
  std::string global_endpoint;  // GPS_DPS_GLOBAL_ENDPOINT: handed to the device
  std::string api_version;      // GPS_DPS_API_VERSION
  std::string iot_hub_host;     // GPS_DPS_IOT_HUB_HOST: the enrollment's hub; empty: DPS decides
  std::int64_t timeout_ms = 10000;  // GPS_HTTP_TIMEOUT_MS: one request, at most
  std::string ca_file;              // GPS_HTTP_CA_FILE: extra trust anchors for https
};

// Declares the settings above in a worker's table, with a check that validates them and fills in
// the URL's default. REQUIRES: s outlives table.Load().
void AddDpsSettings(config::Table& table, DpsSettings* s);
Status ValidateDpsSettings(DpsSettings* s);

// Service SAS tokens are made per request and live this long: long enough for any one request,
// short enough that a leaked header is soon worthless.
inline constexpr std::int64_t kSasLifetimeS = 3600;

// An enrollment's symmetric keys, base64 as DPS shows them.
struct SymmetricKeys {
  std::string primary;
  std::string secondary;
};
// Two fresh 64-byte keys from the OpenSSL CSPRNG (64 bytes is the most DPS accepts).
Result<SymmetricKeys> GenerateSymmetricKeys();
// DPS accepts base64 that decodes to 16..64 bytes.
Status ValidateSymmetricKey(std::string_view key_base64);

// What the worker enrolls for one gateway.
struct EnrollmentSpec {
  std::string registration_id;  // = the IoT Hub device id = the device name
  std::string gps_device_id;    // initialTwin.tags.gpsDeviceId: how a retry knows its enrollment
  SymmetricKeys keys;
};
std::string EnrollmentBody(const DpsSettings& s, const EnrollmentSpec& spec);

// Request builders; they sign a SAS token valid from now for kSasLifetimeS.
Result<http::Request> GetEnrollmentRequest(const DpsSettings& s, std::string_view registration_id,
                                           Instant now);
// A create: no If-Match, so an existing enrollment answers 409 instead of being overwritten.
Result<http::Request> PutEnrollmentRequest(const DpsSettings& s, const EnrollmentSpec& spec,
                                           Instant now);
Result<http::Request> AttestationMechanismRequest(const DpsSettings& s,
                                                  std::string_view registration_id, Instant now);
// A delete conditional on the enrollment still having etag (If-Match, quoted as DPS requires), so
// an enrollment changed since it was judged ours is not removed; etag empty: unconditional.
Result<http::Request> DeleteEnrollmentRequest(const DpsSettings& s,
                                              std::string_view registration_id,
                                              std::string_view etag, Instant now);
// The If-Match value of an etag: wrapped in double quotes unless it already is (as the Azure SDKs
// do; DPS compares quoted etags).
std::string QuotedEtag(std::string_view etag);

// The parts of an IndividualEnrollment the worker needs.
struct Enrollment {
  std::string registration_id;
  std::string gps_device_id;  // initialTwin.tags.gpsDeviceId; empty when absent or not a string
  std::string etag;           // as DPS wrote it (unquoted); empty when absent
};
Result<Enrollment> ParseEnrollment(std::string_view body);
// An AttestationMechanism of type symmetricKey, with both keys valid.
Result<SymmetricKeys> ParseAttestationMechanism(std::string_view body);

class DpsClient {
 public:
  DpsClient(DpsSettings settings, const Clock& clock);

  const DpsSettings& settings() const { return settings_; }
  Instant Now() const { return clock_.Now(); }

  // Each call sends one request, bounded by the settings' timeout and by the job's deadline
  // (DeadlineExceeded without sending when the deadline has passed), and returns the response
  // whatever its status.
  Result<http::Response> GetEnrollment(std::string_view registration_id, Instant deadline) const;
  Result<http::Response> PutEnrollment(const EnrollmentSpec& spec, Instant deadline) const;
  Result<http::Response> GetAttestationMechanism(std::string_view registration_id,
                                                 Instant deadline) const;
  Result<http::Response> DeleteEnrollment(std::string_view registration_id, std::string_view etag,
                                          Instant deadline) const;

 private:
  Result<http::Response> Send(Result<http::Request> request, Instant deadline) const;

  DpsSettings settings_;
  const Clock& clock_;
};

}  // namespace gps::worker::dps
