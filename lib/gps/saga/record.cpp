#include "gps/saga/record.h"

#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"

namespace gps::saga {

namespace {

constexpr Phase kPhases[] = {Phase::kPending,    Phase::kCheckingName, Phase::kProvisioning,
                             Phase::kDelivering, Phase::kProvisioned,  Phase::kFailed,
                             Phase::kDismissed,  Phase::kRevoking,     Phase::kRevoked};
constexpr Slot kSlots[] = {Slot::kMenderName,   Slot::kDpsName,   Slot::kMender,
                           Slot::kDps,          Slot::kVault,     Slot::kHubManifest,
                           Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke,
                           Slot::kHubRevoke};
constexpr StepStatus kStepStatuses[] = {StepStatus::kIdle, StepStatus::kRunning,
                                        StepStatus::kWaiting, StepStatus::kSucceeded,
                                        StepStatus::kFailed};

Result<StepStatus> ParseStepStatus(std::string_view text) {
  for (StepStatus s : kStepStatuses) {
    if (text == StepStatusName(s)) {
      return s;
    }
  }
  return Status::InvalidArgument("saga: unknown step status '" + std::string(text) + "'");
}

Result<std::string> Base64Field(const json::Value& v, std::string_view key, std::size_t max) {
  GPS_ASSIGN_OR_RETURN(std::string b64, v.GetStringOr(key, "", max));
  Result<std::string> raw = crypto::Base64Decode(b64);
  if (!raw.ok()) {
    return Status::InvalidArgument(v.path() + "." + std::string(key) + ": not base64");
  }
  return raw;
}

}  // namespace

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kPending:
      return "pending";
    case Phase::kCheckingName:
      return "checking_name";
    case Phase::kProvisioning:
      return "provisioning";
    case Phase::kDelivering:
      return "delivering";
    case Phase::kProvisioned:
      return "provisioned";
    case Phase::kFailed:
      return "failed";
    case Phase::kDismissed:
      return "dismissed";
    case Phase::kRevoking:
      return "revoking";
    case Phase::kRevoked:
      return "revoked";
  }
  return "pending";
}

Result<Phase> ParsePhase(std::string_view text) {
  for (Phase p : kPhases) {
    if (text == PhaseName(p)) {
      return p;
    }
  }
  return Status::InvalidArgument("saga: unknown phase '" + std::string(text) + "'");
}

std::string_view ApiState(Phase phase) {
  switch (phase) {
    case Phase::kPending:
      return "pending";
    case Phase::kCheckingName:
    case Phase::kProvisioning:
    case Phase::kDelivering:
      return "provisioning";
    case Phase::kProvisioned:
      return "provisioned";
    case Phase::kFailed:
      return "failed";
    case Phase::kDismissed:
      return "dismissed";
    case Phase::kRevoking:
      return "revoking";
    case Phase::kRevoked:
      return "revoked";
  }
  return "pending";
}

std::string_view SlotName(Slot slot) {
  switch (slot) {
    case Slot::kMenderName:
      return "menderName";
    case Slot::kDpsName:
      return "dpsName";
    case Slot::kMender:
      return "mender";
    case Slot::kDps:
      return "dps";
    case Slot::kVault:
      return "vault";
    case Slot::kHubManifest:
      return "hubManifest";
    case Slot::kMenderRevoke:
      return "menderRevoke";
    case Slot::kDpsRevoke:
      return "dpsRevoke";
    case Slot::kVaultRevoke:
      return "vaultRevoke";
    case Slot::kHubRevoke:
      return "hubRevoke";
  }
  return "";
}

Result<Slot> ParseSlot(std::string_view text) {
  for (Slot s : kSlots) {
    if (text == SlotName(s)) {
      return s;
    }
  }
  return Status::InvalidArgument("saga: unknown step '" + std::string(text) + "'");
}

protocol::Step SlotStep(Slot slot) {
  switch (slot) {
    case Slot::kMenderName:
    case Slot::kMender:
    case Slot::kMenderRevoke:
      return protocol::Step::kMender;
    case Slot::kDpsName:
    case Slot::kDps:
    case Slot::kDpsRevoke:
      return protocol::Step::kDps;
    case Slot::kVault:
    case Slot::kVaultRevoke:
      return protocol::Step::kVault;
    case Slot::kHubManifest:
    case Slot::kHubRevoke:
      return protocol::Step::kHubManifest;
  }
  return protocol::Step::kMender;
}

protocol::Action SlotAction(Slot slot) {
  switch (slot) {
    case Slot::kMenderName:
    case Slot::kDpsName:
      return protocol::Action::kCheckName;
    case Slot::kMenderRevoke:
    case Slot::kDpsRevoke:
    case Slot::kVaultRevoke:
    case Slot::kHubRevoke:
      return protocol::Action::kRevoke;
    default:
      return protocol::Action::kProvision;
  }
}

