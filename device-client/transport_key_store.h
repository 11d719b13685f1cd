#pragma once
// The device's X25519 transport key on disk: <state dir>/transport.key, mode 0600, holding the
// 32-byte private key as base64 (a raw 32-byte file is read too).
//
// The key is made once and kept until the gateway is provisioned, so a reboot while waiting for
// an operator still opens the bundle the engine sealed to it (the engine fails a saga whose
// device shows up with a different key mid-delivery). It is deleted once the credentials are on
// disk. Stateless functions; kept as kept_key_file.h says (races, corrupt files, modes).

#include <string>

#include "device-client/kept_key_file.h"
#include "gps/core/result.h"
#include "gps/crypto/seal.h"

namespace gps::device_client {

inline constexpr char kTransportKeyFile[] = "transport.key";

struct LoadedTransportKey {
  using Origin = KeptKeyOrigin;
  crypto::TransportKeyPair key;
  Origin origin = Origin::kLoaded;
  bool fixed_mode = false;  // the file was readable by others and has been chmod'ed to 0600
  std::string problem;      // why a corrupt file was replaced (no key material)
};

// Loads the kept key or makes and saves a new one. Creates state_dir (0700) when missing.
Result<LoadedTransportKey> LoadOrCreateTransportKey(const std::string& state_dir);

// Parses the file content: exactly 32 raw bytes, or base64 of 32 bytes with optional trailing
// whitespace.
Result<crypto::TransportKeyPair> ParseTransportKeyFile(std::string_view content);

// Deletes the kept key; a missing file is fine.
Status RemoveTransportKey(const std::string& state_dir);

}  // namespace gps::device_client
