#include "ui/api/device_json.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

DeviceView MakeView(saga::Phase phase) {
  DeviceView v;
  saga::Saga& s = v.saga;
  s.device_id = std::string(64, 'c');
  s.phase = phase;
  s.mac = "02:42:ac:11:00:02";
  s.pubkey_pem = "-----BEGIN PUBLIC KEY-----\nSECRETLESS\n-----END PUBLIC KEY-----\n";
  s.fingerprint = "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  s.check_code = "K7QF-2MXA-9TRE";
  s.transport_key = std::string(32, '\x07');
  s.first_seen = Instant{1763880000123};
  v.last_seen = Instant{1763880005456};
  return v;
}

json::Document ParseOrDie(const std::string& text) {
  Result<json::Document> doc = json::ParseObject(text, 1 << 20, "device");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return std::move(doc).value();
}

TEST(DeviceJsonTest, PendingDevice) {
  json::Document doc = ParseOrDie(DeviceJson(MakeView(saga::Phase::kPending)));
  json::Value d = doc.Root();
  EXPECT_EQ(d.GetString("id").value(), std::string(64, 'c'));
  EXPECT_EQ(d.GetString("mac").value(), "02:42:ac:11:00:02");
  EXPECT_EQ(d.GetString("fingerprint").value(),
            "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
  EXPECT_EQ(d.GetString("checkCode").value(), "K7QF-2MXA-9TRE");
  EXPECT_EQ(d.GetString("firstSeen").value(), "2025-11-23T06:40:00.123Z");
  EXPECT_EQ(d.GetString("lastSeen").value(), "2025-11-23T06:40:05.456Z");
  EXPECT_EQ(d.GetString("state").value(), "pending");
  EXPECT_EQ(d.GetString("phase").value(), "pending");
  EXPECT_EQ(d.GetString("name").value(), "");
  EXPECT_EQ(d.GetString("error").value(), "");
  EXPECT_EQ(d.GetString("approvedBy").value(), "");
  EXPECT_TRUE(d.Has("approvedAt"));
  EXPECT_FALSE(d.Find("approvedAt").has_value());  // null
  EXPECT_TRUE(d.GetObject("steps").value().Members().value().empty());
}

TEST(DeviceJsonTest, ApprovedDeviceWithStepsButNoStepDataOrKeys) {
  DeviceView v = MakeView(saga::Phase::kCheckingName);
  v.saga.name = "gw-berlin-0042";
  v.saga.approved_by = "alice";
  v.saga.approved_at = Instant{1763880010000};
  v.saga.last_error = "mender: HTTP 503";
  v.saga.sealed_bundle = "SEALED-BUNDLE-BYTES";
  saga::StepState running;
  running.status = saga::StepStatus::kRunning;
  running.attempt = 1;
  running.started = Instant{1763880011000};
  running.deadline = Instant{1763880015000};
  running.retry_at = Instant{1763880099000};  // stale from an earlier wait: not shown
  saga::StepState failed;
  failed.status = saga::StepStatus::kFailed;
  failed.attempt = 3;
  failed.last_error = "dps: HTTP 429";
  failed.data_json = R"({"sealedSymmetricKey":"U0VBTEVE"})";
  v.saga.steps[saga::Slot::kMenderName] = running;
  v.saga.steps[saga::Slot::kDps] = failed;

  std::string text = DeviceJson(v);
  json::Document doc = ParseOrDie(text);
  json::Value d = doc.Root();
  // checking_name is a phase of the API state "provisioning".
  EXPECT_EQ(d.GetString("state").value(), "provisioning");
  EXPECT_EQ(d.GetString("phase").value(), "checking_name");
  EXPECT_EQ(d.GetString("name").value(), "gw-berlin-0042");
  EXPECT_EQ(d.GetString("approvedBy").value(), "alice");
  EXPECT_EQ(d.GetString("approvedAt").value(), "2025-11-23T06:40:10.000Z");
  EXPECT_EQ(d.GetString("error").value(), "mender: HTTP 503");
  json::Value steps = d.GetObject("steps").value();
  json::Value name_check = steps.GetObject("menderName").value();
  EXPECT_EQ(name_check.GetString("status").value(), "running");
  EXPECT_EQ(name_check.GetInt("attempt").value(), 1);
  EXPECT_EQ(name_check.GetString("error").value(), "");
  EXPECT_EQ(name_check.GetString("startedAt").value(), "2025-11-23T06:40:11.000Z");
  EXPECT_EQ(name_check.GetString("deadline").value(), "2025-11-23T06:40:15.000Z");
  EXPECT_TRUE(name_check.Get("retryAt").value().IsNull());
  EXPECT_TRUE(name_check.Get("finishedAt").value().IsNull());
  json::Value dps = steps.GetObject("dps").value();
  EXPECT_EQ(dps.GetString("status").value(), "failed");
  EXPECT_EQ(dps.GetInt("attempt").value(), 3);
  EXPECT_EQ(dps.GetString("error").value(), "dps: HTTP 429");
  // Status, attempt, error and times only: never the worker's data.
  std::vector<std::string> keys;
  std::vector<std::pair<std::string, json::Value>> members = dps.Members().value();
  for (const auto& [key, value] : members) {
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"status", "attempt", "error", "startedAt", "finishedAt",
                                            "deadline", "retryAt"}));
  EXPECT_TRUE(dps.Get("retryAt").value().IsNull()) << "only a waiting step has a retry time";
  EXPECT_TRUE(dps.Get("deadline").value().IsNull()) << "only a running step has a lease";
  // Nothing sealed, no keys.
  EXPECT_EQ(text.find("U0VBTEVE"), std::string::npos);
  EXPECT_EQ(text.find("sealed"), std::string::npos);
  EXPECT_EQ(text.find("SECRETLESS"), std::string::npos);
  EXPECT_EQ(text.find("transportKey"), std::string::npos);
  EXPECT_EQ(text.find("pendingReply"), std::string::npos);
}

