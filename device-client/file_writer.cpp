#include "device-client/file_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace gps::device_client {

namespace {

constexpr mode_t kParentMode = 0755;

Status Errno(std::string_view what, const std::string& path, int err) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(err));
}

Status CheckName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos || name.size() > 200) {
    return Status::InvalidArgument("file name '" + std::string(name.substr(0, 64)) +
                                   "' is not a plain file name");
  }
  return Status::Ok();
}

// Closes a descriptor on scope exit unless released.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error close(2) gives (NFS and friends report write errors here).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Errno("write", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    return Errno("open directory", dir, errno);
  }
  if (::fsync(fd.get()) != 0) {
    return Errno("fsync directory", dir, errno);
  }
  return Status::Ok();
}

// Writes the temporary file completely and durably; returns its path.
Result<std::string> WriteTemporary(const std::string& dir, const FileSpec& file) {
  std::string tmpl = dir + "/" + std::string(kTempPrefix) + file.name + "-XXXXXX";
  std::unique_ptr<char[]> buf(new char[tmpl.size() + 1]);
  std::memcpy(buf.get(), tmpl.c_str(), tmpl.size() + 1);
  // mkostemp creates the file 0600, so a secret is never readable by others, not even briefly.
  Fd fd(::mkostemp(buf.get(), O_CLOEXEC));
  if (fd.get() < 0) {
    return Errno("create temporary file in", dir, errno);
  }
  std::string tmp_path(buf.get());
  Status st = WriteAll(fd.get(), file.content, tmp_path);
  const bool chown_needed =
      file.owner != static_cast<uid_t>(-1) || file.group != static_cast<gid_t>(-1);
  // Before the chmod: fchown may clear mode bits.
  if (st.ok() && chown_needed && ::fchown(fd.get(), file.owner, file.group) != 0) {
    st = Errno("chown", tmp_path, errno);
  }
  if (st.ok() && ::fchmod(fd.get(), file.mode) != 0) {
    st = Errno("chmod", tmp_path, errno);
  }
  if (st.ok() && ::fsync(fd.get()) != 0) {
    st = Errno("fsync", tmp_path, errno);
  }
  if (st.ok() && fd.Close() != 0) {
    st = Errno("close", tmp_path, errno);
  }
  if (!st.ok()) {
    ::unlink(tmp_path.c_str());
    return st;
  }
  return tmp_path;
}

}  // namespace

Status EnsureDirectory(const std::string& path, mode_t mode) {
  if (path.empty()) {
    return Status::InvalidArgument("directory path is empty");
  }
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (prefix.empty()) {
      continue;
    }
    mode_t wanted = pos == std::string::npos ? mode : kParentMode;
    if (::mkdir(prefix.c_str(), wanted) == 0) {
      // mkdir applies the umask; the mode asked for is the one wanted.
      if (::chmod(prefix.c_str(), wanted) != 0) {
        return Errno("chmod", prefix, errno);
      }
      continue;
    }
    if (errno != EEXIST) {
      return Errno("create directory", prefix, errno);
    }
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0) {
      return Errno("stat", prefix, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::FailedPrecondition(prefix + " exists and is not a directory");
    }
  }
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& dir, const FileSpec& file, bool replace,
                       const FaultHook& hook) {
  GPS_RETURN_IF_ERROR(CheckName(file.name));
  GPS_ASSIGN_OR_RETURN(std::string tmp_path, WriteTemporary(dir, file));
  std::string target = dir + "/" + file.name;
  auto fail = [&](Status st) {
    ::unlink(tmp_path.c_str());
    return st;
  };
  if (hook) {
    Status st = hook(WriteStage::kTempWritten, file.name);
    if (!st.ok()) {
      return fail(st);
    }
  }
  if (replace) {
    if (::rename(tmp_path.c_str(), target.c_str()) != 0) {
      return fail(Errno("rename over", target, errno));
    }
  } else {
    if (::link(tmp_path.c_str(), target.c_str()) != 0) {
      int err = errno;
      if (err == EEXIST) {
        return fail(Status::AlreadyExists(target + " already exists"));
      }
      return fail(Errno("link", target, err));
    }
    ::unlink(tmp_path.c_str());
  }
  GPS_RETURN_IF_ERROR(SyncDirectory(dir));
  if (hook) {
    GPS_RETURN_IF_ERROR(hook(WriteStage::kRenamed, file.name));
  }
  return Status::Ok();
}

Status WriteFilesInOrder(const std::string& dir, const std::vector<FileSpec>& files,
                         const FaultHook& hook) {
  for (const FileSpec& f : files) {
    GPS_RETURN_IF_ERROR(WriteFileAtomic(dir, f, /*replace=*/true, hook));
  }
  return Status::Ok();
}

Status RemoveFileDurably(const std::string& dir, const std::string& name) {
  GPS_RETURN_IF_ERROR(CheckName(name));
  std::string path = dir + "/" + name;
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) {
      return Status::Ok();
    }
    return Errno("remove", path, errno);
  }
  return SyncDirectory(dir);
}

int RemoveStaleTemporaries(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) {
    return 0;
  }
  int removed = 0;
  while (struct dirent* e = ::readdir(d.get())) {
    std::string_view name(e->d_name);
    if (name.substr(0, kTempPrefix.size()) == kTempPrefix) {
      if (::unlink((dir + "/" + std::string(name)).c_str()) == 0) {
        ++removed;
      }
    }
  }
  if (removed > 0) {
    // Best effort: a failed directory sync only means the clean-up may be redone next time.
    (void)SyncDirectory(dir);
  }
  return removed;
}

}  // namespace gps::device_client
