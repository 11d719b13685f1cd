// What a device sends the engine: the announce (parsed, then verified as the engine does against
// the topic's device id) and the ack (parsed, then its signature checked against a known key).

#include <cstddef>
#include <cstdint>

#include "fuzz/check.h"
#include "fuzz/fixture.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/device_messages.h"

namespace {

using namespace gps;

void Announce(std::string_view input) {
  Result<protocol::Announce> a = fuzz::ParseAndCheckReencoding(
      "announce", input, protocol::ParseAnnounce, protocol::EncodeAnnounce);
  if (!a.ok()) {
    return;
  }
  std::string topic_id = a->device_id;
  Result<protocol::VerifiedAnnounce> v = protocol::VerifyAnnounce(std::move(a).value(), topic_id);
  if (v.ok()) {
    // The engine stores the re-serialised key; the next announce carries that spelling.
    fuzz::Check(protocol::VerifyAnnounce(v->announce, topic_id).ok(), "announce",
                "a verified announce with the stored key spelling no longer verifies");
  }
}

void Ack(std::string_view input) {
  Result<protocol::Ack> ack =
      fuzz::ParseAndCheckReencoding("ack", input, protocol::ParseAck, protocol::EncodeAck);
  if (!ack.ok()) {
    return;
  }
  static const std::string pubkey_pem =
      fuzz::Must(fuzz::CertificateKey().Public(), "fixture public key").SpkiPem();
  (void)protocol::VerifyAck(*ack, ack->device_id, pubkey_pem);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = gps::fuzz::AsText(data, size);
  Announce(input);
  Ack(input);
  return 0;
}
