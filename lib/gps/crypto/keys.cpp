#include "gps/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/openssl_handles.h"

namespace gps::crypto {

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kRsa:
      return "rsa";
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEd25519:
      return "ed25519";
  }
  return "unknown";
}

void PublicKey::Free::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
void PrivateKey::Free::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

PublicKey::PublicKey(EVP_PKEY* pkey, KeyType type, std::string der)
    : pkey_(pkey), type_(type), spki_der_(std::move(der)) {}

Result<KeyType> ClassifyKey(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits < 2048) {
      return Status::InvalidArgument("RSA key of " + std::to_string(bits) +
                                     " bits is too short (minimum 2048)");
    }
    return KeyType::kRsa;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {0};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len) != 1) {
      return OpenSslError("EC key: group name", Status::Code::kInvalidArgument);
    }
    if (std::string_view(group) != "prime256v1") {
      return Status::InvalidArgument("EC key on curve " + std::string(group) +
                                     " is not supported (P-256 only)");
    }
    return KeyType::kEcdsaP256;
  }
  if (EVP_PKEY_is_a(pkey, "ED25519")) {
    return KeyType::kEd25519;
  }
  return Status::InvalidArgument("unsupported key type (RSA, ECDSA P-256 or Ed25519 expected)");
}

namespace {

Result<std::string> SpkiDerOf(const EVP_PKEY* pkey) {
  return EncodeDer(pkey, i2d_PUBKEY, "encode public key");
}

}  // namespace

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
    return Status::InvalidArgument("public key: expected a PEM block of type PUBLIC KEY");
  }
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    return OpenSslError("public key: cannot parse PEM", Status::Code::kInvalidArgument);
  }
  PkeyPtr owned(raw);
  Result<KeyType> type = ClassifyKey(raw);
  if (!type.ok()) {
    return type.status().WithContext("public key");
  }
  GPS_ASSIGN_OR_RETURN(std::string der, SpkiDerOf(raw));
  return PublicKey(owned.release(), *type, std::move(der));
}

Result<PublicKey> PublicKey::FromSpkiDer(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr) {
    return OpenSslError("public key: cannot parse DER", Status::Code::kInvalidArgument);
  }
  PkeyPtr owned(raw);
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return Status::InvalidArgument("public key: trailing bytes after DER");
  }
  Result<KeyType> type = ClassifyKey(raw);
  if (!type.ok()) {
    return type.status().WithContext("public key");
  }
  GPS_ASSIGN_OR_RETURN(std::string canonical, SpkiDerOf(raw));
  return PublicKey(owned.release(), *type, std::move(canonical));
}

Result<PublicKey> PublicKey::FromPkey(const EVP_PKEY* pkey) {
  GPS_ASSIGN_OR_RETURN(std::string der, SpkiDerOf(pkey));
  return FromSpkiDer(der);
}

std::string PublicKey::SpkiPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return "";
  }
  return BioContents(bio.get());
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    return OpenSslError("private key: cannot parse PEM", Status::Code::kInvalidArgument);
  }
  PkeyPtr owned(raw);
  Result<KeyType> type = ClassifyKey(raw);
  if (!type.ok()) {
    return type.status().WithContext("private key");
  }
  return PrivateKey(owned.release(), *type);
}

Result<PrivateKey> PrivateKey::Adopt(EVP_PKEY* pkey, std::string_view what) {
  if (pkey == nullptr) {
    return OpenSslError("generate " + std::string(what));
  }
  PkeyPtr owned(pkey);
  GPS_ASSIGN_OR_RETURN(KeyType type, ClassifyKey(pkey));
  return PrivateKey(owned.release(), type);
}

Result<PrivateKey> PrivateKey::GenerateRsa(int bits) {
  return Adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)),
               "RSA key");
}

Result<PrivateKey> PrivateKey::GenerateEcdsaP256() {
  return Adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), "EC key");
}

Result<PrivateKey> PrivateKey::GenerateEd25519() {
  return Adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), "Ed25519 key");
}

Result<std::string> PrivateKey::ToPkcs8Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return OpenSslError("encode private key");
  }
  return BioContents(bio.get());
}

Result<PublicKey> PrivateKey::Public() const { return PublicKey::FromPkey(pkey_.get()); }

std::string DeviceIdFromSpki(std::string_view spki_der) { return HexEncode(Sha256(spki_der)); }

std::string FingerprintFromSpki(std::string_view spki_der) {
  return "SHA256:" + Base64EncodeUnpadded(Sha256(spki_der));
}

std::string CheckCodeFromSpki(std::string_view spki_der) {
  // Crockford's base32 alphabet: no I, L, O or U, so it survives being read aloud.
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string hash = Sha256(spki_der);
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  std::size_t i = 0;
  while (out.size() < 14) {
    if (nbits < 5) {
      bits = (bits << 8) | static_cast<unsigned char>(hash[i++]);
      nbits += 8;
    }
    if (out.size() == 4 || out.size() == 9) {
      out += '-';
      continue;
    }
    out += kAlphabet[(bits >> (nbits - 5)) & 31];
    nbits -= 5;
  }
  return out;
}

}  // namespace gps::crypto
