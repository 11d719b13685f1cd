#include "gps/redis/script.h"

#include <openssl/evp.h>

#include "gps/crypto/encoding.h"

namespace gps::redis {

namespace {

std::string Sha1Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha1(), nullptr);
  return crypto::HexEncode(std::string_view(reinterpret_cast<char*>(out), len));
}

}  // namespace

Script::Script(std::string name, std::string_view source)
    : name_(std::move(name)), source_(source), sha_(Sha1Hex(source)) {}

Status Script::Load(Connection& conn) const {
  GPS_ASSIGN_OR_RETURN(Reply r, conn.Command({"SCRIPT", "LOAD", source_}));
  if (r.IsError()) {
    return Status::Internal("redis: load script " + name_ + ": " + r.error());
  }
  GPS_ASSIGN_OR_RETURN(std::string sha, r.AsString());
  if (sha != sha_) {
    return Status::Internal("redis: script " + name_ + " loaded under an unexpected SHA");
  }
  return Status::Ok();
}

Result<Reply> Script::Run(Connection& conn, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args) const {
  std::vector<std::string> cmd = {"EVALSHA", sha_, std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  for (int round = 0; round < 2; ++round) {
    GPS_ASSIGN_OR_RETURN(Reply r, conn.Command(cmd));
    if (r.IsError() && r.error().rfind("NOSCRIPT", 0) == 0 && round == 0) {
      GPS_RETURN_IF_ERROR(Load(conn));
      continue;
    }
    if (r.IsError()) {
      return Status::Unavailable("redis script " + name_ + ": " + r.error());
    }
    return r;
  }
  return Status::Internal("redis script " + name_ + ": NOSCRIPT after reload");
}

}  // namespace gps::redis
