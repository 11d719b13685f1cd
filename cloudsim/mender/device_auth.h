#pragma once
// Pure pieces of Mender's device authentication (POST /api/devices/v1/authentication/auth_requests,
// served by MenderApi::AuthRequest in device_auth.cpp): how a device's status follows from its
// auth sets, and the device token handed to an accepted device. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cloudsim/state/sim_state.h"

namespace gps::cloudsim::mender {

// deviceauth's getDeviceStatus: "accepted" when an auth set is accepted, else "preauthorized"
// when one is, else "pending" when one is, else "rejected" when one is; "noauth" without any.
std::string DeviceStatusFromAuthSets(const std::vector<MenderAuthSet>& auth_sets);

// How long a device token is valid: deviceauth's default jwt_exp_timeout, one week
// (UNCONFIRMED).
inline constexpr std::int64_t kDeviceTokenSeconds = 7 * 24 * 3600;

// The device token: a JWT "<header>.<claims>.<signature>" (base64url, no padding) with header
// {"alg":"HS256","typ":"JWT"} and claims {"jti": auth set id, "sub": device id, "iss": "Mender",
// "iat", "exp": iat + kDeviceTokenSeconds, "mender.device": true, "mender.plan": "enterprise"},
// signed with HMAC-SHA256 under key. Mender signs with its server key (RS256 or EdDSA); nothing
// in the simulation verifies the token, so a process-local secret stands in for it.
std::string DeviceJwt(std::string_view key, std::string_view device_id,
                      std::string_view auth_set_id, std::int64_t now_s);

// base64url without padding (RFC 7515 section 2).
std::string Base64Url(std::string_view bytes);

}  // namespace gps::cloudsim::mender
