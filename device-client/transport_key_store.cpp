#include "device-client/transport_key_store.h"

#include <openssl/crypto.h>

#include "device-client/file_writer.h"
#include "gps/crypto/encoding.h"

namespace gps::device_client {

namespace {

// Wipes a string holding key material when the scope ends.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

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
  GPS_ASSIGN_OR_RETURN(
      KeptKeyFile file,
      LoadOrCreateKeptKeyFile(
          state_dir, kTransportKeyFile,
          [](std::string_view content) { return ParseTransportKeyFile(content).status(); },
          []() -> Result<std::string> {
            GPS_ASSIGN_OR_RETURN(crypto::TransportKeyPair key,
                                 crypto::TransportKeyPair::Generate());
            return crypto::Base64Encode(key.private_raw()) + "\n";
          }));
  GPS_ASSIGN_OR_RETURN(crypto::TransportKeyPair key, ParseTransportKeyFile(file.content));
  return LoadedTransportKey{std::move(key), file.origin, file.fixed_mode, file.problem};
}

Status RemoveTransportKey(const std::string& state_dir) {
  return RemoveFileDurably(state_dir, kTransportKeyFile);
}

}  // namespace gps::device_client
