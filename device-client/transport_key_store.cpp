#include "device-client/transport_key_store.h"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "device-client/file_writer.h"
#include "gps/config/config.h"
#include "gps/crypto/encoding.h"

namespace gps::device_client {

namespace {

constexpr std::size_t kMaxKeyFileBytes = 4096;

// Wipes a string holding key material when the scope ends.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

Result<crypto::TransportKeyPair> CreateAndSave(const std::string& state_dir, bool replace) {
  GPS_ASSIGN_OR_RETURN(crypto::TransportKeyPair key, crypto::TransportKeyPair::Generate());
  FileSpec file{kTransportKeyFile, crypto::Base64Encode(key.private_raw()) + "\n", 0600};
  Wipe wipe{file.content};
  GPS_RETURN_IF_ERROR(WriteFileAtomic(state_dir, file, replace));
  return key;
}

}  // namespace

Result<crypto::TransportKeyPair> ParseTransportKeyFile(std::string_view content) {
  if (content.size() == crypto::kTransportKeySize) {
    return crypto::TransportKeyPair::FromPrivate(content);
  }
  std::string_view text = content;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  Result<std::string> raw = crypto::Base64Decode(text);
  if (!raw.ok() || raw->size() != crypto::kTransportKeySize) {
    if (raw.ok()) {
      OPENSSL_cleanse(raw->data(), raw->size());
    }
    return Status::InvalidArgument(
        "transport key file: expected 32 raw bytes or base64 of 32 bytes, got " +
        std::to_string(content.size()) + " bytes of something else");
  }
  Wipe wipe{*raw};
  return crypto::TransportKeyPair::FromPrivate(*raw);
}

Result<LoadedTransportKey> LoadOrCreateTransportKey(const std::string& state_dir) {
  GPS_RETURN_IF_ERROR(EnsureDirectory(state_dir, 0700));
  RemoveStaleTemporaries(state_dir);
  std::string path = state_dir + "/" + kTransportKeyFile;

  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status::Unavailable("stat " + path + ": " + std::strerror(errno));
    }
    Result<crypto::TransportKeyPair> created = CreateAndSave(state_dir, /*replace=*/false);
    if (created.ok()) {
      return LoadedTransportKey{std::move(created).value(), LoadedTransportKey::Origin::kCreated,
                                false, ""};
    }
    if (!created.status().IsAlreadyExists()) {
      return created.status().WithContext("transport key");
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
  std::string problem;
  if (content.ok()) {
    Wipe wipe{*content};
    Result<crypto::TransportKeyPair> parsed = ParseTransportKeyFile(*content);
    if (parsed.ok()) {
      bool fixed_mode = false;
      if ((st.st_mode & 077) != 0) {
        if (::chmod(path.c_str(), 0600) != 0) {
          return Status::Unavailable("chmod " + path + ": " + std::strerror(errno));
        }
        fixed_mode = true;
      }
      return LoadedTransportKey{std::move(parsed).value(), LoadedTransportKey::Origin::kLoaded,
                                fixed_mode, ""};
    }
    problem = parsed.status().message();
  } else if (content.status().IsInvalidArgument()) {
    problem = content.status().message();  // larger than any key file
  } else {
    return content.status().WithContext("transport key");
  }
  // An unreadable key can never open a bundle; a fresh one at least lets a retried approval work.
  GPS_ASSIGN_OR_RETURN(crypto::TransportKeyPair key, CreateAndSave(state_dir, /*replace=*/true));
  return LoadedTransportKey{std::move(key), LoadedTransportKey::Origin::kReplacedCorrupt, false,
                            problem};
}

Status RemoveTransportKey(const std::string& state_dir) {
  return RemoveFileDurably(state_dir, kTransportKeyFile);
}

}  // namespace gps::device_client
