#pragma once
// MenderStep: the StepHandler of gps-worker-mender (step "mender").
//   check_name: is the name free in Mender for this device? (inventory search on tags/name)
//   provision:  pre-authorise the device's key + MAC, then set its inventory tag `name`.
//               A 409 whose body lists no auth sets is settled by reading the device back.
//   revoke:     decommission the device: the one facts.menderDeviceId names (the provision's
//               result), or else every device whose identity MAC is the job's and whose auth sets
//               hold the job's key (found by inventory search; inventory is filled shortly after
//               pre-authorisation, so a device pre-authorised moments before may not be found yet
//               and the engine should send the id whenever it has one). Result data {}.
// Every exchange ends in an Outcome: the special statuses of the API (a 409 carrying our own key,
// 412 on tags, 404 while inventory catches up, 404 on decommission) are handled here, the rest by
// http::Classify.
// Handle() is idempotent: a retried provision meets a 409 with our key and carries on; a repeated
// revoke finds the device gone (404, or no longer found by its MAC) and succeeds.
//
// The Interpret*/Decide* functions below are the step's decisions as pure functions, exposed for
// the unit tests; the actions only string them together with the client's calls.
// Thread-safety: Handle() may run on several threads at once (the client is thread-safe and the
// step keeps no mutable state). Lifetime: the client and clock must outlive the step.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "gps/protocol/step_results.h"
#include "gps/worker/action_step.h"
#include "workers/mender/mender_client.h"

namespace gps::worker::mender {

// The name is available when no device carries it, or when every device carrying it is this one
// (identity mac equal to mac): a retried approval of the same gateway is no conflict.
protocol::NameCheckResult DecideNameCheck(const std::vector<InventoryDevice>& holders,
                                          std::string_view mac);

// How a pre-authorisation ended: ok with the Mender device id, or not ok.
struct PreauthorizeAnswer {
  Outcome outcome;
  std::string device_id;  // set when outcome.ok(), and when keys_unknown
  // A 409 whose body lists no auth sets: the device's keys must be read with GET
  // devauth/devices/{id} and judged by InterpretDeviceLookup. outcome then holds the permanent
  // error that stands if that is skipped, so ignoring the flag can never yield a false success.
  bool keys_unknown = false;
};
// 201: the id from Location. 409: the body is the existing device; when one of its auth sets holds
// our key (compared as DER SPKI; the server re-serialises PEM) that is success with its id,
// otherwise a permanent error. what: "mender: preauthorize <mac>".
PreauthorizeAnswer InterpretPreauthorize(const Result<http::Response>& response,
                                         const crypto::PublicKey& our_key, std::string_view what,
                                         Instant now);
// The device read back after a 409 without auth sets: judged as that 409 would have been. A 404
// (decommissioned in between) is retryable: the next attempt pre-authorises afresh.
PreauthorizeAnswer InterpretDeviceLookup(const Result<http::Response>& response,
                                         const crypto::PublicKey& our_key,
                                         std::string_view device_id, std::string_view what,
                                         Instant now);

// The device's current tags and ETag, or how reading them failed. A 404 is retryable: inventory is
// filled asynchronously after pre-authorisation, and a tags write never creates the record (for
// scope tags mender-server updates without upsert and answers 200 having stored nothing).
struct TagsAnswer {
  Outcome outcome;
  std::vector<Tag> tags;
  std::string etag;  // empty: none given
};
TagsAnswer InterpretReadTags(const Result<http::Response>& response, std::string_view what,
                             Instant now);

// The full tag set with `name` set to name (the PUT replaces every tag, so the others are kept),
// or nullopt when the tag already has that value.
std::optional<std::vector<Tag>> TagsWithName(const std::vector<Tag>& tags, std::string_view name);

// 412 (the tags changed since they were read) is retryable: the next attempt reads them again.
Outcome InterpretWriteTags(const Result<http::Response>& response, std::string_view what,
                           Instant now);

// 204 done; 404 means already gone, which for a compensation is done as well.
Outcome InterpretDecommission(const Result<http::Response>& response, std::string_view what,
                              Instant now);

// The Mender device id of the job's facts (facts.menderDeviceId, the provision's result); "" when
// the facts carry none. An id that is not a Mender id is refused before it reaches a URL.
Result<std::string> MenderDeviceIdFromFacts(std::string_view facts_json);

// The devices of one page of a search by MAC that carry exactly that identity MAC (the search
// also matches a MAC inside an array attribute, which is not the identity this worker made).
std::vector<std::string> DevicesWithMac(const std::vector<InventoryDevice>& found,
                                        std::string_view mac);

// A device found by the job's MAC, read with GET devauth/devices/{id}: revoke decommissions it
// only when one of its auth sets holds the job's key; a device with the same MAC and only other
// keys is not this gateway's to remove. 404 (gone meanwhile) and a device already being
// decommissioned need nothing more.
struct RevokeCandidate {
  Outcome outcome;
  bool decommission = false;  // meaningful when outcome.ok()
};
RevokeCandidate InterpretRevokeCandidate(const Result<http::Response>& response,
                                         const crypto::PublicKey& our_key,
                                         std::string_view device_id, std::string_view what,
                                         Instant now);

class MenderStep final : public ActionStep {
 public:
  explicit MenderStep(const MenderClient& client)
      : ActionStep(protocol::Step::kMender), client_(client) {}

 private:
  protocol::JobResult CheckName(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Revoke(const protocol::Job& job, Instant deadline) const override;
  Outcome SetNameTag(const std::string& device_id, const std::string& name, Instant deadline) const;
  // The ids of the devices whose identity MAC is mac, every page of the search.
  Outcome FindByMac(const std::string& mac, Instant deadline, std::vector<std::string>* ids) const;
  Outcome Decommission(const std::string& device_id, Instant deadline) const;

  const MenderClient& client_;
};

}  // namespace gps::worker::mender
