#include "gps/testing/bad_jobs.h"

#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/names.h"
#include "gps/protocol/topics.h"

namespace gps::testing {

namespace {

// Rows the worker answers get attempts from here on; four digits each, so giving a row its own id
// never changes a payload's length.
constexpr int kFirstAttempt = 1000;
// Far in the future: a row is refused for what it is, never for being late.
constexpr Instant kDeadline{4102444800000};

protocol::Job BaseJob(protocol::Step step, const std::string& device_id,
                      const std::string& pubkey_pem, int attempt, Instant deadline) {
  protocol::Job job;
  job.id = {device_id, 1, step, protocol::Action::kCheckName, attempt};
  job.deadline = deadline;
  job.name = "gw-bad-input";
  job.mac = "02:00:00:00:0b:01";
  job.pubkey_pem = pubkey_pem;
  job.transport_key = std::string(32, 'k');
  return job;
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

}  // namespace

mqtt::Message ValidJobMessage(protocol::Step step, const std::string& device_id,
                              const std::string& pubkey_pem, int attempt, Instant deadline) {
  protocol::Job job = BaseJob(step, device_id, pubkey_pem, attempt, deadline);
  mqtt::Message m;
  m.topic = protocol::JobTopic(protocol::StepName(step));
  m.payload = protocol::EncodeJob(job);
  m.response_topic = protocol::ResultTopic(protocol::StepName(step));
  m.correlation_data = protocol::FormatJobId(job.id);
  return m;
}

std::vector<BadJob> BadJobs(protocol::Step step, const std::string& device_id,
                            const std::string& pubkey_pem) {
  const protocol::Job base = BaseJob(step, device_id, pubkey_pem, kFirstAttempt, kDeadline);
  const Members members = MembersOf(protocol::EncodeJob(base));
  const mqtt::Message valid =
      ValidJobMessage(step, device_id, pubkey_pem, kFirstAttempt, kDeadline);
  const std::string step_name(protocol::StepName(step));
  const protocol::Step other =
      step == protocol::Step::kDps ? protocol::Step::kVault : protocol::Step::kDps;
  auto id_of = [&](protocol::Step s, int attempt) {
    return protocol::FormatJobId({device_id, 1, s, protocol::Action::kCheckName, attempt});
  };
  auto with = [&](const std::string& key, const std::string& raw) {
    return ObjectText(WithMember(members, key, raw));
  };

  ObjectSpec spec;
  spec.what = "job";
  spec.max_bytes = protocol::kMaxJobBytes;
  spec.members = members;
  spec.required = {"v", "jobId", "deadline", "name", "mac", "pubkey", "transportKey", "facts"};
  spec.optional = {{"csr", "\"-----BEGIN CERTIFICATE REQUEST-----\""}};
  spec.string_limits = {{"jobId", 200},       {"name", protocol::kMaxNameLength},
                        {"mac", 17},          {"pubkey", protocol::kMaxPemBytes},
                        {"transportKey", 64}, {"csr", protocol::kMaxPemBytes}};

  std::vector<BadJob> table;
  for (BadMessage& row : CommonBadMessages(valid, spec)) {
    table.push_back({std::move(row), true});
  }
  auto answered = [&](std::string name, std::string payload, std::string error) {
    table.push_back(
        {WithPayload(valid, std::move(name), std::move(payload), std::move(error)), true});
  };
  answered("jobId not a job id", with("jobId", "\"not-a-job-id\""),
           "job id: expected device:generation:step:action:attempt");
  answered("jobId of attempt 0", with("jobId", json::Quote(id_of(step, 0))), "job id: bad attempt");
  answered(
      "jobId with an escaped NUL",
      with("jobId", "\"" + device_id.substr(0, 63) + "\\u0000:1:" + step_name + ":check_name:1\""),
      "job id: bad device id");
  answered("name with an escaped NUL", with("name", "\"gw\\u0000\""),
           "job.name: name may contain only lower-case letters, digits and '-'");
  answered("deadline above int64", with("deadline", "9223372036854775808"),
           "job.deadline: integer out of range");
  answered("deadline 1e300", with("deadline", "1e300"), "job.deadline: integer out of range");
  answered("facts nested 300 deep",
           with("facts", "{\"a\":" + std::string(300, '[') + std::string(300, ']') + "}"),
           "job: nested deeper than 256 levels");
  answered("a job of another step", with("jobId", json::Quote(id_of(other, kFirstAttempt))),
           "job for step " + std::string(protocol::StepName(other)) + " arrived at the " +
               step_name + " worker");
  answered("a job id other than its correlation data",
           with("jobId", json::Quote(id_of(step, kFirstAttempt - 1))),
           "correlation data does not match the job id");

  // Rows the worker cannot answer: nobody to tell which job it was, or nowhere it may say so.
  auto dropped = [&](std::string name, std::string correlation, std::string response_topic,
                     std::string payload, std::string error) {
    BadMessage row = WithPayload(valid, std::move(name), std::move(payload), std::move(error));
    row.message.correlation_data = std::move(correlation);
    row.message.response_topic = std::move(response_topic);
    table.push_back({std::move(row), false});
  };
  const std::string results = valid.response_topic;
  const std::string mismatch = "correlation data does not match the job id";
  dropped("no correlation data", "", results, valid.payload, mismatch);
  dropped("correlation data not a job id", "job-7", results, valid.payload, mismatch);
  dropped("correlation data 10 KiB long", std::string(10240, 'c'), results, valid.payload,
          mismatch);
  dropped("correlation data with invalid UTF-8", "\xff\xfe", results, valid.payload, mismatch);
  dropped("correlation data naming a job of another step", id_of(other, kFirstAttempt), results,
          valid.payload, mismatch);
  dropped("not JSON, correlation data naming a job of another step", id_of(other, kFirstAttempt),
          results, "hello", "job: not valid JSON");
  dropped("not JSON, without correlation data", "", results, "hello", "job: not valid JSON");
  dropped("no response topic", valid.correlation_data, "", valid.payload,
          "response topic must be " + results);
  dropped("the response topic of another step", valid.correlation_data,
          protocol::ResultTopic(protocol::StepName(other)), valid.payload,
          "response topic must be " + results);
  dropped("a device's credentials topic as response topic", valid.correlation_data,
          protocol::DeviceTopic(device_id, protocol::DeviceTopicKind::kCredentials), valid.payload,
          "response topic must be " + results);
  dropped("not JSON, to a device's credentials topic", valid.correlation_data,
          protocol::DeviceTopic(device_id, protocol::DeviceTopicKind::kCredentials), "hello",
          "job: not valid JSON");

  // Every answered row gets its own job id, in its correlation data and wherever the payload
  // names the shared one.
  const std::string shared = valid.correlation_data;
  int attempt = kFirstAttempt;
  for (BadJob& job : table) {
    if (!job.answered) {
      continue;
    }
    const std::string own = id_of(step, ++attempt);
    ReplaceAll(job.row.message.payload, shared, own);
    job.row.message.correlation_data = own;
  }
  return table;
}

}  // namespace gps::testing
