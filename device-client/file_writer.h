#pragma once
// Crash-safe file writes for the device client: each file is written to a temporary file in the
// same directory, fsync'ed, renamed over the target and the directory fsync'ed, so after a crash
// or power loss the target holds either its old or its new content, never a mix. Modes are set
// with fchmod, so the process umask does not widen or narrow them.
//
// WriteFilesInOrder() makes each file durable before it starts the next one: the last file of the
// list (the "provisioned" marker) only exists on disk once every earlier file does.
//
// A FaultHook lets tests stop a write at a chosen stage, as a crash would (leveldb's
// fault_injection_test does the same through its Env). Production code passes none.
// Thread-safety: the functions share no state; two writers of the same target race as rename(2)
// does (the last rename wins, each content is whole).

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"

namespace gps::device_client {

struct FileSpec {
  std::string name;     // a plain file name inside the target directory, no '/'
  std::string content;  // written verbatim
  mode_t mode = 0644;   // permission bits of the final file
  // Given to the temporary file before the rename, so the target never appears with the wrong
  // owner. (uid_t)-1 / (gid_t)-1 keep the process's own (fchown's convention).
  uid_t owner = static_cast<uid_t>(-1);
  gid_t group = static_cast<gid_t>(-1);
};

enum class WriteStage {
  kTempWritten,  // the temporary file is complete and fsync'ed, the target not yet replaced
  kRenamed,      // the target has been replaced and the directory fsync'ed
};
// Returning a non-ok Status aborts the write at that stage with that Status.
using FaultHook = std::function<Status(WriteStage stage, std::string_view name)>;

// Creates path with mode, and its missing parents with 0755 (so a private state directory does
// not make its shared parent private too). An existing directory is kept as it is.
Status EnsureDirectory(const std::string& path, mode_t mode);

// Writes one file atomically into dir. With replace false an existing target is left alone and
// AlreadyExists is returned (link(2) instead of rename(2)), so two creators cannot clobber each
// other. The temporary file is removed on every failure.
Status WriteFileAtomic(const std::string& dir, const FileSpec& file, bool replace = true,
                       const FaultHook& hook = {});

// Writes the files one after the other, each durable before the next begins, stopping at the
// first failure.
Status WriteFilesInOrder(const std::string& dir, const std::vector<FileSpec>& files,
                         const FaultHook& hook = {});

// Removes dir/name and fsyncs dir; a missing file is not an error.
Status RemoveFileDurably(const std::string& dir, const std::string& name);

// Removes temporary files a crashed write left in dir; returns how many it removed.
int RemoveStaleTemporaries(const std::string& dir);

// The prefix of this module's temporary files (".gps-tmp-<name>-XXXXXX").
inline constexpr std::string_view kTempPrefix = ".gps-tmp-";

}  // namespace gps::device_client
