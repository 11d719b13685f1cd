#include "engine/shell/engine_loop.h"

#include <thread>

#include "engine/saga/bundle.h"
#include "engine/saga/history.h"
#include "engine/shell/allow_list.h"
#include "gps/crypto/seal.h"
#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/protocol/names.h"

namespace gps::engine {

namespace {

std::string Short(const std::string& device_id) { return device_id.substr(0, 12); }

}  // namespace

EngineLoop::EngineLoop(SagaStore& store, mqtt::Client& mqtt, const Clock& clock,
                       EngineSettings settings)
    : store_(store),
      mqtt_(mqtt),
      clock_(clock),
      settings_(std::move(settings)),
      random_(std::random_device{}()),
      cap_refusals_(settings_.pending.refusal_log_interval_ms) {}

void EngineLoop::Handle(const mqtt::Message& message) {
  std::string kind(InboundKind(message.topic));
  metrics::Inc("engine.received." + kind);
  Result<Inbound> in = ParseInbound(message);
  if (!in.ok()) {
    metrics::Inc("engine.rejected." + kind);
    log::Warn("message refused",
              {{"topic", message.topic.substr(0, 200)}, {"err", in.status().ToString()}});
    return;
  }
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, InboundAnnounce>) {
          OnAnnounce(v);
        } else if constexpr (std::is_same_v<T, InboundAck>) {
          OnAck(v);
        } else if constexpr (std::is_same_v<T, InboundCommand>) {
          OnCommand(v);
        } else {
          OnResult(v);
        }
      },
      *in);
}

void EngineLoop::OnAnnounce(const InboundAnnounce& in) {
  const std::string& id = in.announce.announce.device_id;
  Status st = Apply(id, [&](const std::optional<saga::Saga>&) -> Result<Event> {
    return Event(Announced{in.announce});
  });
  if (st.ok()) {
    Status seen = store_.TouchLastSeen(id, clock_.Now());
    if (!seen.ok()) {
      log::Warn("last-seen not recorded", {{"device_id", id}, {"err", seen.ToString()}});
    }
    ApproveFromAllowList(in.announce);
  }
}

void EngineLoop::ApproveFromAllowList(const protocol::VerifiedAnnounce& announce) {
  const std::string& id = announce.announce.device_id;
  // One round trip for every announce; the saga is read only for a device that is listed.
  Result<SagaStore::AllowListEntries> listed =
      store_.LookupAllowList(announce.fingerprint, announce.announce.mac);
  if (!listed.ok()) {
    metrics::Inc("engine.allowlist_lookup_failures");
    log::Warn("allow-list not read", {{"device_id", id}, {"err", listed.status().ToString()}});
    return;
  }
  if (!listed->by_fingerprint && !listed->by_mac) {
    return;
  }
  Result<std::optional<saga::Saga>> current = store_.Load(id);
  if (!current.ok() || !*current) {
    return;
  }
  std::string problem;
  std::optional<AllowListMatch> match =
      MatchAllowList(**current, listed->by_fingerprint, listed->by_mac, &problem);
  if (!problem.empty()) {
    metrics::Inc("engine.allowlist_entries_unusable");
    log::Warn("allow-list entry not used", {{"device_id", id}, {"err", problem}});
  }
  if (!match) {
    return;
  }
  metrics::Inc("engine.allowlist_approvals");
  NameReservation reservation = ApproveWithName(id, match->name, kAllowListActor, {});
  Result<std::optional<saga::Saga>> after = store_.Load(id);
  bool started = after.ok() && *after && (*after)->phase == saga::Phase::kCheckingName &&
                 (*after)->name == match->name && (*after)->approved_by == kAllowListActor;
  std::string outcome = started ? "accepted" : reservation.granted ? "not applied" : "conflict";
  std::string message = "matched by " + match->matched_by + " " + match->value + "; " +
                        (started               ? "the name checks have started"
                         : reservation.granted ? "the approval did not apply"
                                               : "the name is reserved for another device (" +
                                                     reservation.holder.substr(0, 12) + "…)");
  log::Info("allow-list approval",
            {{"device_id", id}, {"name", match->name}, {"outcome", outcome}, {"message", message}});
  json::Writer w;
  w.BeginObject()
      .Field("at", FormatRfc3339(clock_.Now()))
      .Field("actor", kAllowListActor)
      .Field("action", "approve")
      .Field("device", id)
      .Field("name", match->name)
      .Field("outcome", outcome)
      .Field("message", message)
      .EndObject();
  Status audited = store_.AppendAudit(w.Take());
  if (!audited.ok()) {
    log::Warn("audit entry not stored", {{"device_id", id}, {"err", audited.ToString()}});
  }
}

