#pragma once
// DpsStep: the StepHandler of gps-worker-dps (step "dps").
//   check_name: is the name free in DPS for this device? (GET the enrollment of that name)
//   provision:  create the gateway's individual enrollment (symmetric keys, IoT Edge) and hand the
//               primary key to the device, sealed to its transport key.
//   revoke:     delete the gateway's enrollment (registration id = the job's name) when it is ours,
//               conditional on the etag it was judged by; result data {}.
// An enrollment is recognised as this device's own by initialTwin.tags.gpsDeviceId. A PUT that
// meets an existing enrollment (409) is success only when it is ours, and then the keys DPS really
// holds are read back, so a retry after a lost answer hands over the right key. Revoke leaves an
// enrollment of another device alone (success: there is nothing of ours to remove), treats 404 as
// already deleted, and on 412 (changed since read) reads again, a bounded number of times.
// The primary key is never logged.
//
// The Interpret* functions are the step's decisions as pure functions, exposed for the unit tests;
// the actions only string them together with the client's calls.
// Thread-safety: Handle() may run on several threads at once (the client is thread-safe and the
// step keeps no mutable state). Lifetime: the client must outlive the step.

#include <string>
#include <string_view>

#include "gps/core/clock.h"
#include "gps/core/outcome.h"
#include "gps/http/client.h"
#include "gps/protocol/step_results.h"
#include "gps/worker/action_step.h"
#include "workers/dps/dps_client.h"

namespace gps::worker::dps {

// 404: available. 200: available only when the enrollment is this device's (gps_device_id).
struct NameCheckAnswer {
  Outcome outcome;
  protocol::NameCheckResult result;  // meaningful when outcome.ok()
};
NameCheckAnswer InterpretNameCheck(const Result<http::Response>& response, std::string_view name,
                                   std::string_view gps_device_id, std::string_view what,
                                   Instant now);

// The answer to the enrollment PUT: created (200), already there (409), or failed. 412 (ETag
// mismatch; DPS uses it for concurrent changes) is retryable.
struct CreateAnswer {
  enum class Kind { kCreated, kExists, kFailed };
  Kind kind = Kind::kFailed;
  Outcome outcome;       // the failure when kind is kFailed
  std::string conflict;  // DPS's text of the 409 when kind is kExists
};
CreateAnswer InterpretCreate(const Result<http::Response>& response, std::string_view what,
                             Instant now);

// After a 409: the existing enrollment, read back. Ok when it is this device's; permanent (with
// the 409's text, conflict) when it belongs to another; retryable when it vanished in between (the
// next attempt creates it).
Outcome InterpretExisting(const Result<http::Response>& response, std::string_view name,
                          std::string_view gps_device_id, std::string_view conflict,
                          std::string_view what, Instant now);

// The keys of our existing enrollment.
struct KeysAnswer {
  Outcome outcome;
  SymmetricKeys keys;  // set when outcome.ok()
};
KeysAnswer InterpretAttestation(const Result<http::Response>& response, std::string_view what,
                                Instant now);

// Revoke, first: the enrollment as it stands. 404: nothing to delete. Another device's (or one
// without our tag): not ours to delete. Ours: delete it, conditional on the etag read here.
struct RevokeLookup {
  enum class Kind { kGone, kForeign, kOurs, kFailed };
  Kind kind = Kind::kFailed;
  Outcome outcome;    // the failure when kind is kFailed
  std::string etag;   // kOurs: the etag to send in If-Match
  std::string owner;  // kForeign: its gpsDeviceId ("" when untagged), for the log
};
RevokeLookup InterpretRevokeLookup(const Result<http::Response>& response,
                                   std::string_view gps_device_id, std::string_view what,
                                   Instant now);

// Revoke, then: the conditional DELETE. 204 deleted; 404 deleted by someone else meanwhile, which
// is as good; 412 the enrollment changed since it was read (outcome: retryable, with DPS's text),
// so it must be judged again.
struct DeleteAnswer {
  enum class Kind { kDeleted, kChanged, kFailed };
  Kind kind = Kind::kFailed;
  Outcome outcome;  // the failure when kind is kFailed or kChanged
};
DeleteAnswer InterpretDelete(const Result<http::Response>& response, std::string_view what,
                             Instant now);

// Read-judge-delete rounds one revoke takes before giving up retryably on an enrollment that
// keeps changing.
inline constexpr int kMaxDeleteRounds = 3;

class DpsStep final : public ActionStep {
 public:
  explicit DpsStep(const DpsClient& client) : ActionStep(protocol::Step::kDps), client_(client) {}

 private:
  protocol::JobResult CheckName(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Provision(const protocol::Job& job, Instant deadline) const override;
  protocol::JobResult Revoke(const protocol::Job& job, Instant deadline) const override;

  const DpsClient& client_;
};

}  // namespace gps::worker::dps
