#pragma once
// A key the device client keeps in its state directory until the gateway is provisioned: made
// once, read back after a reboot, mode 0600 in a 0700 directory. The transport key
// (transport_key_store.h) and the certificate key of CSR mode (certificate_key_store.h) are both
// kept this way; this file holds what they share, over the file's text.
//
// Stateless functions. Two processes creating the file at once end up with the same content (the
// loser of the race reads the winner's file). A file whose content does not parse is replaced by
// a fresh one: an unreadable key can never be used, a fresh one at least lets a retried approval
// work.

#include <functional>
#include <string>
#include <string_view>

#include "gps/core/result.h"

namespace gps::device_client {

enum class KeptKeyOrigin {
  kLoaded,          // the kept file was read
  kCreated,         // none existed; a new one was made and saved
  kReplacedCorrupt  // the file could not be read as a key; a new one replaced it
};

struct KeptKeyFile {
  KeptKeyFile() = default;
  KeptKeyFile(KeptKeyFile&&) = default;
  KeptKeyFile& operator=(KeptKeyFile&&) = default;
  KeptKeyFile(const KeptKeyFile&) = delete;
  KeptKeyFile& operator=(const KeptKeyFile&) = delete;
  ~KeptKeyFile();  // wipes content

  std::string content;  // the file's text: key material
  KeptKeyOrigin origin = KeptKeyOrigin::kLoaded;
  bool fixed_mode = false;  // the file was readable by others and has been chmod'ed to 0600
  std::string problem;      // why a corrupt file was replaced (no key material)
};

// Reads <state_dir>/<name> when `check` accepts its content, or writes the content `make` returns
// (a fresh key) and returns that. Creates state_dir (0700) when missing; a path that is not a
// regular file is an error.
Result<KeptKeyFile> LoadOrCreateKeptKeyFile(const std::string& state_dir, const std::string& name,
                                            const std::function<Status(std::string_view)>& check,
                                            const std::function<Result<std::string>()>& make);

}  // namespace gps::device_client