NameReservation EngineLoop::ApproveWithName(const std::string& device_id, const std::string& name,
                                            const std::string& actor,
                                            const saga::ReplyTarget& reply) {
  NameReservation reservation;
  if (protocol::ValidateDeviceName(name).ok()) {
    reservation = Reserve(name, device_id);
  }
  Status st = Apply(device_id, [&](const std::optional<saga::Saga>&) -> Result<Event> {
    return Event(ApproveRequested{name, actor, reply, reservation});
  });
  if (!st.ok() && reservation.granted) {
    // The approval never reached the saga: do not leave the name reserved.
    store_.ReleaseName(name, device_id);
  }
  return reservation;
}

void EngineLoop::OnAck(const InboundAck& in) {
  const std::string& id = in.ack.device_id;
  Apply(id, [&](const std::optional<saga::Saga>& current) -> Result<Event> {
    Status verified = VerifyInboundAck(in, current);
    if (!verified.ok()) {
      // Counted here, once: a refused event ends Apply at once (ApplyOnce logs it), so this
      // runs again only after a version conflict, which a refused event never causes.
      metrics::Inc("engine.rejected.ack");
      return verified;
    }
    return Event(AckReceived{in.ack.bundle_id});
  });
}

NameReservation EngineLoop::Reserve(const std::string& name, const std::string& device_id) {
  NameReservation r;
  Result<std::string> holder = store_.ReserveName(name, device_id);
  if (!holder.ok()) {
    log::Warn("name reservation failed",
              {{"device_id", device_id}, {"err", holder.status().ToString()}});
    r.holder = "(unknown: " + holder.status().message() + ")";
    return r;
  }
  if (holder->empty()) {
    r.granted = true;
    return r;
  }
  // A reservation whose holder no longer uses the name (its approval ended, or it was dismissed)
  // is stale; it may be left behind by an engine that died between reserving and committing.
  Result<std::optional<saga::Saga>> holder_saga = store_.Load(*holder);
  bool stale = holder_saga.ok() && (!*holder_saga || (*holder_saga)->name != name ||
                                    (*holder_saga)->phase == saga::Phase::kDismissed);
  if (stale) {
    Result<bool> moved = store_.TakeOverName(name, *holder, device_id);
    if (moved.ok() && *moved) {
      metrics::Inc("engine.names.stale_taken_over");
      r.granted = true;
      return r;
    }
  }
  r.holder = *holder;
  return r;
}

void EngineLoop::OnCommand(const InboundCommand& in) {
  const protocol::OperatorCommand& c = in.command;
  log::Info("operator command", {{"device_id", c.device_id},
                                 {"command", std::string(protocol::CommandName(c.kind))},
                                 {"name", c.name},
                                 {"actor", c.actor}});
  if (c.kind == protocol::CommandKind::kApprove) {
    ApproveWithName(c.device_id, c.name, c.actor, in.reply);
  } else {
    Apply(c.device_id, [&](const std::optional<saga::Saga>&) -> Result<Event> {
      switch (c.kind) {
        case protocol::CommandKind::kRetry:
          return Event(RetryRequested{c.actor, in.reply});
        case protocol::CommandKind::kRunNow:
          return Event(RunNowRequested{c.step, c.actor, in.reply});
        case protocol::CommandKind::kRevoke:
          return Event(RevokeRequested{c.actor, in.reply});
        default:
          return Event(DismissRequested{c.actor, in.reply});
      }
    });
  }
}

int EngineLoop::FireDueTimers() {
  Instant now = clock_.Now();
  Instant claim_until = now + settings_.timer_claim_ms;
  Result<std::vector<std::string>> due =
      store_.ClaimDueTimers(now, claim_until, settings_.timers_per_poll);
  if (!due.ok()) {
    metrics::Inc("engine.timer_claim_failures");
    log::Warn("timers not claimed", {{"err", due.status().ToString()}});
    return 0;
  }
  for (const std::string& id : *due) {
    HandleTimer(id, claim_until);
  }
  return static_cast<int>(due->size());
}

