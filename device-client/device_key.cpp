#include "device-client/device_key.h"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "device-client/file_writer.h"
#include "gps/config/config.h"

namespace gps::device_client {

namespace {

struct SplitPath {
  std::string dir;
  std::string name;
};

SplitPath Split(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return {".", path};
  }
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Result<DeviceKey> Describe(crypto::PrivateKey key, bool generated) {
  GPS_ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  DeviceKey out{std::move(key), crypto::DeviceIdFromSpki(pub.spki_der()),
                crypto::FingerprintFromSpki(pub.spki_der()),
                crypto::CheckCodeFromSpki(pub.spki_der()), generated};
  return out;
}

Result<DeviceKey> Read(const std::string& path) {
  Result<std::string> pem = config::ReadFile(path, kMaxKeyFileBytes);
  if (!pem.ok()) {
    return pem.status().WithContext("device key");
  }
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(*pem);
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key.ok()) {
    return key.status().WithContext("device key " + path);
  }
  return Describe(std::move(key).value(), false);
}

}  // namespace

Result<DeviceKey> LoadDeviceKey(const std::string& path, bool generate) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 || errno != ENOENT || !generate) {
    return Read(path);
  }
  SplitPath where = Split(path);
  GPS_RETURN_IF_ERROR(EnsureDirectory(where.dir, 0700));
  GPS_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::GenerateRsa(kGeneratedRsaBits));
  GPS_ASSIGN_OR_RETURN(std::string pem, key.ToPkcs8Pem());
  FileSpec file{where.name, std::move(pem), 0600};
  Status written = WriteFileAtomic(where.dir, file, /*replace=*/false);
  OPENSSL_cleanse(file.content.data(), file.content.size());
  if (written.IsAlreadyExists()) {
    // Someone else created it first; theirs is the identity now.
    return Read(path);
  }
  GPS_RETURN_IF_ERROR(written.WithContext("device key"));
  return Describe(std::move(key), true);
}

}  // namespace gps::device_client
