#pragma once
// The secrets of gps-ui's logins and how requests present them: session secrets (in the
// gps_session cookie) and API tokens (Authorization: Bearer). A secret is 32 random bytes; Redis
// keeps only its id, the SHA-256 of the secret in hex, so a copy of Redis logs nobody in.
// Also the cookie syntax and the user-name rule. Pure apart from the random source; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gps/core/result.h"
#include "ui/api/http_types.h"

namespace gps::ui {

inline constexpr std::string_view kSessionCookie = "gps_session";
// API tokens start with this, so secret scanners and people can tell them apart.
inline constexpr std::string_view kTokenPrefix = "gps_";

// 64 lower-case hex characters of fresh randomness (a session secret or a CSRF token).
Result<std::string> NewSecret();
// kTokenPrefix + NewSecret().
Result<std::string> NewApiToken();
// The id Redis stores a secret under: lower-case hex SHA-256 of it.
std::string SecretId(std::string_view secret);

// What a request carries. A malformed Authorization header is an error (never ignored, so a
// script with a broken token is told so instead of being treated as logged out).
struct PresentedCredentials {
  std::optional<std::string> bearer;   // the token of "Authorization: Bearer <token>"
  std::optional<std::string> session;  // the gps_session cookie's value
};
Result<PresentedCredentials> ReadCredentials(const HttpRequest& request);

// The value of cookie `name` in a Cookie header ("a=1; gps_session=...; b=2"), if present.
std::optional<std::string> CookieValue(std::string_view header, std::string_view name);

// Set-Cookie values: HttpOnly, SameSite=Strict, Path=/, Secure when asked; the session one lives
// max_age_s, the clearing one expires at once.
std::string SessionCookie(std::string_view secret, std::int64_t max_age_s, bool secure);
std::string ClearedSessionCookie(bool secure);

// 1-64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.
Status ValidateUsername(std::string_view name);
// The same rule for an API token's label.
Status ValidateTokenLabel(std::string_view label);

// A new password: 10 to crypto::kMaxPasswordBytes bytes, no line breaks or other control
// characters (it is read as one line by `gps-ui user add`).
inline constexpr std::size_t kMinPasswordLength = 10;
Status ValidateNewPassword(std::string_view password);

}  // namespace gps::ui