void EngineLoop::HandleTimer(const std::string& device_id, Instant claim_until) {
  metrics::Inc("engine.timers_fired");
  RecoverOutbox(device_id);
  Apply(device_id,
        [&](const std::optional<saga::Saga>&) -> Result<Event> { return Event(TimerFired{}); });
  // Settle from what is stored now. A transition committed by another engine after this read
  // schedules its own timer; one committed between the read and the settle is caught by the
  // second read below, so no due time is ever lost.
  Result<std::optional<saga::Saga>> stored = store_.Load(device_id);
  if (!stored.ok()) {
    return;  // the claim runs out and the timer comes due again
  }
  std::optional<Instant> next = *stored ? saga::NextDue(**stored) : std::nullopt;
  Status settled = store_.SettleTimer(device_id, claim_until, next);
  if (!settled.ok()) {
    log::Warn("timer not settled", {{"device_id", device_id}, {"err", settled.ToString()}});
    return;
  }
  Result<std::optional<saga::Saga>> again = store_.Load(device_id);
  if (again.ok() && *again) {
    ScheduleFor(**again);
  }
}

void EngineLoop::RecoverOutbox(const std::string& device_id) {
  Result<std::vector<std::string>> stored = store_.Outbox(device_id);
  if (!stored.ok() || stored->empty()) {
    return;
  }
  Result<std::optional<saga::Saga>> saga = store_.Load(device_id);
  if (!saga.ok()) {
    return;
  }
  std::vector<OutboxEntry> entries;
  std::vector<std::string> readable;
  for (const std::string& text : *stored) {
    Result<OutboxEntry> e = DecodeEntry(text);
    if (!e.ok()) {
      // Written by this code, so unreadable means corrupted: drop it rather than block the rest.
      metrics::Inc("engine.outbox_unreadable");
      log::Error("outbox entry unreadable; dropped",
                 {{"device_id", device_id}, {"err", e.status().ToString()}});
      store_.OutboxDone(device_id, {text});
      continue;
    }
    entries.push_back(std::move(e).value());
    readable.push_back(text);
  }
  metrics::Get("engine.outbox_recovered").Add(entries.size());
  log::Info("carrying out a left-over outbox",
            {{"device_id", device_id}, {"entries", std::to_string(entries.size())}});
  CarryOut(device_id, *saga ? &**saga : nullptr, entries, &readable, /*recovering=*/true);
}

void EngineLoop::ScheduleFor(const saga::Saga& stored) {
  std::optional<Instant> due = saga::NextDue(stored);
  if (!due) {
    return;
  }
  Status st = store_.ScheduleTimer(stored.device_id, *due);
  if (!st.ok()) {
    // The sweep puts it back; until then the lease or backoff simply runs longer.
    log::Warn("timer not scheduled", {{"device_id", stored.device_id}, {"err", st.ToString()}});
  }
}

void EngineLoop::Sweep() {
  Result<std::vector<SetMember>> ids = store_.IndexedDevices();
  if (!ids.ok()) {
    log::Warn("sweep skipped", {{"err", ids.status().ToString()}});
    return;
  }
  // Read before the sagas, so an entry raised while the sweep runs is never taken for a stale one.
  Result<std::vector<SetMember>> members = store_.PendingDevices();
  if (!members.ok()) {
    log::Warn("pending set not read; not checked in this sweep",
              {{"err", members.status().ToString()}});
  }
  std::map<std::string, Millis> pending_scores;
  if (members.ok()) {
    for (const SetMember& m : *members) {
      pending_scores[m.id] = m.score;
    }
  }
  Instant now = clock_.Now();
  std::set<std::string> pending;
  int timers = 0;
  int expired = 0;
  bool read_all = true;  // the pending set is compared with the sagas only when all were read
  for (const SetMember& entry : *ids) {
    const std::string& id = entry.id;
    RecoverOutbox(id);
    Result<std::optional<saga::Saga>> s = store_.Load(id);
    if (!s.ok()) {
      read_all = false;
      continue;
    }
    if (!*s) {
      ForgetOrphanEntry(id, entry.score, now);
      continue;
    }
    if ((*s)->phase == saga::Phase::kPending) {
      auto score = pending_scores.find(id);
      if (ExpireIfStale(
              **s, entry.score,
              score == pending_scores.end() ? std::nullopt : std::optional<Millis>(score->second),
              now)) {
        ++expired;
        continue;
      }
      pending.insert(id);
    }
    if (saga::NextDue(**s)) {
      ScheduleFor(**s);
      ++timers;
    }
  }
  if (members.ok() && read_all) {
    RepairPendingSet(*members, pending, now);
  }
  log::Info("sweep done", {{"devices", std::to_string(ids->size())},
                           {"timed", std::to_string(timers)},
                           {"pending", std::to_string(pending.size())},
                           {"expired", std::to_string(expired)}});
}

