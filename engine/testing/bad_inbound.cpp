#include "engine/testing/bad_inbound.h"

#include <functional>
#include <stdexcept>

#include "gps/crypto/seal.h"
#include "gps/crypto/sign.h"
#include "gps/json/json.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/command.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/step_results.h"
#include "gps/protocol/topics.h"

namespace gps::engine::testing {

namespace {

using gps::testing::CommonBadMessages;
using gps::testing::Members;
using gps::testing::MembersOf;
using gps::testing::ObjectSpec;
using gps::testing::ObjectText;
using gps::testing::WithMember;
using gps::testing::WithPayload;

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    throw std::runtime_error(std::string(what) + ": " + r.status().ToString());
  }
  return std::move(r).value();
}

void MustOk(const Status& st, const char* what) {
  if (!st.ok()) {
    throw std::runtime_error(std::string(what) + ": " + st.ToString());
  }
}

std::string Topic(const std::string& device_id, protocol::DeviceTopicKind kind) {
  return protocol::DeviceTopic(device_id, kind);
}

// A string member's raw JSON with an escaped NUL in place of its last character.
std::string WithEscapedNul(const std::string& text) {
  return "\"" + text.substr(0, text.size() - 1) + "\\u0000\"";
}

protocol::Announce SignedAnnounce(const crypto::PrivateKey& key) {
  protocol::Announce a;
  a.mac = "02:42:ac:11:0b:01";
  a.transport_key = std::string(crypto::kTransportKeySize, 'k');
  a.ts_ms = 1;
  MustOk(protocol::SignAnnounce(key, &a), "sign announce");
  return a;
}

protocol::Ack SignedAck(const crypto::PrivateKey& key, const std::string& device_id) {
  protocol::Ack a;
  a.device_id = device_id;
  a.bundle_id = "b-bad-input-1";
  a.ts_ms = 1;
  MustOk(protocol::SignAck(key, &a), "sign ack");
  return a;
}

mqtt::Message DeviceMessage(const std::string& topic_device, protocol::DeviceTopicKind kind,
                            std::string payload) {
  mqtt::Message m;
  m.topic = Topic(topic_device, kind);
  m.payload = std::move(payload);
  return m;
}

// The announce or ack as published on topic_device's topic of its kind.
mqtt::Message OnTopic(const std::string& topic_device, const protocol::Announce& a) {
  return DeviceMessage(topic_device, protocol::DeviceTopicKind::kAnnounce,
                       protocol::EncodeAnnounce(a));
}
mqtt::Message OnTopic(const std::string& topic_device, const protocol::Ack& a) {
  return DeviceMessage(topic_device, protocol::DeviceTopicKind::kAck, protocol::EncodeAck(a));
}

}  // namespace

InboundSubjects MakeSubjects() {
  InboundSubjects s{Must(crypto::PrivateKey::GenerateEcdsaP256(), "known key"),    "", "",
                    Must(crypto::PrivateKey::GenerateEcdsaP256(), "stranger key"), "", ""};
  crypto::PublicKey known = Must(s.known_key.Public(), "known public key");
  crypto::PublicKey stranger = Must(s.stranger_key.Public(), "stranger public key");
  s.known_id = crypto::DeviceIdFromSpki(known.spki_der());
  s.known_pem = known.SpkiPem();
  s.stranger_id = crypto::DeviceIdFromSpki(stranger.spki_der());
  s.stranger_pem = stranger.SpkiPem();
  return s;
}

mqtt::Message KnownAnnounce(const InboundSubjects& s) {
  return OnTopic(s.known_id, SignedAnnounce(s.known_key));
}

