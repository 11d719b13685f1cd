#pragma once
// From a credentials message to the files the gateway needs: open the sealed bundle with the
// transport key, open the two secrets sealed inside it, VALIDATE everything, and lay out the
// files (name, content, mode) in the order they must be written, the "provisioned" marker last.
// Nothing here touches the disk or the network; a bundle that fails any check produces an error
// and no files, so it can never be half-installed.
//
// Checks: the message, the bundle and the topic name this device; the bundle id matches the
// delivery; the name follows the naming rules and is the certificate's common name; the
// certificate carries the delivered private key, or, when the device sent a CSR, the device's
// own certificate key (and then the bundle must carry no key); the certificate chains through
// caChain (issuing CA first) to its last entry, which must be a self-signed root; the Mender device
// id and the DPS fields are present and safe to write as KEY=value lines. Thread-safe (pure apart
// from the crypto). The plan wipes its secret file contents when destroyed.

#include <string>
#include <string_view>
#include <vector>

#include "device-client/file_writer.h"
#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/device_messages.h"

namespace gps::device_client {

// The files of GPS_CLIENT_OUTPUT_DIR (documented in device-client/README.md).
inline constexpr char kNameFile[] = "device-name";
inline constexpr char kCertificateFile[] = "device.crt";
inline constexpr char kPrivateKeyFile[] = "device.key";
inline constexpr char kCaChainFile[] = "ca-chain.crt";
inline constexpr char kDpsEnvFile[] = "dps.env";
inline constexpr char kMarkerFile[] = "provisioned";

inline constexpr mode_t kPublicMode = 0644;
inline constexpr mode_t kSecretMode = 0600;

struct InstallPlan {
  InstallPlan() = default;
  InstallPlan(InstallPlan&&) = default;
  InstallPlan& operator=(InstallPlan&&) = default;
  InstallPlan(const InstallPlan&) = delete;
  InstallPlan& operator=(const InstallPlan&) = delete;
  ~InstallPlan();

  std::string bundle_id;
  std::string name;
  std::string certificate_serial;  // as the certificate itself states it
  std::string certificate_issuer;  // issuing CA's common name
  std::vector<FileSpec> files;     // write in this order; the marker is last
};

// REQUIRES: device_id is this device's id; transport_private_raw its 32-byte transport key;
// own_certificate_key the key this device sent a CSR for (GPS_CLIENT_CERT_MODE=csr), or null when
// Vault makes the key and the bundle brings it sealed.
Result<InstallPlan> PlanInstall(const protocol::CredentialsMessage& message,
                                std::string_view device_id, std::string_view transport_private_raw,
                                Instant now,
                                const crypto::PrivateKey* own_certificate_key = nullptr);

// True when value may be written as KEY=value in an env file that both systemd
// (EnvironmentFile=) and `sh` (`. dps.env`) read the same way: 1-256 characters of
// [A-Za-z0-9._:/+=@-].
bool IsEnvSafe(std::string_view value);

}  // namespace gps::device_client
