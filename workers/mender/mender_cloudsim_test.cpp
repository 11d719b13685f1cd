// The mender step against cloudsim's Mender API over real HTTP, in-process (cloudsim::SimHost):
// one row per way the API answers — success, the same job twice, a wrong token (401), a refused
// body (400), the MAC held with another key (409), a stale tags ETag (412), throttling (429 with
// Retry-After), server errors (5xx) — then revoke (by the provision's id, by MAC and key, repeated,
// leaving other devices alone) and the name check.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gps/crypto/keys.h"
#include "gps/http/client.h"
#include "gps/json/json.h"
#include "gps/protocol/step_results.h"
#include "workers/mender/mender_client.h"
#include "workers/mender/mender_step.h"
#include "workers/testing/cloudsim_fixture.h"

namespace gps::worker::mender {
namespace {

constexpr char kToken[] = "mender-worker-test-token";
constexpr char kMac[] = "02:42:ac:11:00:02";
const std::string kDevice(64, 'a');
const std::string kOtherDevice(64, 'b');

std::string NewPublicKeyPem() {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  EXPECT_TRUE(key.ok());
  Result<crypto::PublicKey> pub = key->Public();
  EXPECT_TRUE(pub.ok());
  return pub->SpkiPem();
}

class MenderCloudsimTest : public testing::CloudsimTest {
 protected:
  void SetUp() override {
    cloudsim::SimHost::Options options;
    options.mender.token = kToken;
    StartCloud(std::move(options));
    ASSERT_FALSE(HasFatalFailure());
    client_ = std::make_unique<MenderClient>(Settings(kToken), clock());
    step_ = std::make_unique<MenderStep>(*client_);
  }

  MenderSettings Settings(const std::string& token) {
    MenderSettings s;
    s.url = Url(cloud().ports().mender);
    s.token = token;
    s.timeout_ms = 5000;
    Status valid = ValidateMenderSettings(&s);
    EXPECT_TRUE(valid.ok()) << valid.ToString();
    return s;
  }

  protocol::Job MakeJob(protocol::Action action, const std::string& device = kDevice,
                        std::string name = "gw-1") {
    protocol::Job job = NewJob(protocol::Step::kMender, action, device, std::move(name));
    job.pubkey_pem = device == kDevice ? our_key_ : other_key_;
    return job;
  }

  protocol::JobResult Run(const protocol::Job& job) { return CloudsimTest::Run(*step_, job); }

  // The Mender device id of a successful provision.
  std::string Provisioned(const protocol::JobResult& result) {
    EXPECT_TRUE(result.outcome.ok()) << result.outcome.error;
    Result<protocol::MenderProvisionResult> data = protocol::ParseMenderProvision(result.data_json);
    EXPECT_TRUE(data.ok()) << data.status().ToString() << " " << result.data_json;
    return data.ok() ? data->mender_device_id : "";
  }

  protocol::Job RevokeJob(const std::string& mender_device_id = "") {
    protocol::Job job = MakeJob(protocol::Action::kRevoke);
    if (!mender_device_id.empty()) {
      job.facts_json = R"({"menderDeviceId":")" + mender_device_id + R"("})";
    }
    return job;
  }

  // Devices of device authentication that are not decommissioned.
  std::vector<cloudsim::MenderDevice> Active() {
    return state().Locked([](cloudsim::SimData& data) {
      std::vector<cloudsim::MenderDevice> out;
      for (const auto& [id, d] : data.mender.devices) {
        if (!d.decommissioned) {
          out.push_back(d);
        }
      }
      return out;
    });
  }

  bool InInventory(const std::string& id) {
    return state().Locked(
        [&](cloudsim::SimData& data) { return data.mender.inventory.count(id) > 0; });
  }

