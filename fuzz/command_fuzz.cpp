// What the engine takes from gps-ui: an operator command (its kind comes from the topic, so the
// payload goes through every kind), and what gps-ui takes back: the reply.

#include <cstddef>
#include <cstdint>

#include "fuzz/check.h"
#include "gps/protocol/command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gps;
  using namespace gps::protocol;
  std::string_view input = fuzz::AsText(data, size);
  for (CommandKind kind : {CommandKind::kApprove, CommandKind::kDismiss, CommandKind::kRetry,
                           CommandKind::kRunNow, CommandKind::kRevoke}) {
    (void)fuzz::ParseAndCheckReencoding(
        CommandName(kind), input, [kind](std::string_view p) { return ParseCommand(kind, p); },
        EncodeCommand);
  }
  (void)fuzz::ParseAndCheckReencoding("reply", input, ParseReply, EncodeReply);
  (void)fuzz::ParseAndCheckReencoding("command name", input, ParseCommandName,
                                      [](CommandKind k) { return std::string(CommandName(k)); });
  return 0;
}
