#include "gps/crypto/seal.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "gps/crypto/digest.h"
#include "gps/crypto/openssl_handles.h"

namespace gps::crypto {

namespace {

constexpr unsigned char kVersion = 0x01;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kHeaderSize = 1 + kTransportKeySize + kNonceSize;
constexpr char kHkdfInfo[] = "gps/v1 seal";

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<std::string> PublicFromPrivate(std::string_view private_raw) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, Bytes(private_raw),
                                           private_raw.size()));
  if (!key) {
    return OpenSslError("transport key: bad private key", Status::Code::kInvalidArgument);
  }
  std::string pub(kTransportKeySize, '\0');
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) !=
      1) {
    return OpenSslError("transport key: public half");
  }
  return pub;
}

Result<std::string> SharedSecret(std::string_view private_raw, std::string_view peer_public_raw) {
  if (peer_public_raw.size() != kTransportKeySize) {
    return Status::InvalidArgument("transport key: public key must be 32 bytes, got " +
                                   std::to_string(peer_public_raw.size()));
  }
  PkeyPtr priv(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, Bytes(private_raw),
                                            private_raw.size()));
  PkeyPtr peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, Bytes(peer_public_raw),
                                           peer_public_raw.size()));
  if (!priv || !peer) {
    return OpenSslError("x25519: load keys", Status::Code::kInvalidArgument);
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(priv.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return OpenSslError("x25519: derive", Status::Code::kInvalidArgument);
  }
  std::string secret(len, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &len) != 1) {
    // All-zero output (a small-order peer key) is refused by OpenSSL here.
    return OpenSslError("x25519: derive", Status::Code::kInvalidArgument);
  }
  secret.resize(len);
  return secret;
}

Result<std::string> Hkdf(std::string_view ikm, std::string_view salt) {
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) {
    return OpenSslError("hkdf: fetch");
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(kHkdfInfo),
                                        sizeof(kHkdfInfo) - 1),
      OSSL_PARAM_construct_end(),
  };
  std::string key(32, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(key.data()), key.size(), params) !=
      1) {
    return OpenSslError("hkdf: derive");
  }
  return key;
}

// Wipes a secret string when the scope ends.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

Result<TransportKeyPair> TransportKeyPair::Generate() {
  GPS_ASSIGN_OR_RETURN(std::string priv, RandomBytes(kTransportKeySize));
  return FromPrivate(priv);
}

Result<TransportKeyPair> TransportKeyPair::FromPrivate(std::string_view private_raw) {
  if (private_raw.size() != kTransportKeySize) {
    return Status::InvalidArgument("transport key: private key must be 32 bytes");
  }
  GPS_ASSIGN_OR_RETURN(std::string pub, PublicFromPrivate(private_raw));
  return TransportKeyPair(std::string(private_raw), std::move(pub));
}

TransportKeyPair::~TransportKeyPair() { OPENSSL_cleanse(private_raw_.data(), private_raw_.size()); }

Result<std::string> Seal(std::string_view recipient_public_raw, std::string_view plaintext,
                         std::string_view context) {
  GPS_ASSIGN_OR_RETURN(TransportKeyPair ephemeral, TransportKeyPair::Generate());
  GPS_ASSIGN_OR_RETURN(std::string shared,
                       SharedSecret(ephemeral.private_raw(), recipient_public_raw));
  Wipe wipe_shared{shared};
  std::string salt = ephemeral.public_raw() + std::string(recipient_public_raw);
  GPS_ASSIGN_OR_RETURN(std::string key, Hkdf(shared, salt));
  Wipe wipe_key{key};
  GPS_ASSIGN_OR_RETURN(std::string nonce, RandomBytes(kNonceSize));

  std::string out;
  out.reserve(kHeaderSize + plaintext.size() + kTagSize);
  out += static_cast<char>(kVersion);
  out += ephemeral.public_raw();
  out += nonce;

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), Bytes(key), Bytes(nonce), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(context),
                        static_cast<int>(context.size())) != 1) {
    return OpenSslError("seal: init");
  }
  std::string ct(plaintext.size() + kTagSize, '\0');
  auto* ct_bytes = reinterpret_cast<unsigned char*>(ct.data());
  if (EVP_EncryptUpdate(ctx.get(), ct_bytes, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return OpenSslError("seal: encrypt");
  }
  int total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), ct_bytes + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          ct_bytes + total + len) != 1) {
    return OpenSslError("seal: finish");
  }
  total += len;
  ct.resize(static_cast<std::size_t>(total) + kTagSize);
  out += ct;
  return out;
}

Result<std::string> Open(std::string_view recipient_private_raw, std::string_view sealed,
                         std::string_view context) {
  if (sealed.size() < kHeaderSize + kTagSize) {
    return Status::InvalidArgument("sealed data: too short");
  }
  if (static_cast<unsigned char>(sealed[0]) != kVersion) {
    // Only version 1 exists, so another first byte is an altered blob (seal.h: PermissionDenied).
    return Status::PermissionDenied("sealed data: unknown version " +
                                    std::to_string(static_cast<unsigned char>(sealed[0])));
  }
  std::string_view epk = sealed.substr(1, kTransportKeySize);
  std::string_view nonce = sealed.substr(1 + kTransportKeySize, kNonceSize);
  std::string_view ct = sealed.substr(kHeaderSize, sealed.size() - kHeaderSize - kTagSize);
  std::string_view tag = sealed.substr(sealed.size() - kTagSize);

  GPS_ASSIGN_OR_RETURN(std::string own_public, PublicFromPrivate(recipient_private_raw));
  GPS_ASSIGN_OR_RETURN(std::string shared, SharedSecret(recipient_private_raw, epk));
  Wipe wipe_shared{shared};
  GPS_ASSIGN_OR_RETURN(std::string key, Hkdf(shared, std::string(epk) + own_public));
  Wipe wipe_key{key};

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), Bytes(key), Bytes(nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(context),
                        static_cast<int>(context.size())) != 1) {
    return OpenSslError("open: init");
  }
  std::string plain(ct.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  if (EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(ct), static_cast<int>(ct.size())) != 1) {
    return OpenSslError("open: decrypt");
  }
  int total = len;
  std::string tag_copy(tag);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag_copy.data()) != 1) {
    return OpenSslError("open: tag");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out + total, &len) != 1) {
    ERR_clear_error();
    OPENSSL_cleanse(plain.data(), plain.size());
    return Status::PermissionDenied(
        "sealed data does not authenticate (altered, wrong key or wrong context)");
  }
  total += len;
  plain.resize(static_cast<std::size_t>(total));
  return plain;
}

}  // namespace gps::crypto
