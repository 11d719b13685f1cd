#include "gps/crypto/openssl_handles.h"

#include <openssl/err.h>

namespace gps::crypto {

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) {
    return "";
  }
  return std::string(data, static_cast<std::size_t>(len));
}

Status OpenSslError(std::string_view what, Status::Code code) {
  unsigned long err = ERR_get_error();
  std::string detail = "unknown OpenSSL error";
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    detail = buf;
  }
  ERR_clear_error();
  std::string msg = std::string(what) + ": " + detail;
  switch (code) {
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(msg);
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(msg);
    default:
      return Status::Internal(msg);
  }
}

}  // namespace gps::crypto
