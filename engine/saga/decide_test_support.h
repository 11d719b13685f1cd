#pragma once
// Test-only: builders for the saga's unit tests (decide_*_test.cpp): a device with a real key, a
// context with short leases, results for a slot's current attempt, and a driver that brings a
// saga to a phase through the real transitions. Not thread-safe (tests only).

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/saga/decide.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/step_results.h"

namespace gps::engine::decide_testing {

using protocol::ReplyStatus;
using saga::Phase;
using saga::Saga;
using saga::Slot;
using saga::StepStatus;

constexpr Instant kT0{1'700'000'000'000};
constexpr Millis kTimeout = 30'000;

// A device with a real key, so announces are built and verified the way the engine sees them.
class Device {
 public:
  Device() : key_(crypto::PrivateKey::GenerateEd25519().value()) {}

  Announced Announce(std::int64_t ts, std::string transport_key = std::string(32, 'k')) const {
    protocol::Announce a;
    a.mac = "02:00:00:00:00:01";
    a.transport_key = std::move(transport_key);
    a.ts_ms = ts;
    EXPECT_TRUE(protocol::SignAnnounce(key_, &a).ok());
    Result<protocol::VerifiedAnnounce> v = protocol::VerifyAnnounce(a, a.device_id);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return Announced{std::move(v).value()};
  }

  std::string id() const { return Announce(1).announce.announce.device_id; }

 private:
  crypto::PrivateKey key_;
};

inline DecideContext Ctx(Instant now = kT0) {
  DecideContext ctx;
  ctx.now = now;
  for (Slot s : {Slot::kMenderName, Slot::kDpsName, Slot::kMender, Slot::kDps, Slot::kVault,
                 Slot::kHubManifest, Slot::kMenderRevoke, Slot::kDpsRevoke, Slot::kVaultRevoke,
                 Slot::kHubRevoke}) {
    retry::Policy p;
    p.attempt_timeout_ms = kTimeout;
    ctx.policies[s] = p;
  }
  return ctx;
}

inline const saga::ReplyTarget kReply{"gps/v1/replies/ui-1", "req-1"};
inline const saga::ReplyTarget kReply2{"gps/v1/replies/ui-1", "req-2"};

template <typename T>
inline std::vector<T> All(const std::vector<Command>& commands) {
  std::vector<T> out;
  for (const Command& c : commands) {
    if (const T* t = std::get_if<T>(&c)) {
      out.push_back(*t);
    }
  }
  return out;
}

inline Saga Apply(const std::optional<Saga>& s, const Event& e, Instant now = kT0) {
  Result<Decision> d = Decide(s, e, Ctx(now));
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->next.has_value());
  return *d->next;
}

inline ApproveRequested Approve(std::string name, bool granted = true) {
  return ApproveRequested{std::move(name), "alice", kReply, NameReservation{granted, ""}};
}

inline StepResultArrived Result_(const Saga& s, Slot slot, Outcome outcome,
                                 std::string data = "{}") {
  protocol::JobId id{s.device_id, s.generation, saga::SlotStep(slot), saga::SlotAction(slot),
                     s.steps.at(slot).attempt};
  return StepResultArrived{id, protocol::JobResult{std::move(outcome), std::move(data)}};
}

inline std::string Available(bool yes, std::string detail = "") {
  return protocol::EncodeNameCheck({yes, std::move(detail)});
}

inline std::string MenderData() { return protocol::EncodeMenderProvision({"mender-uuid-1"}); }
inline std::string DpsData() {
  return protocol::EncodeDpsProvision(
      {"gw-1", "0ne00000000", "global.azure-devices-provisioning.net", std::string(80, 's')});
}
inline std::string VaultData() {
  protocol::VaultProvisionResult r;
  r.certificate_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  r.ca_chain_pem = {"-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n"};
  r.serial = "01:02";
  r.expiration = 1'800'000'000;
  r.sealed_private_key = std::string(120, 'p');
  return protocol::EncodeVaultProvision(r);
}

// Drives a device to the given phase through the real transitions.
class SagaDriver {
 public:
  Saga Pending() { return Apply(std::nullopt, device.Announce(100)); }

  Saga CheckingName(std::string name = "gw-1") {
    return Apply(Pending(), Approve(std::move(name)));
  }

  Saga Provisioning() {
    Saga s = CheckingName();
    s = Apply(s, Result_(s, Slot::kMenderName, Outcome::Ok(), Available(true)));
    return Apply(s, Result_(s, Slot::kDpsName, Outcome::Ok(), Available(true)));
  }

  Saga Delivering() {
    Saga s = Provisioning();
    s = Apply(s, Result_(s, Slot::kMender, Outcome::Ok(), MenderData()));
    s = Apply(s, Result_(s, Slot::kDps, Outcome::Ok(), DpsData()));
    return Apply(s, Result_(s, Slot::kVault, Outcome::Ok(), VaultData()));
  }

  Saga Sealed() {
    Saga s = Delivering();
    return Apply(s, BundleSealed{s.bundle_id, "ciphertext"});
  }

  Saga Provisioned() {
    Saga s = Sealed();
    return Apply(s, AckReceived{s.bundle_id});
  }

  Saga Failed() {
    Saga s = Provisioning();
    return Apply(s, Result_(s, Slot::kDps, Outcome::Permanent("dps: HTTP 400: bad key")));
  }

  Saga Dismissed() { return Apply(Pending(), DismissRequested{"alice", kReply}); }

  Device device;
};

}  // namespace gps::engine::decide_testing
