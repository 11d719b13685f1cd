#pragma once
// RAII owners for OpenSSL handles, and the error text of OpenSSL's thread-local error queue.
// Internal to lib/gps/crypto and the few adapters that speak OpenSSL (cloudsim's CA).

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "gps/core/status.h"

namespace gps::crypto {

template <auto Fn>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    if (p != nullptr) {
      Fn(p);
    }
  }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, Deleter<EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;

// A read-only memory BIO over data (which must outlive the BIO).
BioPtr MemoryBio(std::string_view data);
// Everything written to a memory BIO so far.
std::string BioContents(BIO* bio);

// "<what>: <first OpenSSL error>" as an InvalidArgument or Internal status; drains the queue.
Status OpenSslError(std::string_view what, Status::Code code = Status::Code::kInternal);

// The DER an OpenSSL i2d_* function writes of object, e.g. EncodeDer(cert, i2d_X509, "encode
// certificate"); what names the failure. Not for private keys: the buffer is freed uncleared.
template <typename T>
Result<std::string> EncodeDer(const T* object, int (*i2d)(const T*, unsigned char**),
                              std::string_view what) {
  unsigned char* der = nullptr;
  int len = i2d(object, &der);
  if (len <= 0) {
    return OpenSslError(what);
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace gps::crypto
