#pragma once
// Who owns the credential files and with which modes (GPS_CLIENT_FILE_OWNER, _FILE_GROUP,
// _FILE_MODE, _SECRET_FILE_MODE). The bundle names each file public (certificate, chain, name,
// marker) or secret (private key, DPS key); the image decides what those two classes mean, e.g.
// a secret group-readable by the aziot group.
// Parsing and applying are pure; ResolveUser/ResolveGroup read the user database.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "device-client/file_writer.h"
#include "gps/core/result.h"

namespace gps::device_client {

inline constexpr uid_t kKeepOwner = static_cast<uid_t>(-1);
inline constexpr gid_t kKeepGroup = static_cast<gid_t>(-1);

struct FileAccess {
  mode_t public_mode = 0644;
  mode_t secret_mode = 0600;
  uid_t owner = kKeepOwner;  // kKeepOwner: the process's own
  gid_t group = kKeepGroup;
};

// An octal mode of at most 0777 ("0640", "640"); setuid, setgid and sticky bits are refused.
Result<mode_t> ParseFileMode(std::string_view text);
std::string FormatFileMode(mode_t mode);  // "0640"
// A secret mode must not give others any access: a private key readable by every account is a
// leak, not a setting.
Status CheckSecretMode(mode_t mode);

// "" -> kKeepOwner; a number -> that uid; else a user name looked up in the user database.
Result<uid_t> ResolveUser(const std::string& name);
Result<gid_t> ResolveGroup(const std::string& name);

// Only root may give a file away; others keep their own files (and the caller says so in the
// log) instead of failing every write with EPERM.
FileAccess EffectiveFileAccess(FileAccess access, bool is_root);
bool ChangesOwnership(const FileAccess& access);

// Maps each file's class (its mode is kPublicMode or kSecretMode, bundle_files.h) to the
// configured mode, and sets the owner and group.
void ApplyFileAccess(const FileAccess& access, std::vector<FileSpec>* files);

}  // namespace gps::device_client