std::vector<BadMessage> BadAnnounces(const InboundSubjects& s) {
  const protocol::Announce signed_announce = SignedAnnounce(s.known_key);
  const Members members = MembersOf(protocol::EncodeAnnounce(signed_announce));
  const mqtt::Message valid = KnownAnnounce(s);
  ObjectSpec spec;
  spec.what = "announce";
  spec.max_bytes = protocol::kMaxAnnounceBytes;
  spec.members = members;
  spec.required = {"v", "deviceId", "mac", "pubkey", "transportKey", "ts", "sig"};
  spec.optional = {{"csr", "\"-----BEGIN CERTIFICATE REQUEST-----\""}};
  spec.string_limits = {{"deviceId", 64},     {"mac", 17},   {"pubkey", protocol::kMaxPemBytes},
                        {"transportKey", 64}, {"sig", 2048}, {"csr", protocol::kMaxPemBytes}};
  std::vector<BadMessage> rows = CommonBadMessages(valid, spec);
  auto with = [&](const std::string& key, const std::string& raw) {
    return ObjectText(WithMember(members, key, raw));
  };
  auto add = [&](std::string name, std::string payload, std::string error) {
    rows.push_back(WithPayload(valid, std::move(name), std::move(payload), std::move(error)));
  };
  // After signing, so only the one field differs from what was signed.
  auto altered = [&](std::string name, const std::string& topic_device,
                     const std::function<void(protocol::Announce&)>& change, std::string error) {
    protocol::Announce a = signed_announce;
    change(a);
    rows.push_back(BadMessage{std::move(name), OnTopic(topic_device, a), std::move(error)});
  };

  add("deviceId with an escaped NUL", with("deviceId", WithEscapedNul(s.known_id)),
      "announce.deviceId: expected 64 lower-case hex characters");
  add("pubkey with an escaped NUL",
      with("pubkey", "\"\\u0000" + json::Quote(s.known_pem).substr(1)), "announce.pubkey: ");
  add("pubkey not a key", with("pubkey", "\"hello\""), "announce.pubkey: public key: ");
  add("ts above int64", with("ts", "9223372036854775808"), "announce.ts: integer out of range");
  add("ts 1e300", with("ts", "1e300"), "announce.ts: integer out of range");
  add("ts below int64", with("ts", "-9223372036854775809"), "announce.ts: integer out of range");
  add("ts negative", with("ts", "-1"), "announce.ts: negative");

  const std::string bad_signature = "announce: signature does not verify";
  altered(
      "signed by another key", s.known_id,
      [&](protocol::Announce& a) {
        a.signature = Must(crypto::Sign(s.stranger_key, protocol::AnnounceSigningString(a)),
                           "sign with the stranger's key");
      },
      bad_signature);
  altered(
      "ts changed after signing", s.known_id, [](protocol::Announce& a) { a.ts_ms += 1; },
      bad_signature);
  altered(
      "mac changed after signing", s.known_id,
      [](protocol::Announce& a) { a.mac = "02:42:ac:11:0b:02"; }, bad_signature);
  altered(
      "transportKey changed after signing", s.known_id,
      [](protocol::Announce& a) { a.transport_key = std::string(32, 'x'); }, bad_signature);
  altered(
      "csr added after signing", s.known_id,
      [](protocol::Announce& a) { a.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n"; },
      bad_signature);
  altered(
      "a signature of random bytes", s.known_id,
      [](protocol::Announce& a) { a.signature = std::string(72, '\x01'); }, bad_signature);
  altered(
      "the stranger's id and key, signed by the known key", s.stranger_id,
      [&](protocol::Announce& a) {
        a.device_id = s.stranger_id;
        a.pubkey_pem = s.stranger_pem;
      },
      bad_signature);
  altered(
      "the stranger's id with the known key", s.stranger_id,
      [&](protocol::Announce& a) { a.device_id = s.stranger_id; },
      "announce: deviceId is not the SHA-256 of the public key");
  altered(
      "the known id with the stranger's key", s.known_id,
      [&](protocol::Announce& a) { a.pubkey_pem = s.stranger_pem; },
      "announce: deviceId is not the SHA-256 of the public key");
  altered(
      "on another device's topic", s.stranger_id, [](protocol::Announce&) {},
      "arrived on the topic of " + s.stranger_id.substr(0, 12));
  return rows;
}

std::vector<BadMessage> BadAcks(const InboundSubjects& s) {
  const protocol::Ack ack = SignedAck(s.known_key, s.known_id);
  const Members members = MembersOf(protocol::EncodeAck(ack));
  const mqtt::Message valid = OnTopic(s.known_id, ack);
  ObjectSpec spec;
  spec.what = "ack";
  spec.max_bytes = protocol::kMaxAckBytes;
  spec.members = members;
  spec.required = {"v", "deviceId", "bundleId", "ts", "sig"};
  // A signature at its limit of 2048 would not fit in an ack's 2 KiB: the size rows cover it.
  spec.string_limits = {{"deviceId", 64}, {"bundleId", 128}};
  std::vector<BadMessage> rows = CommonBadMessages(valid, spec);
  auto with = [&](const std::string& key, const std::string& raw) {
    return ObjectText(WithMember(members, key, raw));
  };
  auto add = [&](std::string name, std::string payload, std::string error) {
    rows.push_back(WithPayload(valid, std::move(name), std::move(payload), std::move(error)));
  };
  add("deviceId with an escaped NUL", with("deviceId", WithEscapedNul(s.known_id)),
      "ack.deviceId: expected 64 lower-case hex characters");
  add("ts above int64", with("ts", "9223372036854775808"), "ack.ts: integer out of range");
  add("ts 1e300", with("ts", "1e300"), "ack.ts: integer out of range");
  add("sig not base64", with("sig", "\"@@@@\""), "ack.sig: not base64");
  const std::string elsewhere = "arrived on another device's topic";
  rows.push_back(BadMessage{"on another device's topic", OnTopic(s.stranger_id, ack), elsewhere});
  rows.push_back(BadMessage{"the known device's ack, signed by the stranger, on its topic",
                            OnTopic(s.stranger_id, SignedAck(s.stranger_key, s.known_id)),
                            elsewhere});
  return rows;
}

std::vector<BadMessage> ForgedAcks(const InboundSubjects& s) {
  const protocol::Ack ack = SignedAck(s.known_key, s.known_id);
  const std::string bad_signature = "ack: signature does not verify";
  std::vector<BadMessage> rows;
  auto altered = [&](std::string name, const std::function<void(protocol::Ack&)>& change) {
    protocol::Ack a = ack;
    change(a);
    rows.push_back(BadMessage{std::move(name), OnTopic(s.known_id, a), bad_signature});
  };
  altered("signed by another key", [&](protocol::Ack& a) {
    a.signature = Must(crypto::Sign(s.stranger_key, protocol::AckSigningString(a)), "sign ack");
  });
  altered("bundleId changed after signing", [](protocol::Ack& a) { a.bundle_id += "x"; });
  altered("ts changed after signing", [](protocol::Ack& a) { a.ts_ms += 1; });
  altered("a signature of random bytes",
          [](protocol::Ack& a) { a.signature = std::string(72, '\x01'); });
  altered("an empty signature", [](protocol::Ack& a) { a.signature.clear(); });
  rows.push_back(BadMessage{"from a device the engine does not know",
                            OnTopic(s.stranger_id, SignedAck(s.stranger_key, s.stranger_id)),
                            "ack from a device the engine does not know"});
  return rows;
}

std::vector<BadMessage> BadCommands(const InboundSubjects& s) {
  const Members members = MembersOf(protocol::EncodeCommand(
      {protocol::CommandKind::kApprove, s.known_id, "gw-bad-input", "tester", ""}));
  mqtt::Message valid;
  valid.topic = protocol::CommandTopic("approve");
  valid.payload = ObjectText(members);
  valid.response_topic = protocol::ReplyTopic("bad-input");
  valid.correlation_data = "req-1";
  ObjectSpec spec;
  spec.what = "command";
  spec.max_bytes = protocol::kMaxCommandBytes;
  spec.members = members;
  spec.required = {"v", "deviceId", "name"};
  spec.string_limits = {{"deviceId", 64}, {"name", 256}, {"actor", 128}};
  std::vector<BadMessage> rows = CommonBadMessages(valid, spec);
  auto add = [&](std::string name, std::string payload, std::string error) {
    rows.push_back(WithPayload(valid, std::move(name), std::move(payload), std::move(error)));
  };
  auto changed = [&](std::string name, const std::function<void(mqtt::Message&)>& change,
                     std::string error) {
    BadMessage row{std::move(name), valid, std::move(error)};
    change(row.message);
    rows.push_back(std::move(row));
  };
  add("deviceId with an escaped NUL",
      ObjectText(WithMember(members, "deviceId", WithEscapedNul(s.known_id))),
      "command.deviceId: expected 64 lower-case hex characters");
  changed(
      "an unknown command", [](mqtt::Message& m) { m.topic = protocol::CommandTopic("format"); },
      "unknown command 'format'");
  const Members run_now = {{"v", "1"}, {"deviceId", json::Quote(s.known_id)}};
  changed(
      "run-now with a step of the wrong type",
      [&](mqtt::Message& m) {
        m.topic = protocol::CommandTopic("run-now");
        m.payload = ObjectText(WithMember(run_now, "step", "7"));
      },
      "command.step: expected string, got number");
  changed(
      "run-now with a step one byte over its limit",
      [&](mqtt::Message& m) {
        m.topic = protocol::CommandTopic("run-now");
        m.payload = ObjectText(WithMember(run_now, "step", json::Quote(std::string(33, 's'))));
      },
      "command.step: string of 33 bytes exceeds the limit of 32");
  const std::string no_reply = "command without a response topic under gps/v1/replies/";
  const std::pair<const char*, std::string> reply_topics[] = {
      {"no response topic", ""},
      {"a device's credentials topic as response topic",
       Topic(s.known_id, protocol::DeviceTopicKind::kCredentials)},
      {"the bare replies prefix as response topic", protocol::ReplyTopic("")},
      {"a '#' in the response topic", protocol::ReplyTopic("#")},
      {"a '+' in the response topic", protocol::ReplyTopic("ui/+")},
  };
  for (const auto& [name, topic] : reply_topics) {
    changed(
        name, [&](mqtt::Message& m) { m.response_topic = topic; }, no_reply);
  }
  const std::string no_correlation = "command without correlation data (1..128 bytes)";
  changed(
      "no correlation data", [](mqtt::Message& m) { m.correlation_data.clear(); }, no_correlation);
  changed(
      "correlation data of 129 bytes",
      [](mqtt::Message& m) { m.correlation_data = std::string(129, 'c'); }, no_correlation);
  return rows;
}

std::vector<BadMessage> BadResults(const InboundSubjects& s) {
  const Members members = MembersOf(
      protocol::EncodeJobResult({Outcome::Ok(), protocol::EncodeMenderProvision({"m-bad-input"})}));
  auto id_of = [&](const std::string& device, const std::string& generation,
                   const std::string& step, const std::string& action, const std::string& attempt) {
    return device + ":" + generation + ":" + step + ":" + action + ":" + attempt;
  };
  mqtt::Message valid;
  valid.topic = protocol::ResultTopic("mender");
  valid.payload = ObjectText(members);
  valid.correlation_data = id_of(s.known_id, "1", "mender", "provision", "1");
  ObjectSpec spec;
  spec.what = "result";
  spec.max_bytes = protocol::kMaxResultBytes;
  spec.members = members;
  spec.required = {"v", "outcome", "data"};
  spec.optional = {{"error", "\"x\""}, {"retryAfterMs", "10"}};
  spec.string_limits = {{"outcome", 16}, {"error", protocol::kMaxErrorTextBytes}};
  std::vector<BadMessage> rows = CommonBadMessages(valid, spec);
  auto with = [&](const std::string& key, const std::string& raw) {
    return ObjectText(WithMember(members, key, raw));
  };
  auto add = [&](std::string name, std::string payload, std::string error) {
    rows.push_back(WithPayload(valid, std::move(name), std::move(payload), std::move(error)));
  };
  add("an unknown outcome", with("outcome", "\"maybe\""),
      "result.outcome: expected ok, retryable or permanent");
  add("permanent without an error", with("outcome", "\"permanent\""),
      "result.error: required when the outcome is not ok");
  add("retryAfterMs negative", ObjectText(WithMember(members, "retryAfterMs", "-1")),
      "result.retryAfterMs: out of range");
  add("retryAfterMs over a week", ObjectText(WithMember(members, "retryAfterMs", "604800001")),
      "result.retryAfterMs: out of range");
  add("retryAfterMs 1e30", ObjectText(WithMember(members, "retryAfterMs", "1e30")),
      "result.retryAfterMs: integer out of range");
  add("data nested 300 deep",
      with("data", "{\"a\":" + std::string(300, '[') + std::string(300, ']') + "}"),
      "result: nested deeper than 256 levels");

  auto correlated = [&](std::string name, std::string correlation, std::string error) {
    BadMessage row{std::move(name), valid, std::move(error)};
    row.message.correlation_data = std::move(correlation);
    rows.push_back(std::move(row));
  };
  const std::string shape = "job id: expected device:generation:step:action:attempt";
  correlated("no correlation data", "", shape);
  correlated("correlation data not a job id", "job-7", shape);
  correlated("correlation data with invalid UTF-8", "\xff\xfe", shape);
  correlated("correlation data of 201 bytes", std::string(201, 'c'), "job id: too long");
  correlated("a job id with an upper-case device id",
             id_of(std::string(64, 'A'), "1", "mender", "provision", "1"), "job id: bad device id");
  correlated("a job id of generation -1", id_of(s.known_id, "-1", "mender", "provision", "1"),
             "job id: bad generation");
  correlated("a job id of generation 1e3", id_of(s.known_id, "1e3", "mender", "provision", "1"),
             "job id: bad generation");
  correlated("a job id of attempt 0", id_of(s.known_id, "1", "mender", "provision", "0"),
             "job id: bad attempt");
  correlated("a job id of attempt 2^63",
             id_of(s.known_id, "1", "mender", "provision", "9223372036854775808"),
             "job id: bad attempt");
  correlated("a job id of an unknown step", id_of(s.known_id, "1", "iothub", "provision", "1"),
             "unknown step 'iothub'");
  correlated("a job id of an unknown action", id_of(s.known_id, "1", "mender", "delete", "1"),
             "unknown action 'delete'");
  correlated("a job id with a NUL byte",
             id_of(s.known_id, "1", std::string("mender\0", 7), "provision", "1"),
             "unknown step 'mender");
  correlated("a dps job's result on the mender topic",
             id_of(s.known_id, "1", "dps", "provision", "1"),
             "result for step dps arrived on the mender results topic");
  return rows;
}

}  // namespace gps::engine::testing
