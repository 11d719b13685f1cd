// What a worker takes from the engine: the job message, and the job id it also gets as MQTT
// correlation data (the engine parses that one back from every result).

#include <cstddef>
#include <cstdint>

#include "fuzz/check.h"
#include "gps/protocol/job.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gps;
  std::string_view input = fuzz::AsText(data, size);
  (void)fuzz::ParseAndCheckReencoding("job", input, protocol::ParseJob, protocol::EncodeJob);
  (void)fuzz::ParseAndCheckReencoding("job id", input, protocol::ParseJobId, protocol::FormatJobId);
  return 0;
}
