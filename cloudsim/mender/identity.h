#pragma once
// How Mender identifies a device: its identity_data is decoded into a Go map and re-encoded with
// encoding/json (compact, object keys sorted byte-wise, strings HTML-escaped, numbers as Go prints
// float64), and the SHA-256 of that text is the unique key. So {"mac":"AA:.."} and
// {"mac":"aa:.."} are different devices, and so are two identities differing in one attribute.
// Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gps/json/json.h"

namespace gps::cloudsim::mender {

// The text Go's json.Marshal produces for the decoded value (objects sorted, duplicate keys: the
// last one wins, as when decoding into a Go map).
std::string GoJson(const json::Value& value);

// Go's float64 formatting in encoding/json (shortest round-trip, exponent form below 1e-6 and
// from 1e21 on).
std::string GoFloat(double v);

// The identity_data member of a preauthorisation body, decoded the way Go decodes it (numbers to
// the nearest float64, which rapidjson's default parse does not always hit) and re-encoded:
// the canonical text that is hashed, and each attribute's value as inventory stores it.
struct CanonicalIdentity {
  std::string text;
  std::vector<std::pair<std::string, std::string>> attributes;  // sorted by name
};
// InvalidArgument when body is not JSON or identity_data is not an object.
Result<CanonicalIdentity> CanonicalizeIdentity(std::string_view body);

// The same for an identity given as JSON text, as a device sends it (the id_data string of an
// authentication request, which deviceauth sorts with the same Go round trip). InvalidArgument
// when the text is not JSON ("failed to parse identity data: ...") or not an object (Go's
// unmarshal error).
Result<CanonicalIdentity> CanonicalizeIdentityText(std::string_view identity_json);

// Lower-case hex SHA-256 of the canonical identity text.
std::string IdentityHash(std::string_view canonical_identity);

}  // namespace gps::cloudsim::mender
