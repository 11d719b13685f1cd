// What the engine takes from a worker: the result message, then its data object through the
// parser of every step and action, as the saga reads it (step_results.h).

#include <cstddef>
#include <cstdint>

#include "fuzz/check.h"
#include "gps/protocol/job.h"
#include "gps/protocol/step_results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gps;
  using namespace gps::protocol;
  Result<JobResult> r = fuzz::ParseAndCheckReencoding("result", fuzz::AsText(data, size),
                                                      ParseJobResult, EncodeJobResult);
  if (!r.ok()) {
    return 0;
  }
  const std::string& d = r->data_json;
  (void)fuzz::ParseAndCheckReencoding("name check", d, ParseNameCheck, EncodeNameCheck);
  (void)fuzz::ParseAndCheckReencoding("mender", d, ParseMenderProvision, EncodeMenderProvision);
  (void)fuzz::ParseAndCheckReencoding("dps", d, ParseDpsProvision, EncodeDpsProvision);
  (void)fuzz::ParseAndCheckReencoding("vault", d, ParseVaultProvision, EncodeVaultProvision);
  (void)fuzz::ParseAndCheckReencoding("hub-manifest", d, ParseHubManifest, EncodeHubManifest);
  (void)IsWaitingForHubDevice(*r);
  return 0;
}
