#pragma once
// Messages between the engine and one device, besides the announce (docs/protocol.md):
//   credentials  engine -> device  gps/v1/devices/{id}/credentials  the sealed bundle
//   status       engine -> device  gps/v1/devices/{id}/status       retained, the device's state
//   ack          device -> engine  gps/v1/devices/{id}/ack          signed: files written
// and the credential bundle itself, the plaintext inside the credentials message.
// Pure apart from the crypto; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"

namespace gps::protocol {

// What the device needs, sealed as one blob to its transport key. The two secrets inside are
// themselves sealed by the workers that made them (step_results.h).
struct CredentialBundle {
  std::string device_id;
  std::string bundle_id;
  std::string name;
  std::string mender_device_id;
  std::string dps_registration_id;
  std::string dps_id_scope;
  std::string dps_global_endpoint;
  std::string dps_sealed_symmetric_key;  // raw sealed blob
  std::string certificate_pem;
  std::vector<std::string> ca_chain_pem;
  std::string certificate_serial;
  std::string sealed_private_key;  // raw sealed blob; empty when the device made a CSR
};
std::string EncodeBundle(const CredentialBundle& b);
Result<CredentialBundle> ParseBundle(std::string_view plaintext);

// "gps/v1 bundle <device id> <bundle id>": binds the sealed bundle to its device and delivery.
std::string BundleContext(std::string_view device_id, std::string_view bundle_id);

struct CredentialsMessage {
  std::string device_id;
  std::string bundle_id;
  std::string sealed;  // raw sealed bundle
};
std::string EncodeCredentials(const CredentialsMessage& m);
Result<CredentialsMessage> ParseCredentials(std::string_view payload);

// A device's state as the REST API and the status topic name it, in the order the API documents.
inline constexpr std::string_view kDeviceStates[] = {
    "pending", "provisioning", "provisioned", "failed", "dismissed", "revoking", "revoked"};

struct StatusMessage {
  std::string device_id;
  std::string state;    // pending | provisioning | provisioned | failed | dismissed
  std::string message;  // for a person: why it failed, or what is happening
  std::int64_t ts_ms = 0;
};
std::string EncodeStatus(const StatusMessage& m);
Result<StatusMessage> ParseStatus(std::string_view payload);

struct Ack {
  std::string device_id;
  std::string bundle_id;
  std::int64_t ts_ms = 0;
  std::string signature;  // raw, by the device's Mender key over AckSigningString()
};
// "gps/v1 ack\n<device id>\n<bundle id>\n<ts>"
std::string AckSigningString(const Ack& a);
std::string EncodeAck(const Ack& a);
Result<Ack> ParseAck(std::string_view payload);
Status SignAck(const crypto::PrivateKey& key, Ack* a);
// Checks topic, device id and the signature against the device's known key.
Status VerifyAck(const Ack& a, std::string_view topic_device_id, std::string_view pubkey_pem);

}  // namespace gps::protocol
