#include "cloudsim/state/state_json.h"

#include <gtest/gtest.h>

#include "gps/json/json.h"

namespace gps::cloudsim {
namespace {

TEST(DumpStateJson, EmptyStateHasEverySection) {
  SimData data;
  data.ca_root_pem = "ROOT";
  data.ca_intermediate_pem = "INTER";
  json::Document doc = json::ParseObject(DumpStateJson(data), 1 << 20, "dump").value();
  json::Value root = doc.Root();
  EXPECT_EQ(root.GetObject("ca").value().GetString("root_pem").value_or(""), "ROOT");
  EXPECT_TRUE(root.GetObject("mender").value().GetArray("devices").value().empty());
  EXPECT_TRUE(root.GetObject("dps").value().GetArray("enrollments").value().empty());
  EXPECT_TRUE(root.GetObject("dps").value().GetArray("registrations").value().empty());
  EXPECT_TRUE(root.GetObject("vault").value().GetArray("certificates").value().empty());
  EXPECT_TRUE(root.GetObject("hub").value().GetArray("devices").value().empty());
}

TEST(DumpStateJson, CarriesKeysTagsRevocationAndConfigurationContent) {
  SimData data;
  MenderDevice d;
  d.id = "dev-1";
  d.identity_json = R"({"mac":"aa"})";
  d.status = "preauthorized";
  d.auth_sets.push_back({"as-1", "PEM", "preauthorized", "ts"});
  data.mender.devices[d.id] = d;
  InventoryDevice inv;
  inv.id = "dev-1";
  inv.attributes.push_back({"tags", "name", "\"gw-1\"", std::nullopt, "ts"});
  inv.tags_etag = "etag-1";
  data.mender.inventory["dev-1"] = inv;
  DpsEnrollment e;
  e.registration_id = "gw-1";
  e.device_id = "gw-1";
  e.attestation_type = "symmetricKey";
  e.primary_key = "PRIMARY";
  e.secondary_key = "SECONDARY";
  e.reprovision_policy_json = "{}";
  e.initial_twin_json = R"({"tags":{"gpsDeviceId":"x"}})";
  data.dps.enrollments["gw-1"] = e;
  VaultCertificate c;
  c.serial = "01:02";
  c.common_name = "gw-1";
  c.revoked = true;
  c.revocation_time = 42;
  data.vault.certificates[c.serial] = c;
  HubDevice h;
  h.device_id = "gw-1";
  h.configuration_content_json = R"({"modulesContent":{}})";
  data.hub.devices["gw-1"] = h;

  json::Document doc = json::ParseObject(DumpStateJson(data), 1 << 20, "dump").value();
  json::Value root = doc.Root();
  json::Value dev = root.GetObject("mender").value().GetArray("devices").value().at(0);
  EXPECT_FALSE(dev.GetBool("decommissioned").value_or(true));
  EXPECT_EQ(dev.GetArray("auth_sets").value().at(0).GetString("pubkey").value_or(""), "PEM");
  EXPECT_EQ(dev.GetArray("tags").value().at(0).GetString("value").value_or(""), "gw-1");
  EXPECT_EQ(dev.GetString("tags_etag").value_or(""), "etag-1");
  json::Value enr = root.GetObject("dps").value().GetArray("enrollments").value().at(0);
  EXPECT_EQ(enr.GetObject("attestation")
                .value()
                .GetObject("symmetricKey")
                .value()
                .GetString("primaryKey")
                .value_or(""),
            "PRIMARY");
  EXPECT_EQ(enr.Get("initialTwin").value().Serialize(), R"({"tags":{"gpsDeviceId":"x"}})");
  json::Value cert = root.GetObject("vault").value().GetArray("certificates").value().at(0);
  EXPECT_TRUE(cert.GetBool("revoked").value_or(false));
  EXPECT_EQ(cert.GetInt("revocation_time").value_or(0), 42);
  json::Value hub = root.GetObject("hub").value().GetArray("devices").value().at(0);
  EXPECT_EQ(hub.Get("configurationContent").value().Serialize(), R"({"modulesContent":{}})");
}

}  // namespace
}  // namespace gps::cloudsim
