// The plaintext inside a credentials message: parsed, and, when it parses, sealed to the fixture
// device's transport key and opened and validated by the device client (PlanInstall) in both
// certificate modes, so the fuzzer works on the fields behind the decryption directly.

#include <cstddef>
#include <cstdint>

#include "device-client/bundle_files.h"
#include "fuzz/check.h"
#include "fuzz/fixture.h"
#include "gps/crypto/seal.h"
#include "gps/protocol/device_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gps;
  using namespace gps::protocol;
  std::string_view plaintext = fuzz::AsText(data, size);
  Result<CredentialBundle> b =
      fuzz::ParseAndCheckReencoding("bundle", plaintext, ParseBundle, EncodeBundle);
  if (!b.ok()) {
    // PlanInstall would refuse it at the same parse; sealing it first would only cost time.
    return 0;
  }
  CredentialsMessage m;
  m.device_id = std::string(fuzz::kDeviceId);
  m.bundle_id = b->bundle_id;
  Result<std::string> sealed = crypto::Seal(fuzz::TransportKey().public_raw(), plaintext,
                                            BundleContext(m.device_id, m.bundle_id));
  fuzz::Check(sealed.ok(), "bundle", "cannot seal: " + sealed.status().ToString());
  m.sealed = std::move(sealed).value();
  const std::string& key = fuzz::TransportKey().private_raw();
  const Instant now{1'700'000'000'000};
  (void)device_client::PlanInstall(m, fuzz::kDeviceId, key, now);
  (void)device_client::PlanInstall(m, fuzz::kDeviceId, key, now, &fuzz::CertificateKey());
  return 0;
}
