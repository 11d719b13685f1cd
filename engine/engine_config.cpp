#include "engine/engine_config.h"

#include "gps/retry/policy_spec.h"

namespace gps::engine {

void AddEngineSettings(config::Table& table, EngineConfig* c) {
  process::AddMqttSettings(table, &c->mqtt, "gps-engine-" + process::HostName());
  process::AddRedisSettings(table, &c->redis);
  process::AddLogSettings(table, &c->log);
  table.Add("GPS_ENGINE_RETRY", &c->retry, std::string(kDefaultRetry),
            "retry policy of the Mender, DPS and Vault steps: attempts, backoff, multiplier, "
            "max_backoff, jitter, timeout (the lease of one attempt)");
  table.Add("GPS_ENGINE_RETRY_MENDER", &c->retry_mender, "",
            "keys that differ for the Mender step, on top of GPS_ENGINE_RETRY (e.g. attempts=8)");
  table.Add("GPS_ENGINE_RETRY_DPS", &c->retry_dps, "",
            "keys that differ for the DPS step, on top of GPS_ENGINE_RETRY");
  table.Add("GPS_ENGINE_RETRY_VAULT", &c->retry_vault, "",
            "keys that differ for the Vault step, on top of GPS_ENGINE_RETRY");
  table.Add("GPS_ENGINE_RETRY_HUB_MANIFEST", &c->retry_hub_manifest, "",
            "keys that differ for the IoT Hub manifest step, on top of GPS_ENGINE_RETRY (its "
            "attempts count real failures only, never \"not in IoT Hub yet\" answers)");
  table.Add("GPS_ENGINE_HUB_MANIFEST", &c->hub_manifest, true,
            "apply the IoT Hub deployment manifest after the device's ack (needs "
            "gps-worker-hub-manifest)");
  table.Add("GPS_ENGINE_HUB_WAIT", &c->hub_wait, std::string(kDefaultHubWait),
            "how the manifest step polls while the gateway is not in IoT Hub yet: backoff, "
            "multiplier, max_backoff, jitter (the worker's retry-after is a floor)");
  table.Add("GPS_ENGINE_HUB_WAIT_DEADLINE", &c->hub_wait_deadline, "14d",
            "how long after the first \"not in IoT Hub yet\" answer the manifest step gives up "
            "(e.g. 14d, 36h)");
  table.Add("GPS_ENGINE_RETRY_NAME_CHECK", &c->retry_name_check,
            std::string(kDefaultNameCheckRetry),
            "retry policy of the Mender and DPS name checks; keep attempts x timeout under the "
            "UI's command timeout");
  table.Add("GPS_ENGINE_PENDING_EXPIRY", &c->pending_expiry, std::string(kDefaultPendingExpiry),
            "a pending device that has not announced for this long is forgotten (its saga, "
            "timeline and listing entry; it becomes pending anew if it announces again); e.g. 7d, "
            "36h; 0: never. Keep it well above the clients' announce interval");
  table.Add("GPS_ENGINE_MAX_PENDING", &c->max_pending, 10000,
            "at most this many devices pending at once; at the cap, announces of new devices are "
            "refused (known devices are always handled)",
            1, 10'000'000);
  table.AddCheck([c]() -> Status {
    Result<Millis> expiry = retry::ParseDurationMs(c->pending_expiry);
    if (!expiry.ok()) {
      return expiry.status().WithContext("GPS_ENGINE_PENDING_EXPIRY");
    }
    if (*expiry != 0 && *expiry < 1000) {
      return Status::InvalidArgument("GPS_ENGINE_PENDING_EXPIRY: '" + c->pending_expiry +
                                     "' is under 1s (a bare number is milliseconds; 0: never)");
    }
    c->pending.expiry_ms = *expiry;
    c->pending.max_pending = c->max_pending;
    return Status::Ok();
  });
  table.Add("GPS_ENGINE_TIMER_POLL_MS", &c->timer_poll_ms, 250,
            "how often due timers (leases, backoffs) are looked for", 10, 60000);
  table.Add("GPS_ENGINE_SWEEP_INTERVAL_S", &c->sweep_interval_s, 300,
            "how often timers and left-over outboxes are repaired (also at start)", 10, 86400);
  table.AddCheck([c]() -> Status {
    Result<retry::Policy> base = retry::ParsePolicySpec(c->retry, retry::Policy{});
    if (!base.ok()) {
      return base.status().WithContext("GPS_ENGINE_RETRY");
    }
    struct Override {
      saga::Slot slot;
      const char* env;
      const std::string* spec;
    };
    for (const Override& o :
         {Override{saga::Slot::kMender, "GPS_ENGINE_RETRY_MENDER", &c->retry_mender},
          Override{saga::Slot::kDps, "GPS_ENGINE_RETRY_DPS", &c->retry_dps},
          Override{saga::Slot::kVault, "GPS_ENGINE_RETRY_VAULT", &c->retry_vault},
          Override{saga::Slot::kHubManifest, "GPS_ENGINE_RETRY_HUB_MANIFEST",
                   &c->retry_hub_manifest}}) {
      Result<retry::Policy> p = retry::ParsePolicySpec(*o.spec, *base);
      if (!p.ok()) {
        return p.status().WithContext(o.env);
      }
      c->policies[o.slot] = *p;
    }
    // A compensation is retried like the step it undoes.
    c->policies[saga::Slot::kMenderRevoke] = c->policies[saga::Slot::kMender];
    c->policies[saga::Slot::kDpsRevoke] = c->policies[saga::Slot::kDps];
    c->policies[saga::Slot::kVaultRevoke] = c->policies[saga::Slot::kVault];
    c->policies[saga::Slot::kHubRevoke] = c->policies[saga::Slot::kHubManifest];
    Result<retry::Policy> poll = retry::ParsePolicySpec(c->hub_wait, ManifestPolicy{}.poll);
    if (!poll.ok()) {
      return poll.status().WithContext("GPS_ENGINE_HUB_WAIT");
    }
    Result<Millis> deadline = retry::ParseDurationMs(c->hub_wait_deadline);
    if (!deadline.ok()) {
      return deadline.status().WithContext("GPS_ENGINE_HUB_WAIT_DEADLINE");
    }
    c->manifest.enabled = c->hub_manifest;
    c->manifest.poll = *poll;
    c->manifest.deadline_ms = *deadline;
    Result<retry::Policy> names = retry::ParsePolicySpec(c->retry_name_check, retry::Policy{});
    if (!names.ok()) {
      return names.status().WithContext("GPS_ENGINE_RETRY_NAME_CHECK");
    }
    c->policies[saga::Slot::kMenderName] = *names;
    c->policies[saga::Slot::kDpsName] = *names;
    return Status::Ok();
  });
  table.Add("GPS_ENGINE_STARTUP_TIMEOUT_S", &c->startup_timeout_s, 30,
            "how long to wait for Redis and the broker at start-up before exiting", 1, 3600);
  table.Add("GPS_STATS_INTERVAL_S", &c->stats_interval_s, 60,
            "how often the engine logs its counters (0: never)", 0, 86400);
}

EngineSettings ToEngineSettings(const EngineConfig& c) {
  EngineSettings s;
  s.policies = c.policies;
  s.manifest = c.manifest;
  s.pending = c.pending;
  return s;
}

}  // namespace gps::engine
