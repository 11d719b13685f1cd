#include "workers/dps/dps_step.h"

#include "gps/http/outcome.h"
#include "gps/http/parse_answer.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/worker/runtime.h"

namespace gps::worker::dps {

NameCheckAnswer InterpretNameCheck(const Result<http::Response>& response, std::string_view name,
                                   std::string_view gps_device_id, std::string_view what,
                                   Instant now) {
  if (response.ok() && response->status == 404) {
    return {Outcome::Ok(), {true, ""}};
  }
  Enrollment enrollment;
  Outcome outcome = http::ParseAnswer(response, what, now, ParseEnrollment, &enrollment);
  if (!outcome.ok()) {
    return {std::move(outcome), {}};
  }
  if (enrollment.gps_device_id == gps_device_id) {
    return {Outcome::Ok(), {true, ""}};
  }
  return {Outcome::Ok(), {false, "DPS enrollment " + std::string(name) + " exists"}};
}

CreateAnswer InterpretCreate(const Result<http::Response>& response, std::string_view what,
                             Instant now) {
  if (response.ok() && response->status == 409) {
    return {CreateAnswer::Kind::kExists, Outcome::Ok(), http::ErrorText(*response)};
  }
  if (response.ok() && response->status == 412) {
    return {CreateAnswer::Kind::kFailed,
            Outcome::Retryable(std::string(what) + ": HTTP 412: " + http::ErrorText(*response)),
            ""};
  }
  Outcome outcome = http::Classify(response, what, now);
  if (!outcome.ok()) {
    return {CreateAnswer::Kind::kFailed, std::move(outcome), ""};
  }
  return {CreateAnswer::Kind::kCreated, Outcome::Ok(), ""};
}

Outcome InterpretExisting(const Result<http::Response>& response, std::string_view name,
                          std::string_view gps_device_id, std::string_view conflict,
                          std::string_view what, Instant now) {
  const std::string prefix(what);
  if (response.ok() && response->status == 404) {
    return Outcome::Retryable(prefix + ": DPS enrollment " + std::string(name) +
                              " answered 409 and then vanished");
  }
  Enrollment enrollment;
  Outcome outcome = http::ParseAnswer(response, what, now, ParseEnrollment, &enrollment);
  if (!outcome.ok()) {
    return outcome;
  }
  if (enrollment.gps_device_id != gps_device_id) {
    metrics::Inc("worker.dps.enrollment_conflict_foreign");
    return Outcome::Permanent(prefix + ": HTTP 409: " + std::string(conflict) +
                              " (DPS enrollment " + std::string(name) +
                              " belongs to another device)");
  }
  metrics::Inc("worker.dps.enrollment_conflict_ours");
  return Outcome::Ok();
}

KeysAnswer InterpretAttestation(const Result<http::Response>& response, std::string_view what,
                                Instant now) {
  KeysAnswer answer;
  answer.outcome = http::ParseAnswer(response, what, now, ParseAttestationMechanism, &answer.keys);
  return answer;
}

RevokeLookup InterpretRevokeLookup(const Result<http::Response>& response,
                                   std::string_view gps_device_id, std::string_view what,
                                   Instant now) {
  RevokeLookup lookup;
  if (response.ok() && response->status == 404) {
    lookup.kind = RevokeLookup::Kind::kGone;
    return lookup;
  }
  Enrollment enrollment;
  lookup.outcome = http::ParseAnswer(response, what, now, ParseEnrollment, &enrollment);
  if (!lookup.outcome.ok()) {
    return lookup;
  }
  if (enrollment.gps_device_id != gps_device_id) {
    lookup.kind = RevokeLookup::Kind::kForeign;
    lookup.owner = std::move(enrollment.gps_device_id);
    return lookup;
  }
  lookup.kind = RevokeLookup::Kind::kOurs;
  lookup.etag = std::move(enrollment.etag);
  return lookup;
}

DeleteAnswer InterpretDelete(const Result<http::Response>& response, std::string_view what,
                             Instant now) {
  if (response.ok() && response->status == 404) {
    return {DeleteAnswer::Kind::kDeleted, Outcome::Ok()};
  }
  if (response.ok() && response->status == 412) {
    return {DeleteAnswer::Kind::kChanged,
            Outcome::Retryable(std::string(what) + ": HTTP 412: " + http::ErrorText(*response))};
  }
  Outcome outcome = http::Classify(response, what, now);
  if (!outcome.ok()) {
    return {DeleteAnswer::Kind::kFailed, std::move(outcome)};
  }
  return {DeleteAnswer::Kind::kDeleted, Outcome::Ok()};
}

protocol::JobResult DpsStep::CheckName(const protocol::Job& job, Instant deadline) const {
  if (job.name.empty()) {
    return Failed(Outcome::Permanent("dps: check name: the job carries no name"));
  }
  NameCheckAnswer answer =
      InterpretNameCheck(client_.GetEnrollment(job.name, deadline), job.name, job.id.device_id,
                         "dps: check name " + job.name, client_.Now());
  if (!answer.outcome.ok()) {
    return Failed(std::move(answer.outcome));
  }
  return protocol::JobResult{Outcome::Ok(), protocol::EncodeNameCheck(answer.result)};
}

protocol::JobResult DpsStep::Provision(const protocol::Job& job, Instant deadline) const {
  const std::string what = "dps: create enrollment " + job.name;
  if (job.name.empty()) {
    return Failed(Outcome::Permanent("dps: create enrollment: the job carries no name"));
  }
  Result<SymmetricKeys> fresh = GenerateSymmetricKeys();
  if (!fresh.ok()) {
    return Failed(Outcome::Retryable(what + ": " + fresh.status().message()));
  }
  EnrollmentSpec spec{job.name, job.id.device_id, std::move(fresh).value()};
  CreateAnswer created =
      InterpretCreate(client_.PutEnrollment(spec, deadline), what, client_.Now());
  if (created.kind == CreateAnswer::Kind::kFailed) {
    return Failed(std::move(created.outcome));
  }
  std::string primary_key = spec.keys.primary;
  if (created.kind == CreateAnswer::Kind::kExists) {
    Outcome ours = InterpretExisting(client_.GetEnrollment(job.name, deadline), job.name,
                                     job.id.device_id, created.conflict, what, client_.Now());
    if (!ours.ok()) {
      return Failed(std::move(ours));
    }
    // Keys are fixed by DPS once enrolled: hand over the ones it holds, not the ones just made.
    KeysAnswer held =
        InterpretAttestation(client_.GetAttestationMechanism(job.name, deadline),
                             "dps: read keys of enrollment " + job.name, client_.Now());
    if (!held.outcome.ok()) {
      return Failed(std::move(held.outcome));
    }
    primary_key = std::move(held.keys.primary);
    log::Info("dps enrollment already there and ours; its keys are handed over",
              {{"device_id", job.id.device_id}, {"registration_id", job.name}});
  }
  Result<std::string> sealed = SealForDevice(job, "symmetricKey", primary_key);
  if (!sealed.ok()) {
    return Failed(
        Outcome::Permanent(what + ": sealing the key to the device: " + sealed.status().message()));
  }
  protocol::DpsProvisionResult result;
  result.registration_id = job.name;
  result.id_scope = client_.settings().id_scope;
  result.global_endpoint = client_.settings().global_endpoint;
  result.sealed_symmetric_key = std::move(sealed).value();
  return protocol::JobResult{Outcome::Ok(), protocol::EncodeDpsProvision(result)};
}

protocol::JobResult DpsStep::Revoke(const protocol::Job& job, Instant deadline) const {
  const std::string what = "dps: delete enrollment " + job.name;
  if (job.name.empty()) {
    return Failed(Outcome::Permanent("dps: delete enrollment: the job carries no name"));
  }
  auto revoked = [&](std::string_view message) {
    log::Info(message, {{"device_id", job.id.device_id}, {"registration_id", job.name}});
    return protocol::JobResult{Outcome::Ok(), "{}"};
  };
  Outcome changed = Outcome::Ok();
  for (int round = 1; round <= kMaxDeleteRounds; ++round) {
    RevokeLookup lookup = InterpretRevokeLookup(client_.GetEnrollment(job.name, deadline),
                                                job.id.device_id, what, client_.Now());
    switch (lookup.kind) {
      case RevokeLookup::Kind::kFailed:
        return Failed(std::move(lookup.outcome));
      case RevokeLookup::Kind::kGone:
        return revoked("dps enrollment already gone");
      case RevokeLookup::Kind::kForeign:
        metrics::Inc("worker.dps.revoke_foreign_left_alone");
        log::Info("dps enrollment not deleted: it belongs to another device",
                  {{"device_id", job.id.device_id},
                   {"registration_id", job.name},
                   {"owner", lookup.owner.empty() ? "(untagged)" : lookup.owner}});
        return protocol::JobResult{Outcome::Ok(), "{}"};
      case RevokeLookup::Kind::kOurs:
        break;
    }
    DeleteAnswer deleted = InterpretDelete(
        client_.DeleteEnrollment(job.name, lookup.etag, deadline), what, client_.Now());
    switch (deleted.kind) {
      case DeleteAnswer::Kind::kFailed:
        return Failed(std::move(deleted.outcome));
      case DeleteAnswer::Kind::kDeleted:
        return revoked("dps enrollment deleted");
      case DeleteAnswer::Kind::kChanged:
        metrics::Inc("worker.dps.revoke_precondition_failed");
        changed = std::move(deleted.outcome);
        break;
    }
  }
  changed.error += " (changed " + std::to_string(kMaxDeleteRounds) + " times while being deleted)";
  return Failed(std::move(changed));
}

}  // namespace gps::worker::dps
