#include "device-client/kept_key_file.h"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "device-client/file_writer.h"
#include "gps/config/config.h"

namespace gps::device_client {

namespace {

constexpr std::size_t kMaxKeyFileBytes = 16 * 1024;

// Wipes a string holding key material when the scope ends.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

Result<std::string> CreateAndSave(const std::string& state_dir, const std::string& name,
                                  const std::function<Result<std::string>()>& make, bool replace) {
  GPS_ASSIGN_OR_RETURN(std::string content, make());
  Wipe wipe{content};
  GPS_RETURN_IF_ERROR(WriteFileAtomic(state_dir, FileSpec{name, content, 0600}, replace));
  return std::string(content);
}

}  // namespace

KeptKeyFile::~KeptKeyFile() { OPENSSL_cleanse(content.data(), content.size()); }

Result<KeptKeyFile> LoadOrCreateKeptKeyFile(const std::string& state_dir, const std::string& name,
                                            const std::function<Status(std::string_view)>& check,
                                            const std::function<Result<std::string>()>& make) {
  GPS_RETURN_IF_ERROR(EnsureDirectory(state_dir, 0700));
  RemoveStaleTemporaries(state_dir);
  const std::string path = state_dir + "/" + name;
  KeptKeyFile out;

  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status::Unavailable("stat " + path + ": " + std::strerror(errno));
    }
    Result<std::string> created = CreateAndSave(state_dir, name, make, /*replace=*/false);
    if (created.ok()) {
      out.content = std::move(created).value();
      out.origin = KeptKeyOrigin::kCreated;
      return out;
    }
    if (!created.status().IsAlreadyExists()) {
      return created.status().WithContext(name);
    }
    // Another copy of the client made it in the meantime: use theirs.
    if (::lstat(path.c_str(), &st) != 0) {
      return Status::Unavailable("stat " + path + ": " + std::strerror(errno));
    }
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition(path + " is not a regular file");
  }

  Result<std::string> content = config::ReadFile(path, kMaxKeyFileBytes);
  if (content.ok()) {
    out.content = std::move(content).value();
    Status valid = check(out.content);
    if (valid.ok()) {
      if ((st.st_mode & 077) != 0) {
        if (::chmod(path.c_str(), 0600) != 0) {
          return Status::Unavailable("chmod " + path + ": " + std::strerror(errno));
        }
        out.fixed_mode = true;
      }
      return out;
    }
    out.problem = valid.message();
  } else if (content.status().IsInvalidArgument()) {
    out.problem = content.status().message();  // larger than any key file
  } else {
    return content.status().WithContext(name);
  }
  GPS_ASSIGN_OR_RETURN(std::string fresh, CreateAndSave(state_dir, name, make, /*replace=*/true));
  OPENSSL_cleanse(out.content.data(), out.content.size());
  out.content = std::move(fresh);
  out.origin = KeptKeyOrigin::kReplacedCorrupt;
  return out;
}

}  // namespace gps::device_client
