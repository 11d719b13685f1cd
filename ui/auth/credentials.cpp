#include "ui/auth/credentials.h"

#include "gps/core/text.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/password.h"

namespace gps::ui {

namespace {

constexpr std::size_t kSecretBytes = 32;
// Longer values are not ours; they are refused before any hashing or lookup.
constexpr std::size_t kMaxSecretChars = 128;

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string CookieAttributes(bool secure) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

}  // namespace

Result<std::string> NewSecret() {
  GPS_ASSIGN_OR_RETURN(std::string bytes, crypto::RandomBytes(kSecretBytes));
  return crypto::HexEncode(bytes);
}

Result<std::string> NewApiToken() {
  GPS_ASSIGN_OR_RETURN(std::string secret, NewSecret());
  return std::string(kTokenPrefix) + secret;
}

std::string SecretId(std::string_view secret) { return crypto::HexEncode(crypto::Sha256(secret)); }

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string_view::npos) {
      end = header.size();
    }
    std::string_view pair = TrimBlanks(header.substr(pos, end - pos));
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view value = pair.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

Result<PresentedCredentials> ReadCredentials(const HttpRequest& request) {
  PresentedCredentials out;
  if (std::optional<std::string> auth = request.Header("Authorization")) {
    std::string_view value = TrimBlanks(*auth);
    constexpr std::string_view kScheme = "bearer ";
    if (value.size() <= kScheme.size() || ToLower(value.substr(0, kScheme.size())) != kScheme) {
      return Status::PermissionDenied(
          "the Authorization header must be 'Bearer <token>'; no other scheme is accepted");
    }
    std::string_view token = TrimBlanks(value.substr(kScheme.size()));
    if (token.empty() || token.size() > kMaxSecretChars || HasControlCharacter(token) ||
        token.find(' ') != std::string_view::npos) {
      return Status::PermissionDenied("the bearer token is malformed");
    }
    out.bearer = std::string(token);
  }
  if (std::optional<std::string> cookie = request.Header("Cookie")) {
    std::optional<std::string> session = CookieValue(*cookie, kSessionCookie);
    // A malformed cookie (an old format, a value set by something else) counts as no session.
    if (session && session->size() == 2 * kSecretBytes && IsLowerHex(*session)) {
      out.session = std::move(session);
    }
  }
  return out;
}

std::string SessionCookie(std::string_view secret, std::int64_t max_age_s, bool secure) {
  return std::string(kSessionCookie) + "=" + std::string(secret) +
         "; Max-Age=" + std::to_string(max_age_s) + CookieAttributes(secure);
}

std::string ClearedSessionCookie(bool secure) {
  return std::string(kSessionCookie) + "=; Max-Age=0" + CookieAttributes(secure);
}

namespace {

Status ValidateIdentifier(std::string_view what, std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return Status::InvalidArgument("a " + std::string(what) + " is 1-64 characters long");
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(text.substr(0, 64)) +
                                     "': use a-z, 0-9, '.', '_' and '-', starting with a "
                                     "letter or digit");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateUsername(std::string_view name) { return ValidateIdentifier("user name", name); }

Status ValidateTokenLabel(std::string_view label) {
  return ValidateIdentifier("token label", label);
}

Status ValidateNewPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::InvalidArgument("the password must be at least " +
                                   std::to_string(kMinPasswordLength) + " characters long");
  }
  if (password.size() > crypto::kMaxPasswordBytes) {
    return Status::InvalidArgument("the password is longer than " +
                                   std::to_string(crypto::kMaxPasswordBytes) + " bytes");
  }
  if (HasControlCharacter(password)) {
    return Status::InvalidArgument("the password holds a line break or another control character");
  }
  return Status::Ok();
}

}  // namespace gps::ui