std::optional<Slot> SlotFor(protocol::Step step, protocol::Action action) {
  for (Slot s : kSlots) {
    if (SlotStep(s) == step && SlotAction(s) == action) {
      return s;
    }
  }
  return std::nullopt;
}

std::string_view StepStatusName(StepStatus s) {
  switch (s) {
    case StepStatus::kIdle:
      return "idle";
    case StepStatus::kRunning:
      return "running";
    case StepStatus::kWaiting:
      return "waiting";
    case StepStatus::kSucceeded:
      return "succeeded";
    case StepStatus::kFailed:
      return "failed";
  }
  return "idle";
}

std::optional<Instant> NextDue(const Saga& s) {
  std::optional<Instant> due;
  auto earliest = [&](Instant at) {
    if (!due || at < *due) {
      due = at;
    }
  };
  for (const auto& [slot, st] : s.steps) {
    if (st.status == StepStatus::kRunning) {
      earliest(st.deadline);
    } else if (st.status == StepStatus::kWaiting) {
      earliest(st.retry_at);
    }
  }
  return due;
}

std::string EncodeSaga(const Saga& s) {
  json::Writer w;
  w.BeginObject()
      .Field("v", 1)
      .Field("deviceId", s.device_id)
      .Field("generation", s.generation)
      .Field("phase", PhaseName(s.phase))
      .Field("mac", s.mac)
      .Field("pubkey", s.pubkey_pem)
      .Field("fingerprint", s.fingerprint)
      .Field("checkCode", s.check_code)
      .Field("transportKey", crypto::Base64Encode(s.transport_key))
      .Field("csr", s.csr_pem)
      .Field("lastAnnounceTs", s.last_announce_ts)
      .Field("firstSeen", s.first_seen.ms)
      .Field("name", s.name)
      .Field("approvedBy", s.approved_by)
      .Field("approvedAt", s.approved_at.ms)
      .Key("steps")
      .BeginObject();
  for (const auto& [slot, st] : s.steps) {
    w.Key(SlotName(slot))
        .BeginObject()
        .Field("status", StepStatusName(st.status))
        .Field("attempt", st.attempt)
        .Field("started", st.started.ms)
        .Field("deadline", st.deadline.ms)
        .Field("retryAt", st.retry_at.ms)
        .Field("budgetStart", st.budget_start)
        .Field("waitingSince", st.waiting_since.ms)
        .Field("polls", st.polls)
        .Field("finished", st.finished.ms)
        .Field("lastError", protocol::CapText(st.last_error, protocol::kMaxErrorTextBytes))
        .Key("data")
        .Raw(st.data_json)
        .EndObject();
  }
  w.EndObject()
      .Field("bundleId", s.bundle_id)
      .Field("sealedBundle", crypto::Base64Encode(s.sealed_bundle))
      .Field("deliveredAt", s.delivered_at.ms)
      .Field("provisionedAt", s.provisioned_at.ms)
      .Field("revokedBy", s.revoked_by)
      .Field("revokeRequestedAt", s.revoke_requested_at.ms)
      .Field("revokedAt", s.revoked_at.ms)
      .Field("lastError", protocol::CapText(s.last_error, protocol::kMaxErrorTextBytes))
      .Field("resealNeeded", s.reseal_needed)
      .Key("pendingReply")
      .BeginObject()
      .Field("topic", s.pending_reply.topic)
      .Field("correlation", crypto::Base64Encode(s.pending_reply.correlation))
      .EndObject()
      .Field("updatedAt", s.updated_at.ms)
      .EndObject();
  return w.Take();
}

