#include "engine/shell/outbox.h"

#include <gtest/gtest.h>

#include "gps/protocol/command.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/job.h"
#include "gps/protocol/step_results.h"

namespace gps::engine {
namespace {

saga::Saga Sample() {
  saga::Saga s;
  s.device_id = std::string(64, 'c');
  s.generation = 3;
  s.phase = saga::Phase::kProvisioning;
  s.name = "gw-7";
  s.mac = "02:00:00:00:00:07";
  s.pubkey_pem = "-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----\n";
  s.transport_key = std::string(32, 't');
  saga::StepState st;
  st.status = saga::StepStatus::kRunning;
  st.attempt = 2;
  st.deadline = Instant{123456};
  s.steps[saga::Slot::kDps] = st;
  s.bundle_id = "g3";
  s.sealed_bundle = "sealed";
  return s;
}

TEST(Render, JobCarriesItsIdAsCorrelationAndTheResultsTopicAsResponse) {
  std::vector<OutboxEntry> out = Render(Sample(), {DispatchJob{saga::Slot::kDps}}, Instant{1});
  ASSERT_EQ(out.size(), 1u);
  const mqtt::Message& m = out[0].message;
  EXPECT_EQ(m.topic, "gps/v1/jobs/dps");
  EXPECT_EQ(m.response_topic, "gps/v1/results/dps");
  EXPECT_EQ(m.correlation_data, std::string(64, 'c') + ":3:dps:provision:2");
  Result<protocol::Job> job = protocol::ParseJob(m.payload);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->deadline, Instant{123456});
  EXPECT_EQ(job->name, "gw-7");
  EXPECT_EQ(job->transport_key, std::string(32, 't'));
}

TEST(Render, StatusIsRetainedAndExpires) {
  std::vector<OutboxEntry> out = Render(Sample(), {PublishStatus{}}, Instant{99});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].message.topic, "gps/v1/devices/" + std::string(64, 'c') + "/status");
  EXPECT_TRUE(out[0].message.retained);
  EXPECT_EQ(out[0].message.message_expiry_s, kStatusExpirySeconds);
  Result<protocol::StatusMessage> st = protocol::ParseStatus(out[0].message.payload);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, "provisioning");
  EXPECT_EQ(st->ts_ms, 99);
}

TEST(Render, CredentialsCarryTheStoredCiphertext) {
  std::vector<OutboxEntry> out = Render(Sample(), {PublishCredentials{}}, Instant{1});
  Result<protocol::CredentialsMessage> c = protocol::ParseCredentials(out.at(0).message.payload);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->bundle_id, "g3");
  EXPECT_EQ(c->sealed, "sealed");
  EXPECT_FALSE(out[0].message.retained);
}

TEST(Render, ReplyGoesToTheRequestersTopicWithItsCorrelation) {
  SendReply r{{"gps/v1/replies/ui", "corr"}, protocol::ReplyStatus::kConflict, "taken"};
  std::vector<OutboxEntry> out = Render(Sample(), {r}, Instant{1});
  EXPECT_EQ(out.at(0).message.topic, "gps/v1/replies/ui");
  EXPECT_EQ(out[0].message.correlation_data, "corr");
  EXPECT_EQ(protocol::ParseReply(out[0].message.payload)->status, protocol::ReplyStatus::kConflict);
}

TEST(OutboxEntryCodec, EveryKindRoundTrips) {
  std::vector<OutboxEntry> out =
      Render(Sample(),
             {DispatchJob{saga::Slot::kDps}, PublishStatus{}, ReleaseName{"gw-7"}, SealBundle{},
              SendReply{{"gps/v1/replies/ui", std::string("\x00\xff", 2)},
                        protocol::ReplyStatus::kAccepted,
                        "ok"}},
             Instant{5});
  ASSERT_EQ(out.size(), 5u);
  for (const OutboxEntry& e : out) {
    Result<OutboxEntry> back = DecodeEntry(EncodeEntry(e));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(*back == e);
  }
}

TEST(OutboxEntryCodec, UnknownOperationIsRefused) {
  EXPECT_FALSE(DecodeEntry(R"({"op":"format_disk"})").ok());
  EXPECT_FALSE(DecodeEntry("not json").ok());
}

TEST(StillWanted, AJobIsWantedOnlyWhileItsAttemptRuns) {
  saga::Saga s = Sample();
  OutboxEntry job = Render(s, {DispatchJob{saga::Slot::kDps}}, Instant{1}).at(0);
  EXPECT_TRUE(StillWanted(job, s));
  saga::Saga next = s;
  next.steps[saga::Slot::kDps].attempt = 3;  // the lease ran out, attempt 3 took over
  EXPECT_FALSE(StillWanted(job, next));
  next = s;
  next.steps[saga::Slot::kDps].status = saga::StepStatus::kSucceeded;
  EXPECT_FALSE(StillWanted(job, next));
  next = s;
  next.generation = 4;
  EXPECT_FALSE(StillWanted(job, next));
  next = s;
  next.steps.clear();
  EXPECT_FALSE(StillWanted(job, next));
}

TEST(StillWanted, AnOrphanedCertificatesRevocationIsAlwaysWanted) {
  saga::Saga s = Sample();
  OutboxEntry revoke = Render(s, {RevokeCertificate{"0a:0b", 2, 1}}, Instant{1}).at(0);
  Result<protocol::Job> job = protocol::ParseJob(revoke.message.payload);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->id.generation, 2) << "the generation that made the certificate";
  EXPECT_EQ(job->facts_json, R"({"serial":"0a:0b"})");
  EXPECT_TRUE(job->name.empty()) << "a name would revoke every certificate of the device";
  EXPECT_TRUE(StillWanted(revoke, s));
  s.generation = 9;
  s.steps.clear();
  EXPECT_TRUE(StillWanted(revoke, s));
}

TEST(Render, ADeviceRevocationJobNamesTheDeviceAndCarriesItsFacts) {
  saga::Saga s = Sample();
  s.phase = saga::Phase::kRevoking;
  saga::StepState vault;
  vault.status = saga::StepStatus::kSucceeded;
  vault.attempt = 1;
  protocol::VaultProvisionResult issued;
  issued.certificate_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  issued.ca_chain_pem = {"-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n"};
  issued.serial = "11:22";
  issued.expiration = 1'800'000'000;
  vault.data_json = protocol::EncodeVaultProvision(issued);
  s.steps[saga::Slot::kVault] = vault;
  saga::StepState revoke;
  revoke.status = saga::StepStatus::kRunning;
  revoke.attempt = 1;
  s.steps[saga::Slot::kVaultRevoke] = revoke;
  OutboxEntry e = Render(s, {DispatchJob{saga::Slot::kVaultRevoke}}, Instant{1}).at(0);
  EXPECT_EQ(e.message.topic, "gps/v1/jobs/vault");
  EXPECT_EQ(e.message.correlation_data, std::string(64, 'c') + ":3:vault:revoke:1");
  Result<protocol::Job> job = protocol::ParseJob(e.message.payload);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->name, "gw-7");
  EXPECT_EQ(job->facts_json, R"({"serial":"11:22"})");
  EXPECT_TRUE(StillWanted(e, s));
}

TEST(StillWanted, EverythingElseIsAlwaysWanted) {
  saga::Saga s = Sample();
  s.steps.clear();
  for (const OutboxEntry& e : Render(s, {PublishStatus{}, ReleaseName{"gw-7"}}, Instant{1})) {
    EXPECT_TRUE(StillWanted(e, s));
  }
}

}  // namespace
}  // namespace gps::engine