void EngineLoop::OnResult(const InboundResult& in) {
  Apply(in.job.device_id, [&](const std::optional<saga::Saga>&) -> Result<Event> {
    return Event(StepResultArrived{in.job, in.result});
  });
}

Status EngineLoop::Apply(const std::string& device_id, const EventFor& event_for) {
  Instant give_up = clock_.Now() + settings_.redis_retry_budget_ms;
  int conflicts = 0;
  Millis pause = 50;
  while (true) {
    bool conflict = false;
    Status st = ApplyOnce(device_id, event_for, &conflict);
    if (st.ok() && !conflict) {
      return st;
    }
    if (conflict) {
      metrics::Inc("engine.commit_conflicts");
      if (++conflicts >= settings_.max_commit_attempts) {
        metrics::Inc("engine.events_dropped");
        log::Error("event dropped after repeated version conflicts", {{"device_id", device_id}});
        return Status::Unavailable("too many version conflicts");
      }
      continue;
    }
    if (!st.IsUnavailable() || clock_.Now() >= give_up) {
      return st;  // already logged where it was decided
    }
    // Redis is briefly away (restart, failover): the broker has already handed us this message,
    // so keep it here a little rather than lose it.
    metrics::Inc("engine.redis_retries");
    std::this_thread::sleep_for(std::chrono::milliseconds(pause));
    pause = std::min<Millis>(pause * 2, 1000);
  }
}

Status EngineLoop::ApplyOnce(const std::string& device_id, const EventFor& event_for,
                             bool* conflict) {
  Result<std::optional<saga::Saga>> loaded = store_.Load(device_id);
  if (!loaded.ok()) {
    log::Warn("saga not loaded", {{"device_id", device_id}, {"err", loaded.status().ToString()}});
    return loaded.status();
  }
  const std::optional<saga::Saga>& current = *loaded;
  Result<Event> event = event_for(current);
  if (!event.ok()) {
    if (event.status().IsUnavailable()) {
      return event.status();
    }
    metrics::Inc("engine.events_refused");
    log::Warn("event refused", {{"device_id", device_id}, {"err", event.status().ToString()}});
    return event.status();
  }
  DecideContext ctx{clock_.Now(), settings_.policies,
                    std::uniform_real_distribution<double>(0.0, 1.0)(random_), settings_.manifest};
  Result<Decision> decision = Decide(current, *event, ctx);
  if (!decision.ok()) {
    metrics::Inc(std::string("engine.not_applicable.") + std::string(EventName(*event)));
    log::Info("event does not apply", {{"device_id", device_id},
                                       {"event", std::string(EventName(*event))},
                                       {"err", decision.status().ToString()}});
    return decision.status();
  }
  metrics::Inc(std::string("engine.applied.") + std::string(EventName(*event)));
  // An approval from the allow-list has nobody waiting for its answer.
  std::erase_if(decision->commands, [](const Command& c) {
    const SendReply* reply = std::get_if<SendReply>(&c);
    return reply != nullptr && reply->target.empty();
  });
  const std::optional<saga::Saga>& next = decision->next;
  bool changed = next && (!current || !(*next == *current));
  if (!changed) {
    // Nothing to record: answer or re-publish from the current state directly.
    saga::Saga unknown;
    unknown.device_id = device_id;
    std::vector<OutboxEntry> entries =
        Render(current ? *current : unknown, decision->commands, clock_.Now());
    return CarryOut(device_id, current ? &*current : nullptr, entries, nullptr);
  }
  std::vector<OutboxEntry> entries = Render(*next, decision->commands, clock_.Now());
  std::vector<std::string> encoded;
  encoded.reserve(entries.size());
  for (const OutboxEntry& e : entries) {
    encoded.push_back(EncodeEntry(e));
  }
  std::vector<std::string> history;
  for (const HistoryEntry& h : HistoryEntries(current, *next, *event, ctx.now)) {
    history.push_back(EncodeHistoryEntry(h));
  }
  std::int64_t expected = current ? current->version : 0;
  PendingChange pending_change = PendingChangeOf(current, *next);
  std::optional<Millis> leaving_score;
  GPS_RETURN_IF_ERROR(BeforeCommit(device_id, pending_change, &leaving_score));
  Result<bool> committed = store_.Commit(*next, expected, encoded, history);
  if (!committed.ok()) {
    log::Warn("commit failed", {{"device_id", device_id}, {"err", committed.status().ToString()}});
    return committed.status();
  }
  if (!*committed) {
    *conflict = true;
    return Status::Ok();
  }
  AfterCommit(device_id, pending_change, leaving_score);
  saga::Saga stored = *next;
  stored.version = expected + 1;
  ScheduleFor(stored);
  if (!current || current->phase != next->phase) {
    log::Info("saga transition", {{"device_id", device_id},
                                  {"saga_id", device_id + ":" + std::to_string(next->generation)},
                                  {"from", current ? std::string(saga::PhaseName(current->phase))
                                                   : std::string("none")},
                                  {"to", std::string(saga::PhaseName(next->phase))},
                                  {"err", next->last_error}});
  }
  return CarryOut(device_id, &stored, entries, &encoded);
}

