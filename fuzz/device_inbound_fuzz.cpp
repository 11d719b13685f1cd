// What the device client takes from the engine on its own topic: a status, or a credentials
// message whose bundle it opens and validates (PlanInstall) in both certificate modes, as the
// fixture device. Random bytes never decrypt; the seeds carry bundles sealed to the fixture's
// transport key, so mutations of the message around them still reach the validation.

#include <cstddef>
#include <cstdint>

#include "device-client/bundle_files.h"
#include "fuzz/check.h"
#include "fuzz/fixture.h"
#include "gps/protocol/device_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gps;
  using namespace gps::protocol;
  std::string_view input = fuzz::AsText(data, size);
  (void)fuzz::ParseAndCheckReencoding("status", input, ParseStatus, EncodeStatus);
  Result<CredentialsMessage> m =
      fuzz::ParseAndCheckReencoding("credentials", input, ParseCredentials, EncodeCredentials);
  if (!m.ok()) {
    return 0;
  }
  const std::string& key = fuzz::TransportKey().private_raw();
  const Instant now{1'700'000'000'000};
  (void)device_client::PlanInstall(*m, fuzz::kDeviceId, key, now);
  (void)device_client::PlanInstall(*m, fuzz::kDeviceId, key, now, &fuzz::CertificateKey());
  return 0;
}
