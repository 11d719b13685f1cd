#include "gps/crypto/password.h"

#include <openssl/core_names.h>

#include <charconv>
#include <cstdint>
#include <vector>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/openssl_handles.h"

namespace gps::crypto {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::uint64_t kMaxMemoryBytes = 256ull << 20;
constexpr std::string_view kPrefix = "$scrypt$";

Status CheckCost(const ScryptCost& cost) {
  if (cost.log_n < 1 || cost.log_n > 24 || cost.r < 1 || cost.r > 64 || cost.p < 1 || cost.p > 16) {
    return Status::InvalidArgument("scrypt: cost out of range (ln 1-24, r 1-64, p 1-16)");
  }
  // scrypt's working memory is 128 * r * N bytes (plus 128 * r * p for the blocks).
  std::uint64_t memory = 128ull * static_cast<std::uint64_t>(cost.r) << cost.log_n;
  if (memory > kMaxMemoryBytes) {
    return Status::InvalidArgument("scrypt: cost needs more than 256 MiB");
  }
  return Status::Ok();
}

// Base64 as PHC strings write it: without '=' padding.
Result<std::string> DecodeUnpadded(std::string_view text) {
  if (text.size() % 4 == 1) {
    return Status::InvalidArgument("bad base64 length");
  }
  std::string padded(text);
  padded.append((4 - text.size() % 4) % 4, '=');
  return Base64Decode(padded);
}

bool ParseInt(std::string_view text, int* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

// "ln=15,r=8,p=1", in this order.
Result<ScryptCost> ParseCost(std::string_view text) {
  std::vector<std::string_view> parts = Split(text, ',');
  ScryptCost cost;
  if (parts.size() != 3 || parts[0].substr(0, 3) != "ln=" || parts[1].substr(0, 2) != "r=" ||
      parts[2].substr(0, 2) != "p=" || !ParseInt(parts[0].substr(3), &cost.log_n) ||
      !ParseInt(parts[1].substr(2), &cost.r) || !ParseInt(parts[2].substr(2), &cost.p)) {
    return Status::InvalidArgument("password hash: unreadable cost '" +
                                   std::string(text.substr(0, 40)) + "'");
  }
  GPS_RETURN_IF_ERROR(CheckCost(cost));
  return cost;
}

}  // namespace

Result<std::string> Scrypt(std::string_view password, std::string_view salt, const ScryptCost& cost,
                           std::size_t length) {
  GPS_RETURN_IF_ERROR(CheckCost(cost));
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) {
    return OpenSslError("scrypt: fetch");
  }
  std::uint64_t n = 1ull << cost.log_n;
  std::uint32_t r = static_cast<std::uint32_t>(cost.r);
  std::uint32_t p = static_cast<std::uint32_t>(cost.p);
  std::uint64_t maxmem = kMaxMemoryBytes + (1ull << 20);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()),
                                        password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  std::string out(length, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), params) !=
      1) {
    return OpenSslError("scrypt: derive");
  }
  return out;
}

Result<std::string> HashPassword(std::string_view password, const ScryptCost& cost) {
  if (password.empty()) {
    return Status::InvalidArgument("the password is empty");
  }
  if (password.size() > kMaxPasswordBytes) {
    return Status::InvalidArgument("the password is longer than " +
                                   std::to_string(kMaxPasswordBytes) + " bytes");
  }
  GPS_ASSIGN_OR_RETURN(std::string salt, RandomBytes(kSaltBytes));
  GPS_ASSIGN_OR_RETURN(std::string hash, Scrypt(password, salt, cost, kHashBytes));
  return std::string(kPrefix) + "ln=" + std::to_string(cost.log_n) +
         ",r=" + std::to_string(cost.r) + ",p=" + std::to_string(cost.p) + "$" +
         Base64EncodeUnpadded(salt) + "$" + Base64EncodeUnpadded(hash);
}

Result<bool> VerifyPassword(std::string_view password, std::string_view stored) {
  if (stored.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("password hash: not a $scrypt$ string");
  }
  std::vector<std::string_view> parts = Split(stored.substr(kPrefix.size()), '$');
  if (parts.size() != 3) {
    return Status::InvalidArgument("password hash: expected cost$salt$hash");
  }
  GPS_ASSIGN_OR_RETURN(ScryptCost cost, ParseCost(parts[0]));
  Result<std::string> salt = DecodeUnpadded(parts[1]);
  Result<std::string> expected = DecodeUnpadded(parts[2]);
  if (!salt.ok() || !expected.ok() || salt->empty() || expected->size() < 16 ||
      expected->size() > 64) {
    return Status::InvalidArgument("password hash: unreadable salt or hash");
  }
  if (password.empty() || password.size() > kMaxPasswordBytes) {
    return false;
  }
  GPS_ASSIGN_OR_RETURN(std::string actual, Scrypt(password, *salt, cost, expected->size()));
  return ConstantTimeEquals(actual, *expected);
}

}  // namespace gps::crypto
