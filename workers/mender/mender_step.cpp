#include "workers/mender/mender_step.h"

#include "gps/http/outcome.h"
#include "gps/http/parse_answer.h"
#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/limits.h"

namespace gps::worker::mender {

namespace {

// Search pages read at most. More devices than fit carrying one name cannot all be this gateway
// (the answer is "taken"); as many carrying one MAC are no set-up this worker made.
constexpr int kMaxSearchPages = 5;

// Compared as DER SPKI: the server re-serialises the PEM it was given.
bool HoldsKey(const Device& device, const crypto::PublicKey& key) {
  for (const std::string& pem : device.auth_set_pubkeys) {
    Result<crypto::PublicKey> held = crypto::PublicKey::FromPem(pem);
    if (held.ok() && held->spki_der() == key.spki_der()) {
      return true;
    }
  }
  return false;
}

// Decides on the device that already holds the MAC.
PreauthorizeAnswer JudgeExisting(const Device& device, const crypto::PublicKey& our_key,
                                 const std::string& prefix) {
  if (device.decommissioning) {
    // Once the decommission workflow has removed it, the MAC is free to pre-authorise again.
    return {Outcome::Retryable(prefix + ": HTTP 409: Mender device " + device.id +
                               " with this MAC is being decommissioned"),
            ""};
  }
  if (HoldsKey(device, our_key)) {
    metrics::Inc("worker.mender.preauth_conflict_ours");
    return {Outcome::Ok(), device.id};
  }
  metrics::Inc("worker.mender.preauth_conflict_foreign");
  return {Outcome::Permanent(prefix +
                             ": HTTP 409: MAC already pre-authorised with another key (Mender "
                             "device " +
                             device.id + ")"),
          ""};
}

}  // namespace

protocol::NameCheckResult DecideNameCheck(const std::vector<InventoryDevice>& holders,
                                          std::string_view mac) {
  for (const InventoryDevice& d : holders) {
    // A holder whose identity MAC inventory does not show (yet) cannot be told apart from a
    // stranger, so it counts as one: a false "taken" is visible and retryable, a false "free"
    // would give two gateways one name.
    if (!d.mac || *d.mac != mac) {
      return protocol::NameCheckResult{false, "used by Mender device " + d.id};
    }
  }
  return protocol::NameCheckResult{true, ""};
}

PreauthorizeAnswer InterpretPreauthorize(const Result<http::Response>& response,
                                         const crypto::PublicKey& our_key, std::string_view what,
                                         Instant now) {
  const std::string prefix(what);
  if (response.ok() && response->status >= 200 && response->status < 300) {
    std::optional<std::string> location = response->HeaderValue("Location");
    Result<std::string> id =
        location ? DeviceIdFromLocation(*location)
                 : Result<std::string>(Status::InvalidArgument("no Location header"));
    if (!id.ok()) {
      metrics::Inc("worker.mender.preauth_no_location");
      // The device exists now; the next attempt meets a 409 and reads the id from its body.
      return {Outcome::Retryable(prefix + ": HTTP " + std::to_string(response->status) +
                                 " without a usable device id: " + id.status().message()),
              ""};
    }
    return {Outcome::Ok(), std::move(id).value()};
  }
  if (response.ok() && response->status == 409) {
    Result<Device> device = ParseDevice(response->body);
    if (!device.ok()) {
      return {Outcome::Permanent(
                  prefix + ": HTTP 409 with an unreadable body: " + device.status().message()),
              ""};
    }
    if (!device->decommissioning && device->auth_set_pubkeys.empty()) {
      // deviceauth keeps auth sets apart from the device record, so a 409 body may list none;
      // the device itself (GET devauth/devices/{id}) shows them.
      metrics::Inc("worker.mender.preauth_conflict_keys_unlisted");
      return {Outcome::Permanent(prefix + ": HTTP 409: MAC already pre-authorised (Mender device " +
                                 device->id + ") and its keys were not read"),
              device->id, true};
    }
    return JudgeExisting(*device, our_key, prefix);
  }
  Outcome outcome = http::Classify(response, what, now);
  if (outcome.ok()) {
    // Unreachable: every 2xx is handled above. Kept so a change there cannot yield a fake success.
    outcome = Outcome::Permanent(prefix + ": unexpected answer");
  }
  return {std::move(outcome), ""};
}

PreauthorizeAnswer InterpretDeviceLookup(const Result<http::Response>& response,
                                         const crypto::PublicKey& our_key,
                                         std::string_view device_id, std::string_view what,
                                         Instant now) {
  const std::string prefix(what);
  if (response.ok() && response->status == 404) {
    return {Outcome::Retryable(prefix + ": Mender device " + std::string(device_id) +
                               " answered 409 and then vanished"),
            ""};
  }
  const std::string read = prefix + ": read device " + std::string(device_id);
  Device device;
  Outcome outcome = http::ParseAnswer(response, read, now, ParseDevice, &device);
  if (!outcome.ok()) {
    return {std::move(outcome), ""};
  }
  if (device.id != device_id) {
    return {Outcome::Permanent(read + ": the answer is device " + device.id), ""};
  }
  return JudgeExisting(device, our_key, prefix);
}

TagsAnswer InterpretReadTags(const Result<http::Response>& response, std::string_view what,
                             Instant now) {
  if (response.ok() && response->status == 404) {
    metrics::Inc("worker.mender.inventory_not_yet");
    return {Outcome::Retryable(std::string(what) +
                               ": HTTP 404: the device is not in the inventory yet (it is filled "
                               "shortly after pre-authorisation)"),
            {},
            ""};
  }
  TagsAnswer answer;
  answer.outcome = http::ParseAnswer(response, what, now, ParseInventoryTags, &answer.tags);
  if (answer.outcome.ok()) {
    answer.etag = response->HeaderValue("ETag").value_or("");
  }
  return answer;
}

std::optional<std::vector<Tag>> TagsWithName(const std::vector<Tag>& tags, std::string_view name) {
  const std::string value = json::Quote(name);
  std::vector<Tag> out = tags;
  for (Tag& t : out) {
    if (t.name == "name") {
      if (t.value_json == value) {
        return std::nullopt;
      }
      t.value_json = value;
      return out;
    }
  }
  out.push_back(Tag{"name", value, ""});
  return out;
}

Outcome InterpretWriteTags(const Result<http::Response>& response, std::string_view what,
                           Instant now) {
  if (response.ok() && response->status == 412) {
    metrics::Inc("worker.mender.tags_precondition_failed");
    return Outcome::Retryable(
        std::string(what) +
        ": HTTP 412: the tags changed since they were read: " + http::ErrorText(*response));
  }
  return http::Classify(response, what, now);
}

Outcome InterpretDecommission(const Result<http::Response>& response, std::string_view what,
                              Instant now) {
  if (response.ok() && response->status == 404) {
    return Outcome::Ok();
  }
  return http::Classify(response, what, now);
}

Result<std::string> MenderDeviceIdFromFacts(std::string_view facts_json) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(facts_json, protocol::kMaxJobBytes, "job.facts"));
  GPS_ASSIGN_OR_RETURN(std::string id, doc.Root().GetStringOr("menderDeviceId", "", 128));
  if (!id.empty() && !IsMenderId(id)) {
    return Status::InvalidArgument("job.facts.menderDeviceId: '" + id +
                                   "' is not a Mender device id");
  }
  return id;
}