  // The inventory tag `name` as JSON text; nullopt when the device has none.
  std::optional<std::string> NameTag(const std::string& id) {
    return state().Locked([&](cloudsim::SimData& data) -> std::optional<std::string> {
      auto it = data.mender.inventory.find(id);
      if (it == data.mender.inventory.end()) {
        return std::nullopt;
      }
      for (const cloudsim::InventoryAttribute& a : it->second.attributes) {
        if (a.scope == "tags" && a.name == "name") {
          return a.value_json;
        }
      }
      return std::nullopt;
    });
  }

  // Another device that reports the same MAC among other identity attributes, pre-authorised
  // with a key of its own by someone else; returns its id.
  std::string PreauthorizeSameMacOtherIdentity() {
    http::Request r;
    r.method = "POST";
    r.url = Url(cloud().ports().mender) + "/api/management/v2/devauth/devices";
    r.headers = {{"Authorization", std::string("Bearer ") + kToken},
                 {"Content-Type", "application/json"}};
    r.body = R"({"identity_data":{"mac":")" + std::string(kMac) + R"(","sn":"SN-7"},"pubkey":)" +
             json::Quote(NewPublicKeyPem()) + "}";
    Result<http::Response> response = Status::Unavailable("not sent");
    std::thread([&] { response = http::Client().Send(r); }).join();
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response.ok() ? response->status : 0, 201);
    Result<std::string> id =
        DeviceIdFromLocation(response.ok() ? response->HeaderValue("Location").value_or("") : "");
    EXPECT_TRUE(id.ok());
    return id.value_or("");
  }

  std::unique_ptr<MenderClient> client_;
  std::unique_ptr<MenderStep> step_;
  const std::string our_key_ = NewPublicKeyPem();
  const std::string other_key_ = NewPublicKeyPem();
};

TEST_F(MenderCloudsimTest, ProvisionPreauthorisesMacAndKeyAndSetsTheNameTag) {
  const std::string id = Provisioned(Run(MakeJob(protocol::Action::kProvision)));
  std::vector<cloudsim::MenderDevice> devices = Active();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].id, id);
  EXPECT_EQ(devices[0].identity_json, R"({"mac":"02:42:ac:11:00:02"})");
  EXPECT_EQ(devices[0].status, "preauthorized");
  ASSERT_EQ(devices[0].auth_sets.size(), 1u);
  EXPECT_EQ(crypto::PublicKey::FromPem(devices[0].auth_sets[0].pubkey_pem).value().spki_der(),
            crypto::PublicKey::FromPem(our_key_).value().spki_der());
  EXPECT_EQ(NameTag(id), R"("gw-1")");
}

TEST_F(MenderCloudsimTest, TheSameJobTwiceIsOneDevice) {
  protocol::Job job = MakeJob(protocol::Action::kProvision);
  const std::string first = Provisioned(Run(job));
  const std::string second = Provisioned(Run(job));
  EXPECT_EQ(second, first);
  EXPECT_EQ(Active().size(), 1u);
  EXPECT_EQ(NameTag(first), R"("gw-1")");
}

TEST_F(MenderCloudsimTest, WrongTokenIsPermanentWithMendersText) {
  MenderClient wrong(Settings("not-the-token"), clock());
  MenderStep step(wrong);
  for (protocol::Action action :
       {protocol::Action::kProvision, protocol::Action::kCheckName, protocol::Action::kRevoke}) {
    protocol::JobResult r = CloudsimTest::Run(step, MakeJob(action));
    EXPECT_TRUE(r.outcome.permanent()) << r.outcome.error;
    EXPECT_NE(r.outcome.error.find("HTTP 401: unauthorized"), std::string::npos) << r.outcome.error;
  }
  EXPECT_TRUE(Active().empty());

  // The decommission itself is refused too, and leaves the device where it is.
  const std::string id = Provisioned(Run(MakeJob(protocol::Action::kProvision)));
  protocol::JobResult revoke = CloudsimTest::Run(step, RevokeJob(id));
  EXPECT_TRUE(revoke.outcome.permanent());
  EXPECT_EQ(revoke.outcome.error, "mender: decommission " + id + ": HTTP 401: unauthorized");
  EXPECT_EQ(Active().size(), 1u);
  EXPECT_TRUE(InInventory(id));
}

