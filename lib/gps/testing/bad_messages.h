#pragma once
// Bad-input tables: rows of messages a process must refuse, each with words its refusal must
// contain. The same rows run against the pure parsers in the unit tests and are published to the
// running processes in the process tests, so what a unit test proves about a parser is what the
// process does with the message on the wire.
//
// This file builds the rows every JSON object message shares: not JSON, JSON but not an object,
// an empty payload, each required member missing, each member of the wrong type, each string one
// byte over its limit, an oversized payload, invalid UTF-8, NUL bytes, deep nesting, and an unknown
// or out-of-range version. The tables of each message add the rows only that message has
// (gps/testing/bad_jobs.h, engine/testing/bad_inbound.h).
// For tests only, never linked into a process. Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gps/mqtt/client.h"

namespace gps::testing {

struct BadMessage {
  std::string name;       // what is wrong with it, for failure messages
  mqtt::Message message;  // as published: topic, payload, MQTT 5 properties
  std::string error;      // a substring of the refusal: names the field or the problem
};

// Raw JSON members of an object, in order: {"v", "1"}, {"deviceId", "\"ab12...\""}.
using Members = std::vector<std::pair<std::string, std::string>>;

// JSON text of the object with these members: keys quoted by json::Quote (which repairs invalid
// UTF-8), values raw JSON as given.
std::string ObjectText(const Members& members);
// The members of a JSON object text (what an encoder wrote), values as compact raw JSON.
// REQUIRES: json_object is a JSON object.
Members MembersOf(std::string_view json_object);
// members with key set to raw: replaced where it is, or appended.
Members WithMember(Members members, const std::string& key, const std::string& raw);
Members WithoutMember(Members members, const std::string& key);

// A JSON object message as its parser sees it.
struct ObjectSpec {
  std::string what;  // how the parser names the document in errors, e.g. "announce"
  std::size_t max_bytes = 0;
  Members members;                    // a valid payload; must hold "v": 1
  std::vector<std::string> required;  // members whose absence is refused
  Members optional;  // members the parser reads when present, each with a valid raw value
  // String members (of members or optional) and their length limits.
  std::vector<std::pair<std::string, std::size_t>> string_limits;
};

// valid with another payload.
BadMessage WithPayload(const mqtt::Message& valid, std::string name, std::string payload,
                       std::string error);

// The rows every JSON object message shares, each a copy of valid with another payload.
// REQUIRES: valid's payload is ObjectText(spec.members) and is accepted.
std::vector<BadMessage> CommonBadMessages(const mqtt::Message& valid, const ObjectSpec& spec);

// Appends rows to table.
void Append(std::vector<BadMessage>& table, std::vector<BadMessage> rows);

}  // namespace gps::testing
