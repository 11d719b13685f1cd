#include "gps/protocol/job.h"

#include <charconv>
#include <vector>

#include "gps/crypto/encoding.h"
#include "gps/crypto/seal.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"

namespace gps::protocol {

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kMender:
      return "mender";
    case Step::kDps:
      return "dps";
    case Step::kVault:
      return "vault";
    case Step::kHubManifest:
      return "hub-manifest";
  }
  return "";
}

Result<Step> ParseStep(std::string_view text) {
  for (Step s : {Step::kMender, Step::kDps, Step::kVault, Step::kHubManifest}) {
    if (text == StepName(s)) {
      return s;
    }
  }
  return Status::InvalidArgument("unknown step '" + std::string(text.substr(0, 32)) + "'");
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kProvision:
      return "provision";
    case Action::kCheckName:
      return "check_name";
    case Action::kRevoke:
      return "revoke";
  }
  return "";
}

Result<Action> ParseAction(std::string_view text) {
  for (Action a : {Action::kProvision, Action::kCheckName, Action::kRevoke}) {
    if (text == ActionName(a)) {
      return a;
    }
  }
  return Status::InvalidArgument("unknown action '" + std::string(text.substr(0, 32)) + "'");
}

std::string FormatJobId(const JobId& id) {
  std::string out = id.device_id;
  out += ':';
  out += std::to_string(id.generation);
  out += ':';
  out += StepName(id.step);
  out += ':';
  out += ActionName(id.action);
  out += ':';
  out += std::to_string(id.attempt);
  return out;
}

namespace {

bool ParseNumber(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t* out) {
  if (text.empty() || text.size() > 18) {
    return false;
  }
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return false;
  }
  *out = v;
  return true;
}

}  // namespace

Result<JobId> ParseJobId(std::string_view text) {
  if (text.size() > 200) {
    return Status::InvalidArgument("job id: too long");
  }
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = text.find(':', start);
    parts.push_back(
        text.substr(start, colon == std::string_view::npos ? text.npos : colon - start));
    if (colon == std::string_view::npos) {
      break;
    }
    start = colon + 1;
  }
  if (parts.size() != 5) {
    return Status::InvalidArgument("job id: expected device:generation:step:action:attempt");
  }
  JobId id;
  id.device_id = std::string(parts[0]);
  if (!IsDeviceId(id.device_id)) {
    return Status::InvalidArgument("job id: bad device id");
  }
  if (!ParseNumber(parts[1], 0, 1'000'000'000, &id.generation)) {
    return Status::InvalidArgument("job id: bad generation");
  }
  GPS_ASSIGN_OR_RETURN(id.step, ParseStep(parts[2]));
  GPS_ASSIGN_OR_RETURN(id.action, ParseAction(parts[3]));
  std::int64_t attempt = 0;
  if (!ParseNumber(parts[4], 1, 1'000'000, &attempt)) {
    return Status::InvalidArgument("job id: bad attempt");
  }
  id.attempt = static_cast<int>(attempt);
  return id;
}

std::string EncodeJob(const Job& job) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("jobId", FormatJobId(job.id))
      .Field("deadline", job.deadline.ms)
      .Field("name", job.name)
      .Field("mac", job.mac)
      .Field("pubkey", job.pubkey_pem)
      .Field("transportKey", crypto::Base64Encode(job.transport_key));
  if (!job.csr_pem.empty()) {
    w.Field("csr", job.csr_pem);
  }
  w.Key("facts").Raw(job.facts_json).EndObject();
  return w.Take();
}

Result<Job> ParseJob(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(payload, kMaxJobBytes, "job"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::int64_t version, root.GetInt("v"));
  if (version != 1) {
    return Status::InvalidArgument("job: unsupported version " + std::to_string(version));
  }
  Job job;
  GPS_ASSIGN_OR_RETURN(std::string id, root.GetString("jobId", 200));
  GPS_ASSIGN_OR_RETURN(job.id, ParseJobId(id));
  GPS_ASSIGN_OR_RETURN(job.deadline.ms, root.GetInt("deadline"));
  GPS_ASSIGN_OR_RETURN(job.name, root.GetString("name", kMaxNameLength));
  if (!job.name.empty()) {
    GPS_RETURN_IF_ERROR(ValidateDeviceName(job.name).WithContext("job.name"));
  }
  GPS_ASSIGN_OR_RETURN(job.mac, root.GetString("mac", 17));
  if (!IsCanonicalMac(job.mac)) {
    return Status::InvalidArgument("job.mac: expected lower-case aa:bb:cc:dd:ee:ff");
  }
  GPS_ASSIGN_OR_RETURN(job.pubkey_pem, root.GetString("pubkey", kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(std::string tk, root.GetString("transportKey", 64));
  Result<std::string> tk_raw = crypto::Base64Decode(tk);
  if (!tk_raw.ok() || tk_raw->size() != crypto::kTransportKeySize) {
    return Status::InvalidArgument("job.transportKey: expected base64 of 32 bytes");
  }
  job.transport_key = std::move(tk_raw).value();
  GPS_ASSIGN_OR_RETURN(job.csr_pem, root.GetStringOr("csr", "", kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(json::Value facts, root.GetObject("facts"));
  job.facts_json = facts.Serialize();
  return job;
}

std::string EncodeJobResult(const JobResult& result) {
  json::Writer w;
  w.BeginObject().Field("v", 1).Field("outcome", OutcomeKindName(result.outcome.kind));
  if (!result.outcome.ok()) {
    w.Field("error", CapText(result.outcome.error, kMaxErrorTextBytes));
  }
  if (result.outcome.retryable() && result.outcome.retry_after_ms > 0) {
    w.Field("retryAfterMs", result.outcome.retry_after_ms);
  }
  w.Key("data").Raw(result.data_json).EndObject();
  return w.Take();
}

Result<JobResult> ParseJobResult(std::string_view payload) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(payload, kMaxResultBytes, "result"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::int64_t version, root.GetInt("v"));
  if (version != 1) {
    return Status::InvalidArgument("result: unsupported version " + std::to_string(version));
  }
  JobResult r;
  GPS_ASSIGN_OR_RETURN(std::string kind, root.GetString("outcome", 16));
  if (!ParseOutcomeKind(kind, &r.outcome.kind)) {
    return Status::InvalidArgument("result.outcome: expected ok, retryable or permanent");
  }
  GPS_ASSIGN_OR_RETURN(r.outcome.error, root.GetStringOr("error", "", kMaxErrorTextBytes));
  if (!r.outcome.ok() && r.outcome.error.empty()) {
    return Status::InvalidArgument("result.error: required when the outcome is not ok");
  }
  GPS_ASSIGN_OR_RETURN(r.outcome.retry_after_ms, root.GetIntOr("retryAfterMs", 0));
  if (r.outcome.retry_after_ms < 0 || r.outcome.retry_after_ms > 7LL * 24 * 3600 * 1000) {
    return Status::InvalidArgument("result.retryAfterMs: out of range");
  }
  GPS_ASSIGN_OR_RETURN(json::Value data, root.GetObject("data"));
  r.data_json = data.Serialize();
  return r;
}

std::string SecretContext(std::string_view device_id, Step step, std::string_view field) {
  std::string out = "gps/v1 secret ";
  out += device_id;
  out += ' ';
  out += StepName(step);
  out += ' ';
  out += field;
  return out;
}

}  // namespace gps::protocol