TEST_F(MenderCloudsimTest, RefusedBodyIsPermanentWithMendersText) {
  FailOn("mender", 400, "POST", "/api/management/v2/devauth/devices",
         "failed to decode preauth request: pubkey: cannot be blank.");
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.error,
            "mender: preauthorize 02:42:ac:11:00:02: HTTP 400: failed to decode preauth request: "
            "pubkey: cannot be blank.");
  EXPECT_TRUE(Active().empty());
}

TEST_F(MenderCloudsimTest, MacHeldWithAnotherKeyIsAPermanentConflict) {
  const std::string theirs =
      Provisioned(Run(MakeJob(protocol::Action::kProvision, kOtherDevice, "gw-other")));
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.permanent());
  EXPECT_EQ(r.outcome.error,
            "mender: preauthorize 02:42:ac:11:00:02: HTTP 409: MAC already pre-authorised with "
            "another key (Mender device " +
                theirs + ")");
  EXPECT_EQ(Active().size(), 1u);
  EXPECT_EQ(NameTag(theirs), R"("gw-other")");
}

TEST_F(MenderCloudsimTest, StaleTagsEtagIsRetryable) {
  const std::string id = Provisioned(Run(MakeJob(protocol::Action::kProvision)));
  // Mender's own answer to a stale If-Match on the tags.
  Result<http::Response> stale = Status::Unavailable("not sent");
  std::thread([&] {
    stale = client_->PutTags(id, {{"name", R"("gw-x")", ""}}, "not-the-etag", clock().Now() + 5000);
  }).join();
  Outcome o = InterpretWriteTags(stale, "mender: set name tag of " + id, clock().Now());
  EXPECT_TRUE(o.retryable());
  EXPECT_EQ(o.error, "mender: set name tag of " + id +
                         ": HTTP 412: the tags changed since they "
                         "were read: ETag doesn't match");
  EXPECT_EQ(NameTag(id), R"("gw-1")");

  // A provision whose tags write meets it; the next attempt finds the tags as they are now.
  FailOn("mender", 412, "PUT", "/api/management/v1/inventory/devices/*/tags", "ETag doesn't match");
  protocol::JobResult renamed = Run(MakeJob(protocol::Action::kProvision, kDevice, "gw-2"));
  EXPECT_TRUE(renamed.outcome.retryable()) << renamed.outcome.error;
  EXPECT_NE(renamed.outcome.error.find("HTTP 412"), std::string::npos) << renamed.outcome.error;
  EXPECT_EQ(NameTag(id), R"("gw-1")");
  ClearFaults("mender");
  EXPECT_EQ(Provisioned(Run(MakeJob(protocol::Action::kProvision, kDevice, "gw-2"))), id);
  EXPECT_EQ(NameTag(id), R"("gw-2")");
}

TEST_F(MenderCloudsimTest, ThrottlingIsRetryableAfterRetryAfter) {
  Throttle("mender", 1, 7);  // the pre-authorisation passes, the tags read is throttled
  protocol::JobResult r = Run(MakeJob(protocol::Action::kProvision));
  EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
  EXPECT_GE(r.outcome.retry_after_ms, 7000);
  EXPECT_NE(r.outcome.error.find("HTTP 429"), std::string::npos) << r.outcome.error;

  protocol::JobResult check = Run(MakeJob(protocol::Action::kCheckName));
  EXPECT_TRUE(check.outcome.retryable());
  EXPECT_GE(check.outcome.retry_after_ms, 7000);
}

