#include "device-client/provisioner.h"

#include <gtest/gtest.h>

namespace gps::device_client {
namespace {

const std::string kId(64, 'a');
const std::string kOtherId(64, 'b');

ProvisionerOptions Options(Millis timeout_ms = 0) {
  ProvisionerOptions o;
  o.device_id = kId;
  o.announce_interval_ms = 5000;
  o.timeout_ms = timeout_ms;
  o.ack_resend_ms = 2000;
  o.ack_window_ms = 10000;
  return o;
}

protocol::StatusMessage Status(std::string state, std::string device_id = kId) {
  protocol::StatusMessage s;
  s.device_id = std::move(device_id);
  s.state = std::move(state);
  s.message = "from the engine";
  return s;
}

protocol::CredentialsMessage Credentials(std::string bundle_id, std::string device_id = kId) {
  protocol::CredentialsMessage c;
  c.device_id = std::move(device_id);
  c.bundle_id = std::move(bundle_id);
  c.sealed = "ciphertext";
  return c;
}

template <typename T>
bool IsOnly(const std::vector<Action>& actions) {
  return actions.size() == 1 && std::holds_alternative<T>(actions[0]);
}

ExitCode FinishCode(const std::vector<Action>& actions) {
  EXPECT_TRUE(IsOnly<Finish>(actions));
  return std::get<Finish>(actions.at(0)).code;
}

Instant At(Millis ms) { return Instant{1'000'000 + ms}; }

// A provisioner that has installed bundle "g1" while connected, at t = 100 ms.
Provisioner Acking() {
  Provisioner p(Options(), At(0));
  p.OnConnected(At(0));
  p.OnCredentials(Credentials("g1"), At(100));
  p.OnInstalled(At(100));
  return p;
}

TEST(ProvisionerTest, ExitCodesAreTheDocumentedOnes) {
  EXPECT_EQ(static_cast<int>(ExitCode::kProvisioned), 0);
  EXPECT_EQ(static_cast<int>(ExitCode::kFailure), 1);
  EXPECT_EQ(static_cast<int>(ExitCode::kConfiguration), 2);
  EXPECT_EQ(static_cast<int>(ExitCode::kTimedOut), 3);
  EXPECT_EQ(static_cast<int>(ExitCode::kRejected), 4);
}

TEST(ProvisionerTest, AnnouncesOnConnectThenEveryInterval) {
  Provisioner p(Options(), At(0));
  EXPECT_TRUE(p.OnTick(At(0)).empty()) << "no announce before the connection";
  EXPECT_TRUE(IsOnly<SendAnnounce>(p.OnConnected(At(10))));
  EXPECT_TRUE(p.OnTick(At(10)).empty());
  EXPECT_TRUE(p.OnTick(At(5009)).empty());
  EXPECT_EQ(p.NextDeadline(), At(5010));
  EXPECT_TRUE(IsOnly<SendAnnounce>(p.OnTick(At(5010))));
  EXPECT_TRUE(p.OnTick(At(5011)).empty());
  EXPECT_TRUE(IsOnly<SendAnnounce>(p.OnTick(At(10010))));
}

TEST(ProvisionerTest, RepeatedConnectedEventDoesNotAnnounceTwice) {
  Provisioner p(Options(), At(0));
  EXPECT_TRUE(IsOnly<SendAnnounce>(p.OnConnected(At(0))));
  EXPECT_TRUE(p.OnConnected(At(1)).empty());
}

TEST(ProvisionerTest, NoAnnouncesWhileDisconnectedAndOneOnReconnect) {
  Provisioner p(Options(), At(0));
  p.OnConnected(At(0));
  p.OnConnectionLost(At(100));
  EXPECT_FALSE(p.connected());
  EXPECT_TRUE(p.OnTick(At(6000)).empty());
  EXPECT_EQ(p.NextDeadline(), std::nullopt) << "nothing to time without a connection or timeout";
  EXPECT_TRUE(IsOnly<SendAnnounce>(p.OnConnected(At(7000))));
}

TEST(ProvisionerTest, TimesOutWhileWaiting) {
  Provisioner p(Options(30000), At(0));
  p.OnConnected(At(0));
  for (const Action& a : p.OnTick(At(29999))) {
    EXPECT_FALSE(std::holds_alternative<Finish>(a));
  }
  EXPECT_EQ(FinishCode(p.OnTick(At(30000))), ExitCode::kTimedOut);
  EXPECT_EQ(p.phase(), Phase::kFinished);
}

TEST(ProvisionerTest, TimesOutEvenWithoutAConnection) {
  Provisioner p(Options(1000), At(0));
  EXPECT_EQ(p.NextDeadline(), At(1000));
  EXPECT_EQ(FinishCode(p.OnTick(At(1000))), ExitCode::kTimedOut);
}

TEST(ProvisionerTest, ZeroTimeoutWaitsForever) {
  Provisioner p(Options(0), At(0));
  EXPECT_TRUE(p.OnTick(At(1000LL * 3600 * 24 * 365)).empty());
  EXPECT_EQ(p.phase(), Phase::kWaiting);
}

TEST(ProvisionerTest, TimeoutDoesNotApplyOnceInstalled) {
  Provisioner p(Options(1000), At(0));
  p.OnConnected(At(0));
  p.OnCredentials(Credentials("g1"), At(500));
  p.OnInstalled(At(900));
  std::vector<Action> a = p.OnTick(At(1500));
  EXPECT_TRUE(a.empty()) << "acking, not timed out";
  EXPECT_EQ(p.phase(), Phase::kAcking);
}

TEST(ProvisionerTest, DismissedOrRevokedExitsWithFour) {
  for (const char* state : {"dismissed", "revoking", "revoked"}) {
    Provisioner p(Options(), At(0));
    p.OnConnected(At(0));
    EXPECT_EQ(FinishCode(p.OnStatus(Status(state), At(1))), ExitCode::kRejected) << state;
    EXPECT_TRUE(IsOnly<Ignore>(p.OnCredentials(Credentials("g1"), At(2))))
        << state << ": nothing is installed after finishing";
  }
}

TEST(ProvisionerTest, RevokedAfterInstallingDoesNotEndTheAckPhase) {
  for (const char* state : {"dismissed", "revoking", "revoked"}) {
    Provisioner p = Acking();
    EXPECT_TRUE(IsOnly<Ignore>(p.OnStatus(Status(state), At(200)))) << state;
    EXPECT_EQ(p.phase(), Phase::kAcking) << state;
  }
}

TEST(ProvisionerTest, OtherStatesAreOnlyObserved) {
  Provisioner p(Options(), At(0));
  for (const char* state : {"pending", "provisioning", "failed", "provisioned"}) {
    EXPECT_TRUE(p.OnStatus(Status(state), At(1)).empty()) << state;
    EXPECT_EQ(p.phase(), Phase::kWaiting) << state;
  }
}

TEST(ProvisionerTest, StatusForAnotherDeviceOrUnknownStateIsIgnored) {
  Provisioner p(Options(), At(0));
  EXPECT_TRUE(IsOnly<Ignore>(p.OnStatus(Status("dismissed", kOtherId), At(1))));
  EXPECT_TRUE(IsOnly<Ignore>(p.OnStatus(Status("exploded"), At(1))));
  EXPECT_EQ(p.phase(), Phase::kWaiting);
}

TEST(ProvisionerTest, CredentialsAreInstalled) {
  Provisioner p(Options(), At(0));
  p.OnConnected(At(0));
  std::vector<Action> a = p.OnCredentials(Credentials("g1"), At(10));
  ASSERT_TRUE(IsOnly<InstallBundle>(a));
  EXPECT_EQ(std::get<InstallBundle>(a[0]).credentials.bundle_id, "g1");
  EXPECT_EQ(std::get<InstallBundle>(a[0]).credentials.sealed, "ciphertext");
  EXPECT_EQ(p.phase(), Phase::kInstalling);
  EXPECT_EQ(p.NextDeadline(), std::nullopt);
  EXPECT_TRUE(p.OnTick(At(60000)).empty()) << "no announces while installing";
}

TEST(ProvisionerTest, CredentialsForAnotherDeviceAreIgnored) {
  Provisioner p(Options(), At(0));
  EXPECT_TRUE(IsOnly<Ignore>(p.OnCredentials(Credentials("g1", kOtherId), At(1))));
  EXPECT_EQ(p.phase(), Phase::kWaiting);
}

TEST(ProvisionerTest, SecondCredentialsWhileInstallingAreIgnored) {
  Provisioner p(Options(), At(0));
  p.OnCredentials(Credentials("g1"), At(1));
  EXPECT_TRUE(IsOnly<Ignore>(p.OnCredentials(Credentials("g2"), At(2))));
}

TEST(ProvisionerTest, RejectedBundleGoesBackToWaitingAndAnnouncing) {
  Provisioner p(Options(), At(0));
  p.OnConnected(At(0));
  p.OnCredentials(Credentials("bad"), At(100));
  EXPECT_TRUE(p.OnInstallFailed(At(200)).empty());
  EXPECT_EQ(p.phase(), Phase::kWaiting);
  EXPECT_TRUE(IsOnly<SendAnnounce>(p.OnTick(At(5000))));
  // A later good bundle is taken.
  EXPECT_TRUE(IsOnly<InstallBundle>(p.OnCredentials(Credentials("g1"), At(5100))));
}

TEST(ProvisionerTest, DismissedWhileInstallingDoesNotInterruptTheInstall) {
  Provisioner p(Options(), At(0));
  p.OnCredentials(Credentials("g1"), At(1));
  EXPECT_TRUE(p.OnStatus(Status("dismissed"), At(2)).empty());
  EXPECT_EQ(p.phase(), Phase::kInstalling);
}

TEST(ProvisionerTest, InstalledSendsAckForTheBundle) {
  Provisioner p(Options(), At(0));
  p.OnConnected(At(0));
  p.OnCredentials(Credentials("g1"), At(100));
  std::vector<Action> a = p.OnInstalled(At(300));
  ASSERT_TRUE(IsOnly<SendAck>(a));
  EXPECT_EQ(std::get<SendAck>(a[0]).bundle_id, "g1");
  EXPECT_EQ(p.phase(), Phase::kAcking);
}

TEST(ProvisionerTest, AckIsResentEveryTwoSecondsUntilTheWindowEnds) {
  Provisioner p = Acking();  // installed at 100
  EXPECT_TRUE(p.OnTick(At(2099)).empty());
  EXPECT_TRUE(IsOnly<SendAck>(p.OnTick(At(2100))));
  EXPECT_TRUE(p.OnTick(At(2200)).empty());
  EXPECT_TRUE(IsOnly<SendAck>(p.OnTick(At(4100))));
  std::vector<Action> end = p.OnTick(At(10100));
  EXPECT_EQ(FinishCode(end), ExitCode::kProvisioned);
}

TEST(ProvisionerTest, ProvisionedStatusEndsTheAckPhase) {
  Provisioner p = Acking();
  EXPECT_EQ(FinishCode(p.OnStatus(Status("provisioned"), At(500))), ExitCode::kProvisioned);
  EXPECT_TRUE(p.OnTick(At(2100)).empty()) << "no ack after finishing";
}

TEST(ProvisionerTest, OtherStatusesWhileAckingDoNotEndIt) {
  Provisioner p = Acking();
  EXPECT_TRUE(p.OnStatus(Status("provisioning"), At(200)).empty());
  EXPECT_TRUE(IsOnly<Ignore>(p.OnStatus(Status("dismissed"), At(200))));
  EXPECT_EQ(p.phase(), Phase::kAcking);
}

TEST(ProvisionerTest, RedeliveredBundleWhileAckingIsAckedAgain) {
  Provisioner p = Acking();
  std::vector<Action> a = p.OnCredentials(Credentials("g1"), At(600));
  ASSERT_TRUE(IsOnly<SendAck>(a));
  EXPECT_EQ(std::get<SendAck>(a[0]).bundle_id, "g1");
  EXPECT_TRUE(IsOnly<Ignore>(p.OnCredentials(Credentials("g2"), At(700))));
}

TEST(ProvisionerTest, AckWaitsForAConnectionAndGoesOutOnReconnect) {
  Provisioner p(Options(), At(0));
  p.OnConnected(At(0));
  p.OnCredentials(Credentials("g1"), At(100));
  p.OnConnectionLost(At(150));
  EXPECT_TRUE(p.OnInstalled(At(200)).empty());
  EXPECT_TRUE(p.OnTick(At(3000)).empty());
  std::vector<Action> a = p.OnConnected(At(3100));
  ASSERT_TRUE(IsOnly<SendAck>(a));
  EXPECT_EQ(FinishCode(p.OnTick(At(10200))), ExitCode::kProvisioned);
}

TEST(ProvisionerTest, ShutdownBeforeInstallIsAFailureAfterInstallASuccess) {
  Provisioner waiting(Options(), At(0));
  EXPECT_EQ(FinishCode(waiting.OnShutdown(At(1))), ExitCode::kFailure);
  Provisioner acking = Acking();
  EXPECT_EQ(FinishCode(acking.OnShutdown(At(200))), ExitCode::kProvisioned);
  EXPECT_TRUE(acking.OnShutdown(At(300)).empty());
}

TEST(ProvisionerTest, OutcomeOfAnInstallOutsideInstallingChangesNothing) {
  Provisioner p(Options(), At(0));
  EXPECT_TRUE(p.OnInstalled(At(1)).empty());
  EXPECT_TRUE(p.OnInstallFailed(At(1)).empty());
  EXPECT_EQ(p.phase(), Phase::kWaiting);
}

TEST(MessageTimestampsTest, FollowTheClockAndNeverGoBack) {
  MessageTimestamps ts;
  EXPECT_EQ(ts.Next(Instant{1000}), 1000);
  EXPECT_EQ(ts.Next(Instant{1000}), 1001) << "same millisecond";
  EXPECT_EQ(ts.Next(Instant{500}), 1002) << "clock stepped back";
  EXPECT_EQ(ts.Next(Instant{5000}), 5000);
}

}  // namespace
}  // namespace gps::device_client
