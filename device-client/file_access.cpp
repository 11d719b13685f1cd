#include "device-client/file_access.h"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <cstdio>
#include <optional>
#include <vector>

#include "device-client/bundle_files.h"

namespace gps::device_client {

namespace {

// Digits only: an id given as a number needs no user database (e.g. an image without nss).
std::optional<unsigned long> Numeric(const std::string& text) {
  unsigned long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

constexpr std::size_t kNssBuffer = 16384;

}  // namespace

std::string FormatFileMode(mode_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned int>(mode & 07777));
  return text;
}

Result<mode_t> ParseFileMode(std::string_view text) {
  unsigned int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 8);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not an octal file mode");
  }
  if (v > 0777) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "': only permission bits (at most 0777) may be set");
  }
  return static_cast<mode_t>(v);
}

Status CheckSecretMode(mode_t mode) {
  if ((mode & 0007) != 0) {
    return Status::InvalidArgument("a secret file mode must give others no access (got " +
                                   FormatFileMode(mode) + ")");
  }
  return Status::Ok();
}

Result<uid_t> ResolveUser(const std::string& name) {
  if (name.empty()) {
    return kKeepOwner;
  }
  if (std::optional<unsigned long> id = Numeric(name)) {
    return static_cast<uid_t>(*id);
  }
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(kNssBuffer);
  int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return Status::NotFound("no user '" + name + "' on this system");
  }
  return found->pw_uid;
}

Result<gid_t> ResolveGroup(const std::string& name) {
  if (name.empty()) {
    return kKeepGroup;
  }
  if (std::optional<unsigned long> id = Numeric(name)) {
    return static_cast<gid_t>(*id);
  }
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buf(kNssBuffer);
  int rc = ::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return Status::NotFound("no group '" + name + "' on this system");
  }
  return found->gr_gid;
}

FileAccess EffectiveFileAccess(FileAccess access, bool is_root) {
  if (!is_root) {
    access.owner = kKeepOwner;
    access.group = kKeepGroup;
  }
  return access;
}

bool ChangesOwnership(const FileAccess& access) {
  return access.owner != kKeepOwner || access.group != kKeepGroup;
}

void ApplyFileAccess(const FileAccess& access, std::vector<FileSpec>* files) {
  for (FileSpec& f : *files) {
    f.mode = f.mode == kSecretMode ? access.secret_mode : access.public_mode;
    f.owner = access.owner;
    f.group = access.group;
  }
}

}  // namespace gps::device_client
