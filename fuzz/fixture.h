#pragma once
// The fixed test identity the fuzz targets and the seed generator share: a device id, its
// transport key and the certificate key it would keep in GPS_CLIENT_CERT_MODE=csr. The keys are
// published here on purpose: bundles the generator seals to them stay openable by every fuzz run,
// so the fuzzer reaches the validation behind the decryption. Never used outside fuzz/.
// Thread-safe (function-local statics); a key that cannot be rebuilt aborts with a message, as
// that is a broken build, not an input.

#include <string_view>

#include "gps/crypto/keys.h"
#include "gps/crypto/seal.h"

namespace gps::fuzz {

inline constexpr std::string_view kDeviceId =
    "4b1d6f0c2a9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e";

const crypto::TransportKeyPair& TransportKey();
const crypto::PrivateKey& CertificateKey();

}  // namespace gps::fuzz