TEST_F(MenderCloudsimTest, ServerErrorsAreRetryable) {
  FailEverything("mender");
  for (protocol::Action action :
       {protocol::Action::kProvision, protocol::Action::kCheckName, protocol::Action::kRevoke}) {
    protocol::JobResult r = Run(MakeJob(action));
    EXPECT_TRUE(r.outcome.retryable()) << r.outcome.error;
    EXPECT_NE(r.outcome.error.find("HTTP 5"), std::string::npos) << r.outcome.error;
  }
  EXPECT_TRUE(Active().empty());
}

TEST_F(MenderCloudsimTest, RevokeDecommissionsTheProvisionedDeviceAndRepeats) {
  const std::string id = Provisioned(Run(MakeJob(protocol::Action::kProvision)));
  for (int i = 0; i < 2; ++i) {
    protocol::JobResult r = Run(RevokeJob(id));
    EXPECT_TRUE(r.outcome.ok()) << i << ": " << r.outcome.error;
    EXPECT_EQ(r.data_json, "{}");
    EXPECT_TRUE(Active().empty()) << i;
    EXPECT_FALSE(InInventory(id)) << i;
  }
  // Decommissioned, the MAC is free to be pre-authorised again.
  EXPECT_NE(Provisioned(Run(MakeJob(protocol::Action::kProvision))), id);
}

TEST_F(MenderCloudsimTest, RevokeWithoutTheIdFindsTheDeviceByMacAndKey) {
  const std::string ours = Provisioned(Run(MakeJob(protocol::Action::kProvision)));
  const std::string theirs = PreauthorizeSameMacOtherIdentity();
  for (int i = 0; i < 2; ++i) {
    protocol::JobResult r = Run(RevokeJob());
    EXPECT_TRUE(r.outcome.ok()) << i << ": " << r.outcome.error;
    EXPECT_EQ(r.data_json, "{}");
    std::vector<cloudsim::MenderDevice> left = Active();
    ASSERT_EQ(left.size(), 1u) << i;
    EXPECT_EQ(left[0].id, theirs);  // same MAC, other key: not ours to remove
    EXPECT_TRUE(InInventory(theirs));
    EXPECT_FALSE(InInventory(ours));
  }
}

TEST_F(MenderCloudsimTest, RevokeOfAGatewayNeverProvisionedSucceeds) {
  const std::string theirs = PreauthorizeSameMacOtherIdentity();
  protocol::JobResult r = Run(RevokeJob());
  EXPECT_TRUE(r.outcome.ok()) << r.outcome.error;
  EXPECT_EQ(Active().size(), 1u);
  EXPECT_TRUE(InInventory(theirs));

  protocol::JobResult unknown_id = Run(RevokeJob("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
  EXPECT_TRUE(unknown_id.outcome.ok()) << unknown_id.outcome.error;
}

TEST_F(MenderCloudsimTest, NameCheckSeesOtherDevicesButNotThisOne) {
  protocol::JobResult free = Run(MakeJob(protocol::Action::kCheckName));
  ASSERT_TRUE(free.outcome.ok()) << free.outcome.error;
  EXPECT_TRUE(protocol::ParseNameCheck(free.data_json).value().available);

  const std::string id = Provisioned(Run(MakeJob(protocol::Action::kProvision)));
  protocol::JobResult mine = Run(MakeJob(protocol::Action::kCheckName));
  ASSERT_TRUE(mine.outcome.ok()) << mine.outcome.error;
  EXPECT_TRUE(protocol::ParseNameCheck(mine.data_json).value().available);

  protocol::Job other = MakeJob(protocol::Action::kCheckName, kOtherDevice);
  other.mac = "02:42:ac:11:00:03";
  protocol::JobResult taken = Run(other);
  ASSERT_TRUE(taken.outcome.ok()) << taken.outcome.error;
  protocol::NameCheckResult result = protocol::ParseNameCheck(taken.data_json).value();
  EXPECT_FALSE(result.available);
  EXPECT_EQ(result.detail, "used by Mender device " + id);
}

}  // namespace
}  // namespace gps::worker::mender