TEST(DeviceJsonTest, ApiStateOfEveryPhase) {
  struct Case {
    saga::Phase phase;
    const char* state;
  };
  for (const Case& c :
       {Case{saga::Phase::kPending, "pending"}, Case{saga::Phase::kCheckingName, "provisioning"},
        Case{saga::Phase::kProvisioning, "provisioning"},
        Case{saga::Phase::kDelivering, "provisioning"},
        Case{saga::Phase::kProvisioned, "provisioned"}, Case{saga::Phase::kFailed, "failed"},
        Case{saga::Phase::kDismissed, "dismissed"}}) {
    json::Document doc = ParseOrDie(DeviceJson(MakeView(c.phase)));
    EXPECT_EQ(doc.Root().GetString("state").value(), c.state);
    EXPECT_EQ(doc.Root().GetString("phase").value(), saga::PhaseName(c.phase));
  }
}

TEST(DeviceJsonTest, ValuesAreEscaped) {
  DeviceView v = MakeView(saga::Phase::kFailed);
  v.saga.last_error = "HTTP 400: \"<script>\"\n\\";
  json::Document doc = ParseOrDie(DeviceJson(v));
  EXPECT_EQ(doc.Root().GetString("error").value(), "HTTP 400: \"<script>\"\n\\");
}

TEST(DeviceJsonTest, ListKeepsOrder) {
  DeviceView a = MakeView(saga::Phase::kPending);
  DeviceView b = MakeView(saga::Phase::kFailed);
  b.saga.device_id = std::string(64, 'd');
  std::string text = DeviceListJson({b, a});
  Result<json::Document> doc = json::Parse(text, 1 << 20, "list");
  ASSERT_TRUE(doc.ok());
  std::vector<json::Value> items = doc->Root().AsArray().value();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].GetString("id").value(), std::string(64, 'd'));
  EXPECT_EQ(items[1].GetString("id").value(), std::string(64, 'c'));
  EXPECT_EQ(DeviceListJson({}), "[]");
}

TEST(StateFilterTest, NoValueMeansNoFilter) {
  Result<std::optional<std::string>> r = ParseStateFilter({});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(StateFilterTest, EveryKnownState) {
  for (std::string_view state : kApiStates) {
    Result<std::optional<std::string>> r = ParseStateFilter({std::string(state)});
    ASSERT_TRUE(r.ok()) << state;
    EXPECT_EQ(r->value(), state);
  }
}

TEST(StateFilterTest, UnknownEmptyOrRepeatedIsRefused) {
  for (const std::vector<std::string>& values :
       {std::vector<std::string>{"sleeping"}, std::vector<std::string>{""},
        std::vector<std::string>{"Pending"}, std::vector<std::string>{"checking_name"},
        std::vector<std::string>{"pending", "failed"}}) {
    Result<std::optional<std::string>> r = ParseStateFilter(values);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_NE(r.status().message().find("pending, provisioning, provisioned, failed, dismissed"),
              std::string::npos)
        << r.status().message();
  }
  EXPECT_NE(ParseStateFilter({"sleeping"}).status().message().find("unknown state 'sleeping'"),
            std::string::npos);
}

TEST(StateFilterTest, FilterKeepsMatchingDevicesInOrder) {
  std::vector<DeviceView> devices;
  const saga::Phase phases[] = {saga::Phase::kPending, saga::Phase::kProvisioning,
                                saga::Phase::kPending, saga::Phase::kDelivering,
                                saga::Phase::kDismissed};
  for (std::size_t i = 0; i < std::size(phases); ++i) {
    DeviceView v = MakeView(phases[i]);
    v.saga.device_id = std::string(64, static_cast<char>('0' + i));
    devices.push_back(v);
  }
  auto ids = [](const std::vector<DeviceView>& list) {
    std::string out;
    for (const DeviceView& d : list) {
      out += d.saga.device_id.front();
    }
    return out;
  };
  EXPECT_EQ(ids(FilterByState(devices, std::nullopt)), "01234");
  EXPECT_EQ(ids(FilterByState(devices, "pending")), "02");
  EXPECT_EQ(ids(FilterByState(devices, "provisioning")), "13");
  EXPECT_EQ(ids(FilterByState(devices, "dismissed")), "4");
  EXPECT_EQ(ids(FilterByState(devices, "failed")), "");
}

}  // namespace
}  // namespace gps::ui