std::vector<std::string> DevicesWithMac(const std::vector<InventoryDevice>& found,
                                        std::string_view mac) {
  std::vector<std::string> ids;
  for (const InventoryDevice& d : found) {
    if (d.mac && *d.mac == mac) {
      ids.push_back(d.id);
    }
  }
  return ids;
}

RevokeCandidate InterpretRevokeCandidate(const Result<http::Response>& response,
                                         const crypto::PublicKey& our_key,
                                         std::string_view device_id, std::string_view what,
                                         Instant now) {
  if (response.ok() && response->status == 404) {
    return {Outcome::Ok(), false};
  }
  const std::string read = std::string(what) + ": read device " + std::string(device_id);
  Device device;
  Outcome outcome = http::ParseAnswer(response, read, now, ParseDevice, &device);
  if (!outcome.ok()) {
    return {std::move(outcome), false};
  }
  if (device.id != device_id) {
    return {Outcome::Permanent(read + ": the answer is device " + device.id), false};
  }
  return {Outcome::Ok(), !device.decommissioning && HoldsKey(device, our_key)};
}

protocol::JobResult MenderStep::CheckName(const protocol::Job& job, Instant deadline) const {
  if (job.name.empty()) {
    return Failed(Outcome::Permanent("mender: check name: the job carries no name"));
  }
  const std::string what = "mender: check name " + job.name;
  std::vector<InventoryDevice> holders;
  for (int page = 1; page <= kMaxSearchPages; ++page) {
    Result<http::Response> response = client_.SearchByName(job.name, page, deadline);
    std::vector<InventoryDevice> devices;
    Outcome outcome =
        http::ParseAnswer(response, what, client_.Now(), ParseSearchResults, &devices);
    if (!outcome.ok()) {
      return Failed(std::move(outcome));
    }
    bool last_page = devices.size() < static_cast<std::size_t>(kSearchPageSize);
    holders.insert(holders.end(), devices.begin(), devices.end());
    protocol::NameCheckResult decision = DecideNameCheck(holders, job.mac);
    if (!decision.available || last_page) {
      return protocol::JobResult{Outcome::Ok(), protocol::EncodeNameCheck(decision)};
    }
  }
  return protocol::JobResult{
      Outcome::Ok(),
      protocol::EncodeNameCheck({false, "carried by more than " +
                                            std::to_string(kMaxSearchPages * kSearchPageSize) +
                                            " Mender devices"})};
}

