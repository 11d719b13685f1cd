#include "engine/saga/bundle.h"

#include <gtest/gtest.h>

#include "gps/protocol/step_results.h"

namespace gps::engine {
namespace {

saga::Saga Complete() {
  saga::Saga s;
  s.device_id = std::string(64, 'a');
  s.name = "gw-1";
  s.bundle_id = "g1";
  saga::StepState ok;
  ok.status = saga::StepStatus::kSucceeded;
  ok.data_json = protocol::EncodeMenderProvision({"m-1"});
  s.steps[saga::Slot::kMender] = ok;
  ok.data_json = protocol::EncodeDpsProvision({"gw-1", "0ne1", "global.example", "sealed-key"});
  s.steps[saga::Slot::kDps] = ok;
  protocol::VaultProvisionResult v;
  v.certificate_pem = "CERT";
  v.ca_chain_pem = {"CA1", "CA2"};
  v.serial = "aa:bb";
  v.sealed_private_key = "sealed-pk";
  ok.data_json = protocol::EncodeVaultProvision(v);
  s.steps[saga::Slot::kVault] = ok;
  return s;
}

TEST(BuildBundle, CarriesEveryStepsResult) {
  Result<protocol::CredentialBundle> b = BuildBundle(Complete());
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->device_id, std::string(64, 'a'));
  EXPECT_EQ(b->bundle_id, "g1");
  EXPECT_EQ(b->name, "gw-1");
  EXPECT_EQ(b->mender_device_id, "m-1");
  EXPECT_EQ(b->dps_registration_id, "gw-1");
  EXPECT_EQ(b->dps_id_scope, "0ne1");
  EXPECT_EQ(b->dps_global_endpoint, "global.example");
  EXPECT_EQ(b->dps_sealed_symmetric_key, "sealed-key");
  EXPECT_EQ(b->certificate_pem, "CERT");
  EXPECT_EQ(b->ca_chain_pem, (std::vector<std::string>{"CA1", "CA2"}));
  EXPECT_EQ(b->certificate_serial, "aa:bb");
  EXPECT_EQ(b->sealed_private_key, "sealed-pk");
}

TEST(BuildBundle, RefusesWhileAStepHasNotSucceeded) {
  saga::Saga s = Complete();
  s.steps[saga::Slot::kDps].status = saga::StepStatus::kRunning;
  EXPECT_TRUE(BuildBundle(s).status().IsFailedPrecondition());
}

TEST(BuildBundle, RefusesWithoutABundleId) {
  saga::Saga s = Complete();
  s.bundle_id.clear();
  EXPECT_FALSE(BuildBundle(s).ok());
}

TEST(BuildBundle, RefusesWhenNeitherAKeyNorACsrExists) {
  saga::Saga s = Complete();
  protocol::VaultProvisionResult v =
      protocol::ParseVaultProvision(s.steps[saga::Slot::kVault].data_json).value();
  v.sealed_private_key.clear();
  s.steps[saga::Slot::kVault].data_json = protocol::EncodeVaultProvision(v);
  EXPECT_FALSE(BuildBundle(s).ok());
  s.csr_pem = "CSR";
  EXPECT_TRUE(BuildBundle(s).ok());
}

}  // namespace
}  // namespace gps::engine
