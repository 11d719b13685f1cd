#include "gps/crypto/sign.h"

#include <openssl/err.h>

#include "gps/crypto/openssl_handles.h"

namespace gps::crypto {

namespace {

const EVP_MD* DigestFor(KeyType type) {
  // Ed25519 signs the message itself; the others sign its SHA-256.
  return type == KeyType::kEd25519 ? nullptr : EVP_sha256();
}

}  // namespace

Result<std::string> Sign(const PrivateKey& key, std::string_view message) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, DigestFor(key.type()), nullptr, key.get()) != 1) {
    return OpenSslError("sign: init");
  }
  std::size_t len = 0;
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1) {
    return OpenSslError("sign: size");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                     message.size()) != 1) {
    return OpenSslError("sign");
  }
  sig.resize(len);
  return sig;
}

Status Verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, DigestFor(key.type()), nullptr, key.get()) != 1) {
    return OpenSslError("verify: init");
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();  // a bad signature leaves decoding errors queued; they are not ours to report
  if (rc != 1) {
    return Status::PermissionDenied("signature does not verify with the " +
                                    std::string(KeyTypeName(key.type())) + " key");
  }
  return Status::Ok();
}

}  // namespace gps::crypto
