#pragma once
// The bad-input tables of every message gps-engine takes (engine/shell/inbound.h): announces,
// acks, operator commands and step results. Each table holds the rows every JSON message shares
// (gps/testing/bad_messages.h) and the rows only that message has: forged signatures, a device id
// that is not the key's, a message on another device's topic, a bad job id, a command without a
// reply topic, numbers out of range.
//
// Every row is one the broker delivers: its topic is one the sender's role may write (a device's
// own topics for the bootstrap account, the client id being the topic's device id; commands for
// gps-ui; a step's results for that step's worker). engine/shell/inbound_test.cpp runs the rows
// against ParseInbound and VerifyInboundAck; engine/tests/bad_input_test.cpp publishes them to a
// running engine. For tests only. Pure apart from signing; thread-safe.

#include <string>
#include <vector>

#include "gps/crypto/keys.h"
#include "gps/testing/bad_messages.h"

namespace gps::engine::testing {

using gps::testing::BadMessage;

// The devices the rows speak of.
struct InboundSubjects {
  // Has a saga: the process test announces it (KnownAnnounce) before any row, so the engine
  // stores its key.
  crypto::PrivateKey known_key;
  std::string known_id;
  std::string known_pem;
  // Never announced: the engine has no saga for it.
  crypto::PrivateKey stranger_key;
  std::string stranger_id;
  std::string stranger_pem;
};
// Two fresh ECDSA P-256 identities.
InboundSubjects MakeSubjects();

// The known device's valid, signed announce on its own topic.
mqtt::Message KnownAnnounce(const InboundSubjects& s);

// Refused by ParseInbound ("message refused", engine.rejected.<kind>).
std::vector<BadMessage> BadAnnounces(const InboundSubjects& s);
std::vector<BadMessage> BadAcks(const InboundSubjects& s);
std::vector<BadMessage> BadCommands(const InboundSubjects& s);
std::vector<BadMessage> BadResults(const InboundSubjects& s);
// Well-formed acks that VerifyInboundAck refuses against what the engine stored: a signature that
// does not verify with the known device's key, or a device the engine has never seen ("event
// refused", engine.rejected.ack).
std::vector<BadMessage> ForgedAcks(const InboundSubjects& s);

}  // namespace gps::engine::testing
