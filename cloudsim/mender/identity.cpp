#include "cloudsim/mender/identity.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"

namespace gps::cloudsim::mender {

namespace {

void AppendGoString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    // Go escapes control characters and, for safe embedding in HTML, < > &.
    if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9) are escaped too.
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void AppendGo(std::string& out, const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out += "null";
      return;
    case rapidjson::kFalseType:
      out += "false";
      return;
    case rapidjson::kTrueType:
      out += "true";
      return;
    case rapidjson::kStringType:
      AppendGoString(out, std::string_view(v.GetString(), v.GetStringLength()));
      return;
    case rapidjson::kNumberType:
      // Go decodes every JSON number into a float64 when the target is interface{}.
      out += GoFloat(v.GetDouble());
      return;
    case rapidjson::kArrayType: {
      out += '[';
      bool first = true;
      for (const rapidjson::Value& item : v.GetArray()) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendGo(out, item);
      }
      out += ']';
      return;
    }
    case rapidjson::kObjectType: {
      // A Go map keeps the last of duplicate keys and marshals keys in byte order.
      std::map<std::string, const rapidjson::Value*> members;
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        members[std::string(it->name.GetString(), it->name.GetStringLength())] = &it->value;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, value] : members) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendGoString(out, key);
        out += ':';
        AppendGo(out, *value);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string GoFloat(double v) {
  if (!std::isfinite(v)) {
    return "null";  // unreachable from parsed JSON; Go would refuse to marshal it
  }
  // Shortest round-trip digits first (as strconv does), then laid out the way Go does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // "-1.2345e+02"
  bool negative = !sci.empty() && sci[0] == '-';
  std::size_t e = sci.find('e');
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
    if (sci[i] != '.') {
      digits += sci[i];
    }
  }
  int exp10 = std::stoi(sci.substr(e + 1));
  double abs = std::fabs(v);
  std::string out = negative ? "-" : "";
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += exp10 < 0 ? '-' : '+';
    std::string mag = std::to_string(exp10 < 0 ? -exp10 : exp10);
    if (mag.size() < 2 && exp10 >= 0) {
      mag = "0" + mag;  // Go keeps e+0X, and writes e-07 as e-7
    }
    out += mag;
    return out;
  }
  if (digits == "0") {
    return negative ? "-0" : "0";
  }
  int point = exp10 + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0.";
    out += std::string(static_cast<std::size_t>(-point), '0');
    out += digits;
  } else if (static_cast<std::size_t>(point) >= digits.size()) {
    out += digits;
    out += std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

std::string GoJson(const json::Value& value) {
  std::string out;
  AppendGo(out, *value.raw());
  return out;
}

namespace {

CanonicalIdentity CanonicalOf(const rapidjson::Value& identity) {
  CanonicalIdentity out;
  AppendGo(out.text, identity);
  std::map<std::string, std::string> attrs;
  for (auto m = identity.MemberBegin(); m != identity.MemberEnd(); ++m) {
    std::string value;
    AppendGo(value, m->value);
    attrs[std::string(m->name.GetString(), m->name.GetStringLength())] = std::move(value);
  }
  out.attributes.assign(attrs.begin(), attrs.end());
  return out;
}

constexpr unsigned kGoParseFlags = rapidjson::kParseIterativeFlag |
                                   rapidjson::kParseValidateEncodingFlag |
                                   rapidjson::kParseFullPrecisionFlag;

}  // namespace

Result<CanonicalIdentity> CanonicalizeIdentity(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<kGoParseFlags>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Status::InvalidArgument("preauth request is not a JSON object");
  }
  auto it = doc.FindMember("identity_data");
  if (it == doc.MemberEnd() || !it->value.IsObject()) {
    return Status::InvalidArgument("identity_data is not an object");
  }
  return CanonicalOf(it->value);
}

Result<CanonicalIdentity> CanonicalizeIdentityText(std::string_view identity_json) {
  rapidjson::Document doc;
  doc.Parse<kGoParseFlags>(identity_json.data(), identity_json.size());
  if (doc.HasParseError()) {
    return Status::InvalidArgument("failed to parse identity data: " + std::string(identity_json));
  }
  if (!doc.IsObject()) {
    static constexpr std::string_view kTypes[] = {"null",  "bool",   "bool",  "object",
                                                  "array", "string", "number"};
    return Status::InvalidArgument("json: cannot unmarshal " + std::string(kTypes[doc.GetType()]) +
                                   " into Go value of type map[string]interface {}");
  }
  return CanonicalOf(doc);
}

std::string IdentityHash(std::string_view canonical_identity) {
  return crypto::HexEncode(crypto::Sha256(canonical_identity));
}

}  // namespace gps::cloudsim::mender
