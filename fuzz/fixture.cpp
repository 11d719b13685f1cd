#include "fuzz/fixture.h"

#include "fuzz/check.h"
#include "gps/crypto/encoding.h"

namespace gps::fuzz {

namespace {

constexpr std::string_view kTransportPrivateHex =
    "49f73b2d5a1d196b1540c2f380bafd42ee8177aadf9993aac3de1e49dd7ca940";

constexpr std::string_view kCertificateKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8VKrqb5+0awseNgr\n"
    "B2rlaOJSYFp6OM6hAgPkwn8yrnShRANCAAQ8DNG25ChZqpFyO/FqM7NehkTN+Bnb\n"
    "Z84iSySGxzBCuTqOTRFkX6wVuvzeONjr9rTByS4k4ukrhvz+A3gEYT95\n"
    "-----END PRIVATE KEY-----\n";

}  // namespace

const crypto::TransportKeyPair& TransportKey() {
  static const crypto::TransportKeyPair key =
      Must(crypto::TransportKeyPair::FromPrivate(
               Must(crypto::HexDecode(kTransportPrivateHex), "fixture transport key hex")),
           "fixture transport key");
  return key;
}

const crypto::PrivateKey& CertificateKey() {
  static const crypto::PrivateKey key =
      Must(crypto::PrivateKey::FromPem(kCertificateKeyPem), "fixture certificate key");
  return key;
}

}  // namespace gps::fuzz
