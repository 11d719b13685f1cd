#include "engine/shell/outbox.h"

#include "engine/saga/job_facts.h"
#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/protocol/command.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "gps/protocol/topics.h"

namespace gps::engine {

namespace {

std::string StatusText(const saga::Saga& s) {
  switch (s.phase) {
    case saga::Phase::kPending:
      return s.last_error.empty() ? "waiting for an operator to approve this device"
                                  : "waiting for an operator; last attempt: " + s.last_error;
    case saga::Phase::kCheckingName:
      return "approved as '" + s.name + "'; checking the name";
    case saga::Phase::kProvisioning:
      return "approved as '" + s.name + "'; creating credentials";
    case saga::Phase::kDelivering:
      return "credentials for '" + s.name + "' sent; waiting for the device's ack";
    case saga::Phase::kProvisioned:
      return "provisioned as '" + s.name + "'";
    case saga::Phase::kRevoking:
      return "'" + s.name + "' is being revoked";
    case saga::Phase::kRevoked:
      return "'" + s.name + "' was revoked";
    case saga::Phase::kFailed:
    case saga::Phase::kDismissed:
      return s.last_error;
  }
  return "";
}

OutboxEntry Publish(mqtt::Message m) {
  OutboxEntry e;
  e.op = OutboxEntry::Op::kPublish;
  e.message = std::move(m);
  return e;
}

// A job goes to its step's worker group; the answer comes back on the step's results topic with
// the job id as correlation data.
OutboxEntry PublishJob(const protocol::Job& job) {
  std::string step(protocol::StepName(job.id.step));
  mqtt::Message m;
  m.topic = protocol::JobTopic(step);
  m.payload = protocol::EncodeJob(job);
  m.response_topic = protocol::ResultTopic(step);
  m.correlation_data = protocol::FormatJobId(job.id);
  return Publish(std::move(m));
}

OutboxEntry RenderJob(const saga::Saga& s, saga::Slot slot) {
  const saga::StepState& st = s.steps.at(slot);
  protocol::Job job;
  job.id.device_id = s.device_id;
  job.id.generation = s.generation;
  job.id.step = saga::SlotStep(slot);
  job.id.action = saga::SlotAction(slot);
  job.id.attempt = st.attempt;
  job.deadline = st.deadline;
  job.name = s.name;
  job.mac = s.mac;
  job.pubkey_pem = s.pubkey_pem;
  job.transport_key = s.transport_key;
  job.csr_pem = s.csr_pem;
  job.facts_json = JobFacts(s, slot);
  return PublishJob(job);
}

OutboxEntry RenderRevoke(const saga::Saga& s, const RevokeCertificate& cmd, Instant now) {
  protocol::Job job;
  job.id.device_id = s.device_id;
  job.id.generation = cmd.generation;
  job.id.step = protocol::Step::kVault;
  job.id.action = protocol::Action::kRevoke;
  job.id.attempt = std::max(cmd.attempt, 1);
  job.deadline = now + kRevokeLeaseMs;
  // No name: a name would make the worker revoke every live certificate of the device, the
  // delivered one too; this revokes one orphan.
  job.mac = s.mac;
  job.pubkey_pem = s.pubkey_pem;
  job.transport_key = s.transport_key;
  json::Writer facts;
  facts.BeginObject().Field("serial", cmd.serial).EndObject();
  job.facts_json = facts.Take();
  return PublishJob(job);
}

}  // namespace

bool LeaseCovers(const OutboxEntry& entry) {
  if (entry.op != OutboxEntry::Op::kPublish || !protocol::IsJobTopic(entry.message.topic)) {
    return false;
  }
  Result<protocol::Job> job = protocol::ParseJob(entry.message.payload);
  return job.ok() && job->id.action != protocol::Action::kRevoke;
}

bool operator==(const OutboxEntry& a, const OutboxEntry& b) {
  return a.op == b.op && a.name == b.name && a.bundle_id == b.bundle_id &&
         a.message.topic == b.message.topic && a.message.payload == b.message.payload &&
         a.message.qos == b.message.qos && a.message.retained == b.message.retained &&
         a.message.response_topic == b.message.response_topic &&
         a.message.correlation_data == b.message.correlation_data &&
         a.message.message_expiry_s == b.message.message_expiry_s;
}

std::vector<OutboxEntry> Render(const saga::Saga& s, const std::vector<Command>& commands,
                                Instant now) {
  std::vector<OutboxEntry> out;
  for (const Command& c : commands) {
    std::visit(
        [&](const auto& cmd) {
          using C = std::decay_t<decltype(cmd)>;
          if constexpr (std::is_same_v<C, DispatchJob>) {
            out.push_back(RenderJob(s, cmd.slot));
          } else if constexpr (std::is_same_v<C, PublishStatus>) {
            protocol::StatusMessage status{s.device_id, std::string(saga::ApiState(s.phase)),
                                           StatusText(s), now.ms};
            mqtt::Message m;
            m.topic = protocol::DeviceTopic(s.device_id, protocol::DeviceTopicKind::kStatus);
            m.payload = protocol::EncodeStatus(status);
            m.retained = true;
            m.message_expiry_s = kStatusExpirySeconds;
            out.push_back(Publish(std::move(m)));
          } else if constexpr (std::is_same_v<C, PublishCredentials>) {
            mqtt::Message m;
            m.topic = protocol::DeviceTopic(s.device_id, protocol::DeviceTopicKind::kCredentials);
            m.payload = protocol::EncodeCredentials({s.device_id, s.bundle_id, s.sealed_bundle});
            out.push_back(Publish(std::move(m)));
          } else if constexpr (std::is_same_v<C, SendReply>) {
            mqtt::Message m;
            m.topic = cmd.target.topic;
            m.correlation_data = cmd.target.correlation;
            m.payload = protocol::EncodeReply({cmd.status, cmd.message});
            out.push_back(Publish(std::move(m)));
          } else if constexpr (std::is_same_v<C, RevokeCertificate>) {
            out.push_back(RenderRevoke(s, cmd, now));
          } else if constexpr (std::is_same_v<C, ReleaseName>) {
            OutboxEntry e;
            e.op = OutboxEntry::Op::kReleaseName;
            e.name = cmd.name;
            out.push_back(std::move(e));
          } else {
            OutboxEntry e;
            e.op = OutboxEntry::Op::kSealBundle;
            e.bundle_id = s.bundle_id;
            out.push_back(std::move(e));
          }
        },
        c);
  }
  return out;
}

std::string EncodeEntry(const OutboxEntry& e) {
  json::Writer w;
  w.BeginObject();
  switch (e.op) {
    case OutboxEntry::Op::kPublish:
      w.Field("op", "publish")
          .Field("topic", e.message.topic)
          .Field("payload", e.message.payload)
          .Field("qos", e.message.qos)
          .Field("retain", e.message.retained)
          .Field("expiry", e.message.message_expiry_s)
          .Field("responseTopic", e.message.response_topic)
          .Field("correlation", crypto::Base64Encode(e.message.correlation_data));
      break;
    case OutboxEntry::Op::kReleaseName:
      w.Field("op", "release_name").Field("name", e.name);
      break;
    case OutboxEntry::Op::kSealBundle:
      w.Field("op", "seal_bundle").Field("bundleId", e.bundle_id);
      break;
  }
  w.EndObject();
  return w.Take();
}

Result<OutboxEntry> DecodeEntry(std::string_view text) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(text, 1 << 20, "outbox entry"));
  json::Value root = doc.Root();
  GPS_ASSIGN_OR_RETURN(std::string op, root.GetString("op", 32));
  OutboxEntry e;
  if (op == "publish") {
    e.op = OutboxEntry::Op::kPublish;
    GPS_ASSIGN_OR_RETURN(e.message.topic, root.GetString("topic", 512));
    GPS_ASSIGN_OR_RETURN(e.message.payload, root.GetString("payload", 1 << 20));
    GPS_ASSIGN_OR_RETURN(std::int64_t qos, root.GetInt("qos"));
    e.message.qos = static_cast<int>(qos);
    GPS_ASSIGN_OR_RETURN(e.message.retained, root.GetBool("retain"));
    GPS_ASSIGN_OR_RETURN(std::int64_t expiry, root.GetIntOr("expiry", 0));
    e.message.message_expiry_s = static_cast<int>(expiry);
    GPS_ASSIGN_OR_RETURN(e.message.response_topic, root.GetStringOr("responseTopic", "", 512));
    GPS_ASSIGN_OR_RETURN(std::string corr, root.GetStringOr("correlation", "", 1024));
    GPS_ASSIGN_OR_RETURN(e.message.correlation_data, crypto::Base64Decode(corr));
  } else if (op == "release_name") {
    e.op = OutboxEntry::Op::kReleaseName;
    GPS_ASSIGN_OR_RETURN(e.name, root.GetString("name", 256));
  } else if (op == "seal_bundle") {
    e.op = OutboxEntry::Op::kSealBundle;
    GPS_ASSIGN_OR_RETURN(e.bundle_id, root.GetString("bundleId", 128));
  } else {
    return Status::InvalidArgument("outbox entry: unknown op '" + op + "'");
  }
  return e;
}

bool StillWanted(const OutboxEntry& entry, const saga::Saga& current) {
  if (entry.op != OutboxEntry::Op::kPublish || !protocol::IsJobTopic(entry.message.topic)) {
    return true;
  }
  Result<protocol::Job> job = protocol::ParseJob(entry.message.payload);
  if (!job.ok()) {
    return true;  // not ours to judge; the worker refuses it
  }
  if (job->id.step == protocol::Step::kVault && job->id.action == protocol::Action::kRevoke &&
      job->name.empty()) {
    return true;  // an orphaned certificate's revocation is wanted whatever the saga does next
  }
  std::optional<saga::Slot> slot = saga::SlotFor(job->id.step, job->id.action);
  if (!slot || job->id.generation != current.generation) {
    return false;
  }
  auto it = current.steps.find(*slot);
  return it != current.steps.end() && it->second.status == saga::StepStatus::kRunning &&
         it->second.attempt == job->id.attempt;
}

}  // namespace gps::engine
