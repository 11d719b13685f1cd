#pragma once
// The gateway's Mender private key: the device's identity. Its SPKI gives the device id (the
// MQTT client id) and it signs the announce and the ack.
//
// Loaded from a PEM file (RSA >= 2048, ECDSA P-256 or Ed25519; PKCS#8 or traditional). With
// generate set (demo and simulator images only; a real gateway's key comes from mender-authd) a
// missing key is created as RSA 3072, PKCS#8 PEM, mode 0600, atomically and without clobbering
// a key another process created meanwhile. Stateless; thread-safe.

#include <string>

#include "gps/core/result.h"
#include "gps/crypto/keys.h"

namespace gps::device_client {

inline constexpr int kGeneratedRsaBits = 3072;
inline constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

struct DeviceKey {
  crypto::PrivateKey key;
  std::string device_id;    // lower-case hex SHA-256 of the DER SPKI
  std::string fingerprint;  // SHA256:<base64>
  std::string check_code;   // what an operator compares with the UI
  bool generated = false;   // this run created the key file
};

// NotFound when the file is missing and generate is false; InvalidArgument when it is not a
// supported private key.
Result<DeviceKey> LoadDeviceKey(const std::string& path, bool generate);

}  // namespace gps::device_client
