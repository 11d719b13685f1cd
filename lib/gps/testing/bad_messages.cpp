#include "gps/testing/bad_messages.h"

#include <algorithm>
#include <stdexcept>

#include "gps/json/json.h"

namespace gps::testing {

namespace {

// A raw value of another JSON type than raw's, and the words the parser's type error uses.
struct WrongType {
  std::string raw;
  std::string error;  // "expected string, got boolean"
};

WrongType WrongTypeFor(const std::string& raw) {
  switch (raw.empty() ? ' ' : raw[0]) {
    case '"':
      return {"true", "expected string, got boolean"};
    case '{':
      return {"[]", "expected object, got array"};
    case '[':
      return {"{}", "expected array, got object"};
    case 't':
    case 'f':
      return {"1", "expected boolean, got number"};
    default:
      if (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
        return {"\"7\"", "expected integer, got string"};
      }
  }
  throw std::logic_error("no wrong type known for the raw value " + raw);
}

std::string RawValue(const Members& members, const std::string& key) {
  for (const auto& [k, v] : members) {
    if (k == key) {
      return v;
    }
  }
  throw std::logic_error("the spec has no member " + key);
}

// The first string member: where the rows put invalid UTF-8 and NUL bytes.
std::string FirstStringMember(const ObjectSpec& spec) {
  for (const auto& [k, v] : spec.members) {
    if (!v.empty() && v[0] == '"') {
      return k;
    }
  }
  throw std::logic_error(spec.what + ": the spec has no string member");
}

}  // namespace

std::string ObjectText(const Members& members) {
  std::string out = "{";
  for (const auto& [k, v] : members) {
    out += (out.size() > 1 ? "," : "") + json::Quote(k) + ":" + v;
  }
  return out + "}";
}

Members MembersOf(std::string_view json_object) {
  Result<json::Document> doc = json::ParseObject(json_object, json_object.size(), "members");
  if (!doc.ok()) {
    throw std::logic_error(doc.status().ToString());
  }
  Result<std::vector<std::pair<std::string, json::Value>>> members = doc->Root().Members();
  Members out;
  for (const auto& [key, value] : *members) {
    out.emplace_back(key, value.Serialize());
  }
  return out;
}

Members WithMember(Members members, const std::string& key, const std::string& raw) {
  for (auto& [k, v] : members) {
    if (k == key) {
      v = raw;
      return members;
    }
  }
  members.emplace_back(key, raw);
  return members;
}

Members WithoutMember(Members members, const std::string& key) {
  std::erase_if(members, [&](const auto& m) { return m.first == key; });
  return members;
}

BadMessage WithPayload(const mqtt::Message& valid, std::string name, std::string payload,
                       std::string error) {
  BadMessage row{std::move(name), valid, std::move(error)};
  row.message.payload = std::move(payload);
  return row;
}

void Append(std::vector<BadMessage>& table, std::vector<BadMessage> rows) {
  for (BadMessage& row : rows) {
    table.push_back(std::move(row));
  }
}

std::vector<BadMessage> CommonBadMessages(const mqtt::Message& valid, const ObjectSpec& spec) {
  const std::string& w = spec.what;
  const std::string not_json = w + ": not valid JSON: ";
  const std::string good = ObjectText(spec.members);
  std::vector<BadMessage> rows;
  auto add = [&](std::string name, std::string payload, std::string error) {
    rows.push_back(WithPayload(valid, std::move(name), std::move(payload), std::move(error)));
  };
  auto with = [&](const std::string& key, const std::string& raw) {
    return ObjectText(WithMember(spec.members, key, raw));
  };

  // Not JSON at all, or not one JSON value.
  add("not JSON", "hello", not_json + "Invalid value.");
  add("empty payload", "", not_json + "The document is empty.");
  add("only whitespace", " \r\n\t", not_json + "The document is empty.");
  add("truncated", good.substr(0, good.size() - 1),
      not_json + "Missing a comma or '}' after an object member.");
  add("two objects", good + good, not_json + "The document root must not be followed");
  add("single quotes", "{'v':1}", not_json + "Missing a name for object member.");

  // JSON, but not an object.
  add("array", "[" + good + "]", w + ": expected a JSON object, got array");
  add("string", json::Quote(good), w + ": expected a JSON object, got string");
  add("null", "null", w + ": expected a JSON object, got null");
  add("number", "42", w + ": expected a JSON object, got number");
  add("boolean", "true", w + ": expected a JSON object, got boolean");
  add("empty object", "{}", w + ".v: missing");

  // Fields: each required one missing, each one of the wrong type, each string one byte long.
  for (const std::string& key : spec.required) {
    add("without " + key, ObjectText(WithoutMember(spec.members, key)),
        w + "." + key + ": missing");
  }
  for (const auto& [key, raw] : spec.members) {
    WrongType t = WrongTypeFor(raw);
    add(key + " of the wrong type", with(key, t.raw), w + "." + key + ": " + t.error);
  }
  for (const auto& [key, raw] : spec.optional) {
    WrongType t = WrongTypeFor(raw);
    add("optional " + key + " of the wrong type", with(key, t.raw), w + "." + key + ": " + t.error);
  }
  for (const auto& [key, limit] : spec.string_limits) {
    add(key + " one byte over its limit", with(key, json::Quote(std::string(limit + 1, 'a'))),
        w + "." + key + ": string of " + std::to_string(limit + 1) +
            " bytes exceeds the limit of " + std::to_string(limit));
  }
  const std::string text = FirstStringMember(spec);
  add(text + " null", with(text, "null"), w + "." + text + ": expected string, got null");

  // Size: one byte over the message's limit, and far over it.
  std::string padded = ObjectText(WithMember(spec.members, "pad", "\"\""));
  std::size_t pad = spec.max_bytes + 1 - padded.size();
  add("one byte over the size limit",
      ObjectText(WithMember(spec.members, "pad", json::Quote(std::string(pad, 'p')))),
      w + ": " + std::to_string(spec.max_bytes + 1) + " bytes exceeds the limit of " +
          std::to_string(spec.max_bytes));
  // Twice the limit stays below the broker's max_packet_size, so it still reaches the process.
  add("twice the size limit", std::string(2 * spec.max_bytes, ' ') + good,
      w + ": " + std::to_string(2 * spec.max_bytes + good.size()) + " bytes exceeds the limit");

  // Invalid UTF-8 inside a string, raw (json::Quote would repair it) and escaped.
  const std::string invalid_utf8 = not_json + "Invalid encoding in string.";
  const std::pair<const char*, const char*> encodings[] = {
      {"a 0xff byte", "\xff"},
      {"a lone continuation byte", "\x80"},
      {"a truncated sequence", "\xe2\x82"},
      {"an overlong encoding", "\xc0\xaf"},
      {"an encoded surrogate", "\xed\xa0\x80"},
      {"a code point above U+10FFFF", "\xf4\x90\x80\x80"},
  };
  for (const auto& [what, bytes] : encodings) {
    add(text + " with " + what, with(text, "\"gw" + std::string(bytes) + "\""), invalid_utf8);
  }
  // Written by hand: ObjectText quotes keys with json::Quote, which would repair the byte.
  add("a key with invalid UTF-8", good.substr(0, good.size() - 1) + ",\"k\xfe\":1}", invalid_utf8);
  add(text + " with a lone surrogate escape", with(text, "\"\\ud800\""),
      not_json + "The surrogate pair in string is invalid.");

  // NUL bytes: raw, which is never JSON (an escaped NUL is each message's own row).
  add("a NUL byte after the opening brace", "{" + std::string(1, '\0') + good.substr(1),
      not_json + "NUL byte at offset 1");
  add("a NUL byte after the object", good + std::string(1, '\0'),
      not_json + "NUL byte at offset " + std::to_string(good.size()));
  add(text + " with a raw NUL byte", with(text, "\"a" + std::string(1, '\0') + "b\""),
      not_json + "NUL byte at offset");

  // Nesting: deeper than the parser takes, inside the object and as the whole payload.
  const std::string deep = w + ": nested deeper than 256 levels";
  add("a member nested 300 deep", with("deep", std::string(300, '[') + std::string(300, ']')),
      deep);
  add("nothing but opening brackets",
      std::string(std::min<std::size_t>(spec.max_bytes, 10000), '['), deep);
  // 260 levels fit in the smallest limit (an ack's 2 KiB).
  add(
      "objects nested 260 deep",
      [&] {
        std::string s;
        for (int i = 0; i < 260; ++i) {
          s += "{\"a\":";
        }
        return s + "1" + std::string(260, '}');
      }(),
      deep);

  // The version: unknown, out of range, or not a number JSON can hold.
  add("version 2", with("v", "2"), w + ": unsupported version 2");
  add("version 0", with("v", "0"), w + ": unsupported version 0");
  add("version above int64", with("v", "9223372036854775808"),
      w + ".v: integer out of range (64-bit signed)");
  add("version 1e30", with("v", "1e30"), w + ".v: integer out of range (64-bit signed)");
  add("version 1.5", with("v", "1.5"), w + ".v: expected an integer, got a non-integer number");
  add("version beyond a double", with("v", "1e400"),
      not_json + "Number too big to be stored in double.");
  if (RawValue(spec.members, "v") != "1") {
    throw std::logic_error(w + ": the valid payload must be version 1");
  }
  return rows;
}

}  // namespace gps::testing
