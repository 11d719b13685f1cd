#pragma once
// Asymmetric keys of devices and services (RSA, ECDSA P-256, Ed25519) behind EVP_PKEY.
//
// A device is identified by its Mender key: device id = lower-case hex SHA-256 of the DER
// SubjectPublicKeyInfo. Keys are move-only owners of an EVP_PKEY; a const key may be used from
// several threads (OpenSSL 3 EVP_PKEYs are safe for concurrent read-only use).

#include <memory>
#include <string>
#include <string_view>

#include "gps/core/result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace gps::crypto {

enum class KeyType { kRsa, kEcdsaP256, kEd25519 };
std::string_view KeyTypeName(KeyType type);

class PublicKey {
 public:
  // Only a "PUBLIC KEY" (SPKI) PEM block is accepted, as Mender does; PKCS#1 is refused.
  static Result<PublicKey> FromPem(std::string_view pem);
  static Result<PublicKey> FromSpkiDer(std::string_view der);
  // The public half of a key OpenSSL handed out (a certificate's or a CSR's); pkey stays the
  // caller's.
  static Result<PublicKey> FromPkey(const EVP_PKEY* pkey);

  KeyType type() const { return type_; }
  const std::string& spki_der() const { return spki_der_; }
  std::string SpkiPem() const;
  EVP_PKEY* get() const { return pkey_.get(); }

 private:
  struct Free {
    void operator()(EVP_PKEY* p) const;
  };
  PublicKey(EVP_PKEY* pkey, KeyType type, std::string der);
  std::unique_ptr<EVP_PKEY, Free> pkey_;
  KeyType type_;
  std::string spki_der_;
  friend class PrivateKey;
};

class PrivateKey {
 public:
  // PKCS#8 or traditional (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY") PEM, as the Mender
  // client writes it.
  static Result<PrivateKey> FromPem(std::string_view pem);
  static Result<PrivateKey> GenerateRsa(int bits);
  static Result<PrivateKey> GenerateEcdsaP256();
  static Result<PrivateKey> GenerateEd25519();

  KeyType type() const { return type_; }
  Result<std::string> ToPkcs8Pem() const;
  Result<PublicKey> Public() const;
  EVP_PKEY* get() const { return pkey_.get(); }

 private:
  struct Free {
    void operator()(EVP_PKEY* p) const;
  };
  PrivateKey(EVP_PKEY* pkey, KeyType type) : pkey_(pkey), type_(type) {}
  // Takes ownership of a freshly generated key (null means generation failed).
  static Result<PrivateKey> Adopt(EVP_PKEY* pkey, std::string_view what);
  std::unique_ptr<EVP_PKEY, Free> pkey_;
  KeyType type_;
};

// Classifies an EVP_PKEY; refuses RSA under 2048 bits, curves other than P-256, and other types.
Result<KeyType> ClassifyKey(EVP_PKEY* pkey);

// Lower-case hex SHA-256 of the DER SPKI: the device id.
std::string DeviceIdFromSpki(std::string_view spki_der);
// "SHA256:<unpadded base64 of the same hash>", as ssh-keygen shows key fingerprints.
std::string FingerprintFromSpki(std::string_view spki_der);
// A short code a person can read aloud and compare with the device: 3 groups of 4 characters
// from the same hash, in an alphabet without look-alike characters.
std::string CheckCodeFromSpki(std::string_view spki_der);

}  // namespace gps::crypto