protocol::JobResult MenderStep::Provision(const protocol::Job& job, Instant deadline) const {
  const std::string what = "mender: preauthorize " + job.mac;
  if (job.name.empty()) {
    return Failed(Outcome::Permanent(what + ": the job carries no name"));
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(job.pubkey_pem);
  if (!key.ok()) {
    return Failed(Outcome::Permanent(what + ": device key: " + key.status().message()));
  }
  PreauthorizeAnswer pre = InterpretPreauthorize(
      client_.Preauthorize(job.mac, job.pubkey_pem, deadline), *key, what, client_.Now());
  if (pre.keys_unknown) {
    pre = InterpretDeviceLookup(client_.GetDevauthDevice(pre.device_id, deadline), *key,
                                pre.device_id, what, client_.Now());
  }
  if (!pre.outcome.ok()) {
    return Failed(std::move(pre.outcome));
  }
  log::Info("mender device pre-authorised",
            {{"device_id", job.id.device_id}, {"mender_device_id", pre.device_id}});
  Outcome tagged = SetNameTag(pre.device_id, job.name, deadline);
  if (!tagged.ok()) {
    return Failed(std::move(tagged));
  }
  return protocol::JobResult{Outcome::Ok(), protocol::EncodeMenderProvision({pre.device_id})};
}

Outcome MenderStep::SetNameTag(const std::string& device_id, const std::string& name,
                               Instant deadline) const {
  TagsAnswer read = InterpretReadTags(client_.GetInventoryDevice(device_id, deadline),
                                      "mender: read tags of " + device_id, client_.Now());
  if (!read.outcome.ok()) {
    return read.outcome;
  }
  std::optional<std::vector<Tag>> wanted = TagsWithName(read.tags, name);
  if (!wanted) {
    return Outcome::Ok();
  }
  return InterpretWriteTags(client_.PutTags(device_id, *wanted, read.etag, deadline),
                            "mender: set name tag of " + device_id, client_.Now());
}

protocol::JobResult MenderStep::Revoke(const protocol::Job& job, Instant deadline) const {
  Result<std::string> fact = MenderDeviceIdFromFacts(job.facts_json);
  if (!fact.ok()) {
    return Failed(Outcome::Permanent("mender: decommission: " + fact.status().message()));
  }
  if (!fact->empty()) {
    Outcome done = Decommission(*fact, deadline);
    if (!done.ok()) {
      return Failed(std::move(done));
    }
    log::Info("mender device decommissioned",
              {{"device_id", job.id.device_id}, {"mender_device_id", *fact}});
    return protocol::JobResult{Outcome::Ok(), "{}"};
  }
  // No provision result to go by (it was lost, or the provision never finished): the device is
  // found the way the gateway identifies itself, and only with the gateway's own key.
  const std::string what = "mender: decommission " + job.mac;
  if (job.mac.empty()) {
    return Failed(Outcome::Permanent(
        "mender: decommission: the job carries neither facts.menderDeviceId nor a MAC"));
  }
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(job.pubkey_pem);
  if (!key.ok()) {
    return Failed(Outcome::Permanent(what + ": device key: " + key.status().message()));
  }
  std::vector<std::string> ids;
  Outcome found = FindByMac(job.mac, deadline, &ids);
  if (!found.ok()) {
    return Failed(std::move(found));
  }
  int decommissioned = 0;
  for (const std::string& id : ids) {
    RevokeCandidate candidate = InterpretRevokeCandidate(client_.GetDevauthDevice(id, deadline),
                                                         *key, id, what, client_.Now());
    if (!candidate.outcome.ok()) {
      return Failed(std::move(candidate.outcome));
    }
    if (!candidate.decommission) {
      log::Info("mender device with this MAC left alone: gone, leaving, or not holding our key",
                {{"device_id", job.id.device_id}, {"mender_device_id", id}});
      continue;
    }
    Outcome done = Decommission(id, deadline);
    if (!done.ok()) {
      return Failed(std::move(done));
    }
    ++decommissioned;
    log::Info("mender device decommissioned",
              {{"device_id", job.id.device_id}, {"mender_device_id", id}});
  }
  if (decommissioned == 0) {
    log::Info("no mender device of this gateway to decommission",
              {{"device_id", job.id.device_id}, {"mac", job.mac}});
  }
  return protocol::JobResult{Outcome::Ok(), "{}"};
}

Outcome MenderStep::FindByMac(const std::string& mac, Instant deadline,
                              std::vector<std::string>* ids) const {
  const std::string what = "mender: find devices with MAC " + mac;
  for (int page = 1; page <= kMaxSearchPages; ++page) {
    std::vector<InventoryDevice> devices;
    Outcome outcome = http::ParseAnswer(client_.SearchByMac(mac, page, deadline), what,
                                        client_.Now(), ParseSearchResults, &devices);
    if (!outcome.ok()) {
      return outcome;
    }
    std::vector<std::string> matching = DevicesWithMac(devices, mac);
    ids->insert(ids->end(), matching.begin(), matching.end());
    if (devices.size() < static_cast<std::size_t>(kSearchPageSize)) {
      return Outcome::Ok();
    }
  }
  return Outcome::Permanent(what + ": more than " +
                            std::to_string(kMaxSearchPages * kSearchPageSize) +
                            " Mender devices carry it; decommission them by id");
}

Outcome MenderStep::Decommission(const std::string& device_id, Instant deadline) const {
  return InterpretDecommission(client_.Decommission(device_id, deadline),
                               "mender: decommission " + device_id, client_.Now());
}

}  // namespace gps::worker::mender