Result<Saga> DecodeSaga(std::string_view text, std::int64_t version) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(text, kMaxSagaBytes, "saga"));
  json::Value root = doc.Root();
  Saga s;
  s.version = version;
  GPS_ASSIGN_OR_RETURN(s.device_id, root.GetString("deviceId", 64));
  GPS_ASSIGN_OR_RETURN(s.generation, root.GetInt("generation"));
  GPS_ASSIGN_OR_RETURN(std::string phase, root.GetString("phase", 32));
  GPS_ASSIGN_OR_RETURN(s.phase, ParsePhase(phase));
  GPS_ASSIGN_OR_RETURN(s.mac, root.GetString("mac", 17));
  GPS_ASSIGN_OR_RETURN(s.pubkey_pem, root.GetString("pubkey", protocol::kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(s.fingerprint, root.GetString("fingerprint", 128));
  GPS_ASSIGN_OR_RETURN(s.check_code, root.GetStringOr("checkCode", "", 32));
  GPS_ASSIGN_OR_RETURN(s.transport_key, Base64Field(root, "transportKey", 64));
  GPS_ASSIGN_OR_RETURN(s.csr_pem, root.GetStringOr("csr", "", protocol::kMaxPemBytes));
  GPS_ASSIGN_OR_RETURN(s.last_announce_ts, root.GetInt("lastAnnounceTs"));
  GPS_ASSIGN_OR_RETURN(s.first_seen.ms, root.GetInt("firstSeen"));
  GPS_ASSIGN_OR_RETURN(s.name, root.GetStringOr("name", "", 256));
  GPS_ASSIGN_OR_RETURN(s.approved_by, root.GetStringOr("approvedBy", "", 256));
  GPS_ASSIGN_OR_RETURN(s.approved_at.ms, root.GetIntOr("approvedAt", 0));
  GPS_ASSIGN_OR_RETURN(json::Value steps, root.GetObject("steps"));
  GPS_ASSIGN_OR_RETURN(auto members, steps.Members());
  for (const auto& [key, v] : members) {
    GPS_ASSIGN_OR_RETURN(Slot slot, ParseSlot(key));
    StepState st;
    GPS_ASSIGN_OR_RETURN(std::string status, v.GetString("status", 32));
    GPS_ASSIGN_OR_RETURN(st.status, ParseStepStatus(status));
    GPS_ASSIGN_OR_RETURN(std::int64_t attempt, v.GetInt("attempt"));
    st.attempt = static_cast<int>(attempt);
    GPS_ASSIGN_OR_RETURN(st.started.ms, v.GetIntOr("started", 0));
    GPS_ASSIGN_OR_RETURN(st.deadline.ms, v.GetIntOr("deadline", 0));
    GPS_ASSIGN_OR_RETURN(st.retry_at.ms, v.GetIntOr("retryAt", 0));
    GPS_ASSIGN_OR_RETURN(std::int64_t budget_start, v.GetIntOr("budgetStart", 0));
    if (budget_start < 0 || budget_start > attempt) {
      return Status::InvalidArgument("saga: steps." + key + ".budgetStart " +
                                     std::to_string(budget_start) + " is outside [0, attempt]");
    }
    st.budget_start = static_cast<int>(budget_start);
    GPS_ASSIGN_OR_RETURN(st.waiting_since.ms, v.GetIntOr("waitingSince", 0));
    GPS_ASSIGN_OR_RETURN(std::int64_t polls, v.GetIntOr("polls", 0));
    if (polls < 0 || polls > attempt) {
      return Status::InvalidArgument("saga: steps." + key + ".polls " + std::to_string(polls) +
                                     " is outside [0, attempt]");
    }
    st.polls = static_cast<int>(polls);
    GPS_ASSIGN_OR_RETURN(st.finished.ms, v.GetIntOr("finished", 0));
    GPS_ASSIGN_OR_RETURN(st.last_error,
                         v.GetStringOr("lastError", "", protocol::kMaxErrorTextBytes));
    GPS_ASSIGN_OR_RETURN(json::Value data, v.GetObject("data"));
    st.data_json = data.Serialize();
    s.steps[slot] = std::move(st);
  }
  GPS_ASSIGN_OR_RETURN(s.bundle_id, root.GetStringOr("bundleId", "", 128));
  GPS_ASSIGN_OR_RETURN(s.sealed_bundle, Base64Field(root, "sealedBundle", kMaxSagaBytes));
  GPS_ASSIGN_OR_RETURN(s.delivered_at.ms, root.GetIntOr("deliveredAt", 0));
  GPS_ASSIGN_OR_RETURN(s.provisioned_at.ms, root.GetIntOr("provisionedAt", 0));
  GPS_ASSIGN_OR_RETURN(s.revoked_by, root.GetStringOr("revokedBy", "", 256));
  GPS_ASSIGN_OR_RETURN(s.revoke_requested_at.ms, root.GetIntOr("revokeRequestedAt", 0));
  GPS_ASSIGN_OR_RETURN(s.revoked_at.ms, root.GetIntOr("revokedAt", 0));
  GPS_ASSIGN_OR_RETURN(s.last_error,
                       root.GetStringOr("lastError", "", protocol::kMaxErrorTextBytes));
  GPS_ASSIGN_OR_RETURN(s.reseal_needed, root.GetBoolOr("resealNeeded", false));
  if (std::optional<json::Value> reply = root.Find("pendingReply")) {
    GPS_ASSIGN_OR_RETURN(s.pending_reply.topic, reply->GetStringOr("topic", "", 256));
    GPS_ASSIGN_OR_RETURN(s.pending_reply.correlation, Base64Field(*reply, "correlation", 512));
  }
  GPS_ASSIGN_OR_RETURN(s.updated_at.ms, root.GetIntOr("updatedAt", 0));
  return s;
}

}  // namespace gps::saga