Status EngineLoop::CarryOut(const std::string& device_id, const saga::Saga* committed,
                            const std::vector<OutboxEntry>& entries,
                            const std::vector<std::string>* stored, bool recovering) {
  std::size_t done = 0;
  Status result = Status::Ok();
  for (const OutboxEntry& e : entries) {
    if (recovering && LeaseCovers(e)) {
      // Two copies of one Vault attempt would mint two certificates; if this job never reached
      // a worker, its lease brings the next attempt.
      metrics::Inc("engine.outbox_jobs_left_to_lease");
      ++done;
      continue;
    }
    Status st = CarryOutEntry(device_id, committed, e);
    if (!st.ok()) {
      metrics::Inc("engine.outbox_failures");
      log::Warn("outbox entry not carried out; it stays in the outbox",
                {{"device_id", device_id}, {"err", st.ToString()}});
      result = st;
      break;
    }
    ++done;
  }
  if (stored != nullptr && done < entries.size()) {
    // What is left is tried again when this timer fires (RecoverOutbox).
    Status st = store_.ScheduleTimer(device_id, clock_.Now() + settings_.outbox_retry_ms);
    if (!st.ok()) {
      log::Warn("outbox retry not scheduled", {{"device_id", device_id}, {"err", st.ToString()}});
    }
  }
  if (stored != nullptr && done > 0) {
    std::vector<std::string> finished(stored->begin(), stored->begin() + static_cast<long>(done));
    Status st = store_.OutboxDone(device_id, finished);
    if (!st.ok()) {
      log::Warn("outbox not trimmed", {{"device_id", device_id}, {"err", st.ToString()}});
    }
  }
  // A failed side effect does not undo the committed transition; it is reported, not returned,
  // so the event is not applied twice.
  return stored != nullptr ? Status::Ok() : result;
}

Status EngineLoop::CarryOutEntry(const std::string& device_id, const saga::Saga* committed,
                                 const OutboxEntry& entry) {
  if (committed != nullptr && !StillWanted(entry, *committed)) {
    metrics::Inc("engine.outbox_stale_jobs_skipped");
    return Status::Ok();
  }
  switch (entry.op) {
    case OutboxEntry::Op::kPublish:
      return mqtt_.Publish(entry.message);
    case OutboxEntry::Op::kReleaseName:
      return store_.ReleaseName(entry.name, device_id);
    case OutboxEntry::Op::kSealBundle:
      if (committed == nullptr) {
        return Status::Internal("seal requested without a saga");
      }
      return SealAndDeliver(*committed);
  }
  return Status::Internal("unknown outbox entry");
}

Status EngineLoop::SealAndDeliver(const saga::Saga& committed) {
  Result<protocol::CredentialBundle> bundle = BuildBundle(committed);
  if (!bundle.ok()) {
    return bundle.status().WithContext("device " + Short(committed.device_id));
  }
  std::string plaintext = protocol::EncodeBundle(*bundle);
  Result<std::string> sealed =
      crypto::Seal(committed.transport_key, plaintext,
                   protocol::BundleContext(committed.device_id, committed.bundle_id));
  if (!sealed.ok()) {
    return sealed.status().WithContext("seal bundle for " + Short(committed.device_id));
  }
  std::string bundle_id = committed.bundle_id;
  std::string ciphertext = std::move(sealed).value();
  return Apply(committed.device_id, [&](const std::optional<saga::Saga>&) -> Result<Event> {
    return Event(BundleSealed{bundle_id, ciphertext});
  });
}

}  // namespace gps::engine
