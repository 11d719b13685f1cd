#include "engine/saga/job_facts.h"

#include <gtest/gtest.h>

#include "engine/saga/decide_test_support.h"
#include "gps/json/json.h"

namespace gps::engine {
namespace {

using namespace decide_testing;

TEST(JobFacts, ManifestAndMenderRevocationGetTheMenderDeviceId) {
  SagaDriver drv;
  Saga s = drv.Provisioned();
  EXPECT_EQ(JobFacts(s, Slot::kHubManifest), R"({"menderDeviceId":"mender-uuid-1"})");
  EXPECT_EQ(JobFacts(s, Slot::kMenderRevoke), R"({"menderDeviceId":"mender-uuid-1"})");
}

TEST(JobFacts, VaultRevocationGetsTheSerial) {
  SagaDriver drv;
  EXPECT_EQ(JobFacts(drv.Provisioned(), Slot::kVaultRevoke), R"({"serial":"01:02"})");
}

TEST(JobFacts, NothingKnownIsNoFact) {
  SagaDriver drv;
  Saga s = drv.Provisioning();
  EXPECT_EQ(JobFacts(s, Slot::kMenderRevoke), "{}");
  EXPECT_EQ(JobFacts(s, Slot::kVaultRevoke), "{}");
  EXPECT_EQ(JobFacts(s, Slot::kDpsRevoke), "{}");
  EXPECT_EQ(JobFacts(s, Slot::kVault), "{}");
}

}  // namespace
}  // namespace gps::engine
