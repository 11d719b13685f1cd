// gps-ui end to end: a real redis-server and mosquitto on free ports, sagas written with the
// library, gps-ui run as a subprocess, and this test playing the engine on the real broker
// (the engine's command subscription, replies on the response topic with the
// request's correlation data). Every check goes over HTTP with lib/gps/http.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/http/client.h"
#include "gps/json/json.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/command.h"
#include "gps/protocol/topics.h"
#include "gps/redis/connection.h"
#include "gps/redis/keys.h"
#include "gps/saga/record.h"
#include "tests/support/services.h"
#include "tests/support/subprocess.h"

// In the namespace of tests/support, like the end-to-end test.
namespace gps::testing {
namespace {

constexpr std::chrono::milliseconds kStart{20000};
// GPS_UI_API_TOKEN of the instances under test: an admin token. Call() sends it unless told not to.
constexpr char kApiToken[] = "gps_integration-test-token-0123456789abcdef";

std::string DeviceId(std::string_view seed) { return crypto::HexEncode(crypto::Sha256(seed)); }

redis::Endpoint RedisAt(int port) {
  redis::Endpoint e;
  e.host = "127.0.0.1";
  e.port = port;
  return e;
}

// ---------------------------------------------------------------------------------------------
// The engine's side of the command exchange.

struct ReceivedCommand {
  protocol::OperatorCommand command;
  std::string topic;
  std::string response_topic;
  std::string correlation;
};

class FakeEngine {
 public:
  // What to publish for a command: (correlation data, reply) pairs, in order; empty = stay silent.
  using Answers = std::vector<std::pair<std::string, protocol::CommandReply>>;
  using Decide = std::function<Answers(const ReceivedCommand&)>;

  FakeEngine(const BrokerLogin& login, Decide decide)
      : client_(Options(login)), decide_(std::move(decide)) {}
  ~FakeEngine() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  Status Start() {
    GPS_RETURN_IF_ERROR(client_.Connect());
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  std::vector<ReceivedCommand> Received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

  std::vector<std::string> Problems() {
    std::lock_guard<std::mutex> lock(mutex_);
    return problems_;
  }

 private:
  static mqtt::ClientOptions Options(const BrokerLogin& login) {
    mqtt::ClientOptions o = login.ClientOptions(
        "fake-engine-" + crypto::HexEncode(crypto::RandomBytes(4).value_or("xxxx")));
    o.clean_start = true;
    o.session_expiry_s = 0;
    o.subscriptions = {{protocol::AllCommandsFilter(), 1}};
    return o;
  }

  void Loop() {
    while (!stop_) {
      std::optional<mqtt::Event> event = client_.Next(100);
      if (!event || event->kind != mqtt::EventKind::kMessage) {
        continue;
      }
      const mqtt::Message& m = event->message;
      std::optional<std::string> name = protocol::ParseCommandTopic(m.topic);
      Result<protocol::CommandKind> kind =
          name ? protocol::ParseCommandName(*name) : Status::InvalidArgument("not a command");
      Result<protocol::OperatorCommand> command =
          kind.ok() ? protocol::ParseCommand(*kind, m.payload) : kind.status();
      if (!command.ok()) {
        std::lock_guard<std::mutex> lock(mutex_);
        problems_.push_back(m.topic + ": " + command.status().ToString());
        continue;
      }
      ReceivedCommand received{*command, m.topic, m.response_topic, m.correlation_data};
      {
        std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back(received);
      }
      for (const auto& [correlation, reply] : decide_(received)) {
        mqtt::Message out;
        out.topic = m.response_topic;
        out.payload = protocol::EncodeReply(reply);
        out.correlation_data = correlation;
        out.qos = 1;
        Status st = client_.Publish(out, 5000);
        if (!st.ok()) {
          std::lock_guard<std::mutex> lock(mutex_);
          problems_.push_back("publish reply: " + st.ToString());
        }
      }
    }
  }

  mqtt::Client client_;
  Decide decide_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<ReceivedCommand> received_;
  std::vector<std::string> problems_;
};

// ---------------------------------------------------------------------------------------------
// gps-ui as a child process.

struct UiProcess {
  std::unique_ptr<Subprocess> process;
  std::string url;  // "http://127.0.0.1:<port>/"
  int port = 0;
};

std::optional<std::string> ReadyUrl(const std::string& log) {
  std::size_t at = log.find("\"msg\":\"ui ready\"");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  std::size_t begin = log.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::size_t end = log.find('\n', at);
  if (end == std::string::npos) {
    return std::nullopt;  // the line is still being written
  }
  Result<json::Document> doc = json::ParseObject(log.substr(begin, end - begin), 4096, "log");
  if (!doc.ok()) {
    return std::nullopt;
  }
  Result<std::string> url = doc->Root().GetString("url");
  return url.ok() ? std::optional<std::string>(*url) : std::nullopt;
}

Result<UiProcess> StartUi(const TempDir& dir, const std::string& instance,
                          std::map<std::string, std::string> env) {
  env.emplace("GPS_UI_PORT", "0");
  env.emplace("GPS_UI_INSTANCE", instance);
  env.emplace("GPS_LOG_LEVEL", "debug");
  UiProcess ui;
  ui.process = std::make_unique<Subprocess>(instance, std::vector<std::string>{GPS_UI_BINARY}, env,
                                            dir.File(instance + ".log"));
  std::optional<std::string> url;
  WaitUntil(
      [&] {
        url = ReadyUrl(ui.process->Log());
        return url.has_value() || !ui.process->Running();
      },
      kStart);
  if (!url) {
    return Status::Unavailable("gps-ui did not become ready: " + ui.process->Log());
  }
  ui.url = *url;
  std::size_t colon = ui.url.rfind(':');
  ui.port = std::stoi(ui.url.substr(colon + 1));
  return ui;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers.

// Without any credentials.
Result<http::Response> Anonymous(const std::string& method, const std::string& url,
                                 const std::string& body = "",
                                 std::vector<http::Header> headers = {}) {
  http::Client client;
  http::Request request;
  request.method = method;
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  request.timeout_ms = 30000;
  return client.Send(request);
}

// Sends the API token unless headers carry their own Authorization or Cookie.
Result<http::Response> Call(const std::string& method, const std::string& url,
                            const std::string& body = "", std::vector<http::Header> headers = {}) {
  bool own_credentials = false;
  for (const http::Header& h : headers) {
    own_credentials = own_credentials || h.name == "Authorization" || h.name == "Cookie";
  }
  if (!own_credentials) {
    headers.push_back({"Authorization", std::string("Bearer ") + kApiToken});
  }
  return Anonymous(method, url, body, std::move(headers));
}

Result<http::Response> PostJson(const std::string& url, const std::string& body) {
  return Call("POST", url, body, {{"Content-Type", "application/json"}});
}

std::string ErrorOf(const http::Response& r) {
  Result<json::Document> doc = json::ParseObject(r.body, 1 << 20, "response");
  if (!doc.ok()) {
    return "<not a JSON object: " + r.body + ">";
  }
  return doc->Root().GetString("error").value_or("<no error field: " + r.body + ">");
}

// ---------------------------------------------------------------------------------------------
// The seeded devices.

constexpr std::int64_t kT0 = 1763880000000;

saga::Saga MakeSaga(const std::string& id, saga::Phase phase, std::int64_t first_seen,
                    const std::string& mac) {
  saga::Saga s;
  s.device_id = id;
  s.version = 1;
  s.phase = phase;
  s.mac = mac;
  s.pubkey_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  s.fingerprint = "SHA256:" + crypto::Base64EncodeUnpadded(crypto::Sha256(id));
  s.check_code = "ABCD-EFGH-JKLM";
  s.transport_key = std::string(32, '\x01');
  s.last_announce_ts = first_seen;
  s.first_seen = Instant{first_seen};
  s.updated_at = Instant{first_seen};
  return s;
}

class UiIntegrationTest : public ::testing::Test {
 protected:
  static inline const std::string kPending1 = DeviceId("pending-1");
  static inline const std::string kPending2 = DeviceId("pending-2");
  static inline const std::string kProvisioning = DeviceId("provisioning");
  static inline const std::string kFailed = DeviceId("failed");
  static inline const std::string kDismissed = DeviceId("dismissed");
  static inline const std::string kBroken = DeviceId("broken");
  static inline const std::string kVanished = DeviceId("vanished");
  static inline const std::string kUnknown = DeviceId("never-announced");

  static void SetUpTestSuite() {
    try {
      setup_ = SetUpAll();
    } catch (const std::exception& e) {  // the servers did not start
      setup_ = Status::Unavailable(e.what());
    }
  }

  static void TearDownTestSuite() {
    slow_ui_.process.reset();
    ui_.process.reset();
    engine_.reset();
    services_.reset();
    dir_.reset();
  }

  void SetUp() override { ASSERT_TRUE(setup_.ok()) << setup_.ToString(); }

  void TearDown() override {
    if (HasFailure()) {
      if (ui_.process) {
        std::cerr << "---- gps-ui log ----\n" << ui_.process->Log();
      }
      if (engine_) {
        for (const std::string& p : engine_->Problems()) {
          std::cerr << "fake engine: " << p << "\n";
        }
      }
    }
  }

  static Status SetUpAll() {
    dir_ = std::make_unique<TempDir>("gps-ui-test");
    // A pair of our own: the fake engine takes every command on the broker, and the listing
    // expects exactly the seeded devices under the default key prefix.
    services_ = std::make_unique<TestServices>(dir_->path(), /*private_servers=*/true);
    GPS_RETURN_IF_ERROR(Seed());
    engine_ = std::make_unique<FakeEngine>(services_->Login(kEngineAccount), Decide);
    GPS_RETURN_IF_ERROR(engine_->Start());
    std::map<std::string, std::string> env = services_->Login(kUiAccount).Env();
    env.insert({{"GPS_REDIS_HOST", "127.0.0.1"},
                {"GPS_REDIS_PORT", std::to_string(services_->redis_port())},
                {"GPS_UI_API_TOKEN", kApiToken}});
    GPS_ASSIGN_OR_RETURN(ui_, StartUi(*dir_, "gps-ui-test-main", env));
    // A second instance whose engine answers never come in time: the 504 path.
    env["GPS_UI_COMMAND_TIMEOUT_MS"] = "300";
    GPS_ASSIGN_OR_RETURN(slow_ui_, StartUi(*dir_, "gps-ui-test-slow", env));
    return Status::Ok();
  }

  // The engine's answers, by name and device, standing in for its real rules.
  static FakeEngine::Answers Decide(const ReceivedCommand& r) {
    using protocol::ReplyStatus;
    const protocol::OperatorCommand& c = r.command;
    auto answer = [&](ReplyStatus status, std::string message) {
      return FakeEngine::Answers{{r.correlation, {status, std::move(message)}}};
    };
    if (c.kind == protocol::CommandKind::kDismiss) {
      if (c.device_id == kDismissed) {
        return answer(ReplyStatus::kConflict, "the device is dismissed already");
      }
      return answer(ReplyStatus::kAccepted, "dismissed");
    }
    if (c.name == "never-answered") {
      return {};
    }
    if (c.name == "taken-name") {
      return answer(ReplyStatus::kConflict,
                    "the name 'taken-name' is reserved for another device (" +
                        kProvisioning.substr(0, 12) + "…)");
    }
    if (c.name == "cloud-down") {
      return answer(ReplyStatus::kUnavailable, "mender: check name: HTTP 503: try later");
    }
    if (c.name == "engine-invalid") {
      return answer(ReplyStatus::kInvalid, "invalid name 'engine-invalid': reserved word");
    }
    if (c.name == "engine-not-found") {
      return answer(ReplyStatus::kNotFound, "");
    }
    if (c.name == "with-decoy") {
      // A reply for somebody else's request first: gps-ui must wait for its own.
      return {{"somebody-elses-request", {ReplyStatus::kConflict, "not yours"}},
              {r.correlation, {ReplyStatus::kAccepted, "name is free; provisioning"}}};
    }
    if (c.device_id != kPending1 && c.device_id != kPending2) {
      return answer(ReplyStatus::kConflict, "the device is provisioning, not pending");
    }
    return answer(ReplyStatus::kAccepted, "name is free; provisioning");
  }

  static Status Put(redis::Connection& conn, const saga::Saga& s, std::int64_t index_score) {
    redis::Keys keys;
    GPS_ASSIGN_OR_RETURN(redis::Reply a, conn.Command({"HSET", keys.Saga(s.device_id), "v", "1",
                                                       "doc", saga::EncodeSaga(s)}));
    GPS_ASSIGN_OR_RETURN(redis::Reply b, conn.Command({"ZADD", keys.DeviceIndex(),
                                                       std::to_string(index_score), s.device_id}));
    if (a.IsError() || b.IsError()) {
      return Status::Internal("seeding redis failed: " + a.error() + b.error());
    }
    return Status::Ok();
  }

  static Status Seed() {
    redis::Connection conn(RedisAt(services_->redis_port()));
    redis::Keys keys;
    saga::Saga p1 = MakeSaga(kPending1, saga::Phase::kPending, kT0 + 1000, "02:42:ac:11:00:01");
    GPS_RETURN_IF_ERROR(Put(conn, p1, kT0 + 1000));
    GPS_ASSIGN_OR_RETURN(redis::Reply seen, conn.Command({"SET", keys.LastSeen(kPending1),
                                                          std::to_string(kT0 + 9000)}));
    saga::Saga p2 = MakeSaga(kPending2, saga::Phase::kPending, kT0 + 2000, "02:42:ac:11:00:02");
    GPS_RETURN_IF_ERROR(Put(conn, p2, kT0 + 2000));

    saga::Saga v =
        MakeSaga(kProvisioning, saga::Phase::kProvisioning, kT0 + 500, "02:42:ac:11:00:03");
    v.generation = 1;
    v.name = "gw-busy";
    v.approved_by = "ui";
    v.approved_at = Instant{kT0 + 600};
    v.steps[saga::Slot::kMender] = {saga::StepStatus::kRunning,
                                    1,
                                    Instant{kT0 + 700},
                                    Instant{kT0 + 30700},
                                    Instant{},
                                    "",
                                    "{}",
                                    Instant{},
                                    0,
                                    Instant{},
                                    0};
    v.steps[saga::Slot::kDps] = {saga::StepStatus::kSucceeded,
                                 1,
                                 Instant{kT0 + 700},
                                 Instant{kT0 + 30700},
                                 Instant{kT0 + 800},
                                 "",
                                 R"({"sealedSymmetricKey":"U0VBTEVEU0VDUkVU"})",
                                 Instant{},
                                 0,
                                 Instant{},
                                 0};
    v.steps[saga::Slot::kVault] = {saga::StepStatus::kFailed,
                                   2,
                                   Instant{kT0 + 700},
                                   Instant{kT0 + 30700},
                                   Instant{kT0 + 900},
                                   "vault: HTTP 500: <script>alert(1)</script>",
                                   "{}",
                                   Instant{},
                                   0,
                                   Instant{},
                                   0};
    GPS_RETURN_IF_ERROR(Put(conn, v, kT0 + 500));

    saga::Saga f = MakeSaga(kFailed, saga::Phase::kFailed, kT0 + 300, "02:42:ac:11:00:04");
    f.last_error = "dps: create enrollment: HTTP 400: bad request";
    GPS_RETURN_IF_ERROR(Put(conn, f, kT0 + 300));
    GPS_ASSIGN_OR_RETURN(
        redis::Reply history,
        conn.Command(
            {"RPUSH", keys.History(kFailed),
             R"({"at":"2025-11-23T06:40:01.000Z","kind":"dispatched","step":"dps","attempt":1})",
             "not json",
             R"({"at":"2025-11-23T06:40:02.000Z","kind":"result","step":"dps","attempt":1,"outcome":"failed","error":"dps: HTTP 400: <b>bad</b>"})"}));
    if (history.IsError()) {
      return Status::Internal("seeding redis failed: " + history.error());
    }
    saga::Saga d = MakeSaga(kDismissed, saga::Phase::kDismissed, kT0 + 200, "02:42:ac:11:00:05");
    GPS_RETURN_IF_ERROR(Put(conn, d, kT0 + 200));

    // The newest index entries are a record gps-ui cannot read and one whose saga is gone.
    GPS_ASSIGN_OR_RETURN(redis::Reply broken,
                         conn.Command({"HSET", keys.Saga(kBroken), "v", "3", "doc", "{not json"}));
    GPS_ASSIGN_OR_RETURN(redis::Reply zb, conn.Command({"ZADD", keys.DeviceIndex(),
                                                        std::to_string(kT0 + 3000), kBroken}));
    GPS_ASSIGN_OR_RETURN(redis::Reply zv, conn.Command({"ZADD", keys.DeviceIndex(),
                                                        std::to_string(kT0 + 4000), kVanished}));
    for (const redis::Reply* r : {&seen, &broken, &zb, &zv}) {
      if (r->IsError()) {
        return Status::Internal("seeding redis failed: " + r->error());
      }
    }
    return Status::Ok();
  }

  static std::string Url(const std::string& path) { return ui_.url + path.substr(1); }
  static std::string SlowUrl(const std::string& path) { return slow_ui_.url + path.substr(1); }

  static std::optional<ReceivedCommand> FindReceived(const std::string& device_id,
                                                     const std::string& name) {
    for (const ReceivedCommand& r : engine_->Received()) {
      if (r.command.device_id == device_id && r.command.name == name) {
        return r;
      }
    }
    return std::nullopt;
  }

  static inline Status setup_;
  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<TestServices> services_;
  static inline std::unique_ptr<FakeEngine> engine_;
  static inline UiProcess ui_;
  static inline UiProcess slow_ui_;
};

TEST_F(UiIntegrationTest, HealthzIsOkWhenRedisAndBrokerAreUp) {
  Result<http::Response> r = Call("GET", Url("/healthz"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
  Result<json::Document> doc = json::ParseObject(r->body, 4096, "healthz");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Root().GetString("status").value_or(""), "ok");
}

TEST_F(UiIntegrationTest, ListsReadableDevicesNewestFirstWithoutStepData) {
  Result<http::Response> r = Call("GET", Url("/api/devices"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->HeaderValue("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(r->HeaderValue("Cache-Control").value_or(""), "no-store");
  Result<json::Document> doc = json::Parse(r->body, 1 << 20, "devices");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  Result<std::vector<json::Value>> devices = doc->Root().AsArray();
  ASSERT_TRUE(devices.ok());
  std::vector<std::string> ids;
  for (const json::Value& d : *devices) {
    ids.push_back(d.GetString("id").value_or("?"));
  }
  // The broken record and the vanished one are left out; the rest by first announce, newest first.
  EXPECT_EQ(ids,
            (std::vector<std::string>{kPending2, kPending1, kProvisioning, kFailed, kDismissed}));
  // Sealed step data never leaves the server.
  EXPECT_EQ(r->body.find("U0VBTEVEU0VDUkVU"), std::string::npos);
  EXPECT_EQ(r->body.find("sealed"), std::string::npos);

  const json::Value& p1 = (*devices)[1];
  EXPECT_EQ(p1.GetString("mac").value_or(""), "02:42:ac:11:00:01");
  EXPECT_EQ(p1.GetString("state").value_or(""), "pending");
  EXPECT_EQ(p1.GetString("checkCode").value_or(""), "ABCD-EFGH-JKLM");
  EXPECT_EQ(p1.GetString("firstSeen").value_or(""), FormatRfc3339(Instant{kT0 + 1000}));
  EXPECT_EQ(p1.GetString("lastSeen").value_or(""), FormatRfc3339(Instant{kT0 + 9000}));
  const json::Value& p2 = (*devices)[0];
  EXPECT_EQ(p2.GetString("lastSeen").value_or(""), FormatRfc3339(Instant{kT0 + 2000}));

  const json::Value& v = (*devices)[2];
  EXPECT_EQ(v.GetString("state").value_or(""), "provisioning");
  EXPECT_EQ(v.GetString("phase").value_or(""), "provisioning");
  EXPECT_EQ(v.GetString("name").value_or(""), "gw-busy");
  EXPECT_EQ(v.GetString("approvedBy").value_or(""), "ui");
  Result<json::Value> vault = v.GetObject("steps").value().GetObject("vault");
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(vault->GetString("status").value_or(""), "failed");
  EXPECT_EQ(vault->GetInt("attempt").value_or(0), 2);
  EXPECT_EQ(vault->GetString("error").value_or(""), "vault: HTTP 500: <script>alert(1)</script>");
  EXPECT_EQ((*devices)[3].GetString("error").value_or(""),
            "dps: create enrollment: HTTP 400: bad request");
}

TEST_F(UiIntegrationTest, FiltersByState) {
  Result<http::Response> r = Call("GET", Url("/api/devices?state=pending"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  Result<json::Document> doc = json::Parse(r->body, 1 << 20, "devices");
  ASSERT_TRUE(doc.ok());
  std::vector<std::string> ids;
  std::vector<json::Value> devices = doc->Root().AsArray().value();
  for (const json::Value& d : devices) {
    ids.push_back(d.GetString("id").value_or("?"));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{kPending2, kPending1}));

  Result<http::Response> failed = Call("GET", Url("/api/devices?state=failed"));
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, 200);
  EXPECT_NE(failed->body.find(kFailed), std::string::npos);
  EXPECT_EQ(failed->body.find(kPending1), std::string::npos);

  Result<http::Response> bad = Call("GET", Url("/api/devices?state=sleeping"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(ErrorOf(*bad).find("unknown state 'sleeping'"), std::string::npos) << bad->body;
}

TEST_F(UiIntegrationTest, GetsOneDevice) {
  Result<http::Response> r = Call("GET", Url("/api/devices/" + kFailed));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  Result<json::Document> doc = json::ParseObject(r->body, 1 << 20, "device");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Root().GetString("id").value_or(""), kFailed);
  EXPECT_EQ(doc->Root().GetString("state").value_or(""), "failed");

  Result<http::Response> unknown = Call("GET", Url("/api/devices/" + kUnknown));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404) << unknown->body;

  Result<http::Response> bad_id = Call("GET", Url("/api/devices/ABC"));
  ASSERT_TRUE(bad_id.ok());
  EXPECT_EQ(bad_id->status, 400);
  EXPECT_NE(ErrorOf(*bad_id).find("64 lower-case hex"), std::string::npos);

  Result<http::Response> broken = Call("GET", Url("/api/devices/" + kBroken));
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status, 500);
  EXPECT_NE(ErrorOf(*broken).find(kBroken), std::string::npos) << broken->body;
}

TEST_F(UiIntegrationTest, ApproveAcceptedSendsTheCommandToTheEngine) {
  Result<http::Response> r =
      PostJson(Url("/api/devices/" + kPending1 + "/approve"), R"({"name":"gw-berlin-0001"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202) << r->body;
  Result<json::Document> doc = json::ParseObject(r->body, 4096, "reply");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Root().GetString("status").value_or(""), "accepted");
  EXPECT_EQ(doc->Root().GetString("message").value_or(""), "name is free; provisioning");

  std::optional<ReceivedCommand> sent = FindReceived(kPending1, "gw-berlin-0001");
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->topic, protocol::CommandTopic("approve"));
  EXPECT_EQ(sent->command.actor, "api-token");
  EXPECT_EQ(sent->response_topic, protocol::ReplyTopic("gps-ui-test-main"));
  EXPECT_EQ(sent->correlation.size(), 32u);
}

TEST_F(UiIntegrationTest, ApproveWaitsForItsOwnReply) {
  Result<http::Response> r =
      PostJson(Url("/api/devices/" + kPending2 + "/approve"), R"({"name":"with-decoy"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 202) << r->body;
}

TEST_F(UiIntegrationTest, ApproveOfATakenNameIs409WithTheEnginesMessage) {
  Result<http::Response> r =
      PostJson(Url("/api/devices/" + kPending1 + "/approve"), R"({"name":"taken-name"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(ErrorOf(*r).find("the name 'taken-name' is reserved for another device"),
            std::string::npos)
      << r->body;
}

TEST_F(UiIntegrationTest, ApproveOfADeviceThatIsNotPendingIs409) {
  Result<http::Response> r =
      PostJson(Url("/api/devices/" + kProvisioning + "/approve"), R"({"name":"gw-other"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(ErrorOf(*r), "the device is provisioning, not pending");
}

TEST_F(UiIntegrationTest, EveryEngineReplyStatusMapsToItsHttpStatus) {
  struct Case {
    std::string name;
    int status;
    std::string error;
  };
  for (const Case& c : {Case{"cloud-down", 502, "mender: check name: HTTP 503: try later"},
                        Case{"engine-invalid", 400, "invalid name 'engine-invalid': reserved word"},
                        Case{"engine-not-found", 404, "no such device"}}) {
    Result<http::Response> r =
        PostJson(Url("/api/devices/" + kPending1 + "/approve"), R"({"name":")" + c.name + R"("})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, c.status) << c.name << ": " << r->body;
    EXPECT_EQ(ErrorOf(*r), c.error);
  }
}

TEST_F(UiIntegrationTest, ApproveOfAnUnknownDeviceIs404AndNeverReachesTheEngine) {
  Result<http::Response> r =
      PostJson(Url("/api/devices/" + kUnknown + "/approve"), R"({"name":"gw-ghost"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404) << r->body;
  // A later command that does reach the engine shows the first one was never published.
  Result<http::Response> later =
      PostJson(Url("/api/devices/" + kPending1 + "/approve"), R"({"name":"gw-after-ghost"})");
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->status, 202);
  EXPECT_FALSE(FindReceived(kUnknown, "gw-ghost").has_value());
}

TEST_F(UiIntegrationTest, BadRequestsAreRefusedLocally) {
  const std::string url = Url("/api/devices/" + kPending1 + "/approve");
  struct Case {
    std::string what;
    std::vector<http::Header> headers;
    std::string body;
    int status;
    std::string error_part;
  };
  const std::vector<http::Header> json_type = {{"Content-Type", "application/json"}};
  const std::vector<Case> cases = {
      {"bad name", json_type, R"({"name":"Bad_Name"})", 400, "invalid name"},
      {"name too long", json_type, R"({"name":")" + std::string(64, 'a') + R"("})", 400,
       "longer than 63"},
      {"name not a string", json_type, R"({"name":42})", 400, "body.name: expected string"},
      {"no name", json_type, R"({"label":"gw-1"})", 400, "body.name: missing"},
      {"not JSON", json_type, "name=gw-1", 400, "not valid JSON"},
      {"JSON array", json_type, R"(["gw-1"])", 400, "object"},
      {"empty body", json_type, "", 400, "empty"},
      {"form content type",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       R"({"name":"gw-1"})",
       400,
       "Content-Type must be application/json"},
      {"oversized body", json_type, R"({"name":"gw-1","pad":")" + std::string(5000, 'x') + "\"}",
       413, "too large"},
      {"other origin",
       {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}},
       R"({"name":"gw-1"})",
       403,
       "cross-origin"},
  };
  for (const Case& c : cases) {
    Result<http::Response> r = Call("POST", url, c.body, c.headers);
    ASSERT_TRUE(r.ok()) << c.what << ": " << r.status().ToString();
    EXPECT_EQ(r->status, c.status) << c.what << ": " << r->body;
    EXPECT_NE(ErrorOf(*r).find(c.error_part), std::string::npos) << c.what << ": " << r->body;
  }
  // Then one that reaches the engine: none of the refused ones came before it.
  Result<http::Response> good = PostJson(url, R"({"name":"gw-after-bad-ones"})");
  ASSERT_TRUE(good.ok());
  ASSERT_EQ(good->status, 202) << good->body;
  for (const ReceivedCommand& r : engine_->Received()) {
    EXPECT_NE(r.command.name, "Bad_Name");
    EXPECT_NE(r.command.name, "gw-1");
  }

  // Same-origin requests from the page pass the origin check.
  Result<http::Response> same_origin =
      Call("POST", url, R"({"name":"gw-same-origin"})",
           {{"Content-Type", "application/json"},
            {"Origin", "http://127.0.0.1:" + std::to_string(ui_.port)}});
  ASSERT_TRUE(same_origin.ok());
  EXPECT_EQ(same_origin->status, 202) << same_origin->body;
}

TEST_F(UiIntegrationTest, Dismiss) {
  Result<http::Response> ok = Call("POST", Url("/api/devices/" + kPending2 + "/dismiss"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 202) << ok->body;
  bool seen = false;
  for (const ReceivedCommand& r : engine_->Received()) {
    if (r.command.kind == protocol::CommandKind::kDismiss && r.command.device_id == kPending2) {
      seen = true;
      EXPECT_EQ(r.topic, protocol::CommandTopic("dismiss"));
      EXPECT_EQ(r.command.actor, "api-token");
    }
  }
  EXPECT_TRUE(seen);

  Result<http::Response> conflict = Call("POST", Url("/api/devices/" + kDismissed + "/dismiss"));
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->status, 409) << conflict->body;
  EXPECT_EQ(ErrorOf(*conflict), "the device is dismissed already");

  Result<http::Response> unknown = Call("POST", Url("/api/devices/" + kUnknown + "/dismiss"));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404) << unknown->body;

  Result<http::Response> bad = Call("POST", Url("/api/devices/xyz/dismiss"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;
}

TEST_F(UiIntegrationTest, NoReplyInTimeIs504) {
  Result<http::Response> r =
      PostJson(SlowUrl("/api/devices/" + kPending1 + "/approve"), R"({"name":"never-answered"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_EQ(ErrorOf(*r),
            "the engine did not answer within 0.3 s; the command may still be carried out");
  // The engine did get it: only the answer is missing.
  EXPECT_TRUE(FindReceived(kPending1, "never-answered").has_value());
  // And the instance goes on working.
  Result<http::Response> health = Call("GET", SlowUrl("/healthz"));
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

TEST_F(UiIntegrationTest, ServesThePageAndItsAssets) {
  Result<http::Response> page = Call("GET", Url("/"));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->HeaderValue("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(page->HeaderValue("Content-Security-Policy").value_or("").find("script-src 'self'"),
            std::string::npos);
  EXPECT_NE(page->body.find("/static/app.js"), std::string::npos);
  for (const char* asset : {"/static/app.js", "/static/style.css"}) {
    Result<http::Response> r = Call("GET", Url(asset));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << asset;
    EXPECT_FALSE(r->body.empty()) << asset;
  }
  Result<http::Response> missing = Call("GET", Url("/static/missing.js"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(UiIntegrationTest, UnknownRoutesAndMethods) {
  Result<http::Response> nowhere = Call("GET", Url("/api/nothing"));
  ASSERT_TRUE(nowhere.ok());
  EXPECT_EQ(nowhere->status, 404);
  EXPECT_FALSE(ErrorOf(*nowhere).empty());

  Result<http::Response> wrong = Call("DELETE", Url("/api/devices/" + kPending1));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->HeaderValue("Allow").value_or(""), "GET");

  Result<http::Response> get_approve = Call("GET", Url("/api/devices/" + kPending1 + "/approve"));
  ASSERT_TRUE(get_approve.ok());
  EXPECT_EQ(get_approve->status, 405);
}

TEST_F(UiIntegrationTest, TheTimelineOfADevice) {
  Result<http::Response> r = Call("GET", Url("/api/devices/" + kFailed + "/history"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  Result<json::Document> doc = json::Parse(r->body, 1 << 20, "history");
  ASSERT_TRUE(doc.ok()) << r->body;
  std::vector<json::Value> entries = doc->Root().AsArray().value();
  ASSERT_EQ(entries.size(), 2u) << "the unreadable entry is left out: " << r->body;
  EXPECT_EQ(entries[0].GetString("kind").value_or(""), "dispatched");
  EXPECT_EQ(entries[1].GetString("outcome").value_or(""), "failed");
  EXPECT_EQ(entries[1].GetString("error").value_or(""), "dps: HTTP 400: <b>bad</b>");

  Result<http::Response> none = Call("GET", Url("/api/devices/" + kPending1 + "/history"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 200);
  EXPECT_EQ(none->body, "[]");
  Result<http::Response> unknown = Call("GET", Url("/api/devices/" + kUnknown + "/history"));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  Result<http::Response> bad = Call("GET", Url("/api/devices/xyz/history"));
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
}

// ---------------------------------------------------------------------------------------------
// Logins, sessions, CSRF, roles and API tokens.

// Runs `gps-ui <args>` against the suite's Redis with password as its stdin (through the
// environment, never argv); returns the exit code and the output.
struct CliRun {
  int code = -1;
  std::string output;
};

CliRun RunCli(const TempDir& dir, int redis_port, const std::string& args,
              const std::string& password = "") {
  static int runs = 0;
  std::string log = dir.File("cli-" + std::to_string(++runs) + ".log");
  Subprocess cli(
      "gps-ui-cli",
      {"/bin/sh", "-c", "printf '%s\\n' \"$TEST_PASSWORD\" | exec \"$0\" " + args, GPS_UI_BINARY},
      {{"GPS_REDIS_HOST", "127.0.0.1"},
       {"GPS_REDIS_PORT", std::to_string(redis_port)},
       {"TEST_PASSWORD", password}},
      log);
  std::optional<int> code = cli.Wait(kStart);
  return {code.value_or(-1), cli.Log()};
}

struct Login {
  std::string cookie;  // "gps_session=..."
  std::string csrf;
  std::string set_cookie;
};

Result<Login> LogIn(const std::string& base_url, const std::string& user,
                    const std::string& password) {
  GPS_ASSIGN_OR_RETURN(http::Response r, Anonymous("POST", base_url + "api/login",
                                                   R"({"username":")" + user + R"(","password":")" +
                                                       password + R"("})",
                                                   {{"Content-Type", "application/json"}}));
  if (r.status != 200) {
    return Status::PermissionDenied("login: HTTP " + std::to_string(r.status) + " " + r.body);
  }
  Login login;
  login.set_cookie = r.HeaderValue("Set-Cookie").value_or("");
  login.cookie = login.set_cookie.substr(0, login.set_cookie.find(';'));
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(r.body, 4096, "login"));
  GPS_ASSIGN_OR_RETURN(login.csrf, doc.Root().GetString("csrfToken"));
  return login;
}

std::vector<http::Header> SessionHeaders(const Login& login, bool with_csrf = true) {
  std::vector<http::Header> h = {{"Cookie", login.cookie}, {"Content-Type", "application/json"}};
  if (with_csrf) {
    h.push_back({"X-CSRF-Token", login.csrf});
  }
  return h;
}

TEST_F(UiIntegrationTest, RequestsWithoutValidCredentialsAre401) {
  for (const std::string& path :
       {std::string("/api/devices"), "/api/devices/" + kPending1, std::string("/api/session")}) {
    Result<http::Response> r = Anonymous("GET", Url(path));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401) << path << ": " << r->body;
    EXPECT_EQ(r->HeaderValue("WWW-Authenticate").value_or(""), "Bearer realm=\"gps-ui\"");
    EXPECT_NE(ErrorOf(*r).find("log in first"), std::string::npos) << r->body;
  }
  Result<http::Response> approve =
      Anonymous("POST", Url("/api/devices/" + kPending1 + "/approve"), R"({"name":"gw-anon"})",
                {{"Content-Type", "application/json"}});
  ASSERT_TRUE(approve.ok());
  EXPECT_EQ(approve->status, 401);
  struct Case {
    std::string authorization;
    std::string error;
  };
  for (const Case& c : {Case{"Bearer gps_not-a-token-we-know", "unknown or revoked API token"},
                        Case{"Basic YWRtaW46YWRtaW4=", "must be 'Bearer <token>'"},
                        Case{"Bearer", "must be 'Bearer <token>'"}}) {
    Result<http::Response> r =
        Anonymous("GET", Url("/api/devices"), "", {{"Authorization", c.authorization}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 401) << c.authorization;
    EXPECT_NE(ErrorOf(*r).find(c.error), std::string::npos) << r->body;
  }
  // The page, its assets and the health check need no login.
  for (const char* path : {"/", "/static/app.js", "/healthz"}) {
    Result<http::Response> r = Anonymous("GET", Url(path));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << path;
  }
  EXPECT_FALSE(FindReceived(kPending1, "gw-anon").has_value());
}

TEST_F(UiIntegrationTest, CliUserLogsInWithAnHttpOnlySessionAndCsrfProtection) {
  CliRun added =
      RunCli(*dir_, services_->redis_port(), "user add carol --role approver", "carol-password-1");
  ASSERT_EQ(added.code, 0) << added.output;
  EXPECT_NE(added.output.find("user carol added with the role approver"), std::string::npos);
  EXPECT_EQ(added.output.find("carol-password-1"), std::string::npos) << added.output;
  CliRun again =
      RunCli(*dir_, services_->redis_port(), "user add carol --role viewer", "another-password");
  EXPECT_EQ(again.code, 1) << again.output;
  EXPECT_NE(again.output.find("exists"), std::string::npos) << again.output;
  CliRun weak = RunCli(*dir_, services_->redis_port(), "user add dave --role viewer", "short");
  EXPECT_EQ(weak.code, 1);
  EXPECT_NE(weak.output.find("at least 10 characters"), std::string::npos) << weak.output;
  CliRun usage = RunCli(*dir_, services_->redis_port(), "user add dave");
  EXPECT_EQ(usage.code, 2) << usage.output;

  Result<Login> login = LogIn(ui_.url, "carol", "carol-password-1");
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->cookie.rfind("gps_session=", 0), 0u) << login->set_cookie;
  for (const char* attribute : {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"}) {
    EXPECT_NE(login->set_cookie.find(attribute), std::string::npos) << login->set_cookie;
  }
  EXPECT_EQ(login->set_cookie.find("Secure"), std::string::npos) << "plain HTTP";
  EXPECT_EQ(login->csrf.size(), 64u);

  Result<http::Response> who = Call("GET", Url("/api/session"), "", SessionHeaders(*login));
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->status, 200) << who->body;
  EXPECT_NE(who->body.find(R"("user":"carol","role":"approver","kind":"session")"),
            std::string::npos)
      << who->body;

  // The cookie alone changes nothing: no CSRF token, or a wrong one, is refused before the engine.
  const std::string approve = Url("/api/devices/" + kPending1 + "/approve");
  Result<http::Response> no_csrf =
      Call("POST", approve, R"({"name":"gw-no-csrf"})", SessionHeaders(*login, false));
  ASSERT_TRUE(no_csrf.ok());
  EXPECT_EQ(no_csrf->status, 403) << no_csrf->body;
  EXPECT_NE(ErrorOf(*no_csrf).find("X-CSRF-Token"), std::string::npos);
  std::vector<http::Header> wrong = SessionHeaders(*login, false);
  wrong.push_back({"X-CSRF-Token", std::string(64, '0')});
  Result<http::Response> wrong_csrf = Call("POST", approve, R"({"name":"gw-no-csrf"})", wrong);
  ASSERT_TRUE(wrong_csrf.ok());
  EXPECT_EQ(wrong_csrf->status, 403);

  Result<http::Response> ok =
      Call("POST", approve, R"({"name":"gw-session-1"})", SessionHeaders(*login));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 202) << ok->body;
  std::optional<ReceivedCommand> sent = FindReceived(kPending1, "gw-session-1");
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->command.actor, "carol");
  EXPECT_FALSE(FindReceived(kPending1, "gw-no-csrf").has_value());

  // A cross-site page is refused even with the right token.
  std::vector<http::Header> foreign = SessionHeaders(*login);
  foreign.push_back({"Origin", "http://evil.example"});
  Result<http::Response> cross = Call("POST", approve, R"({"name":"gw-evil"})", foreign);
  ASSERT_TRUE(cross.ok());
  EXPECT_EQ(cross->status, 403);

  // Logging out ends the session for good.
  Result<http::Response> out = Call("POST", Url("/api/logout"), "{}", SessionHeaders(*login));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, 200) << out->body;
  EXPECT_NE(out->HeaderValue("Set-Cookie").value_or("").find("gps_session=; Max-Age=0"),
            std::string::npos);
  Result<http::Response> after = Call("GET", Url("/api/devices"), "", SessionHeaders(*login));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 401);
}

TEST_F(UiIntegrationTest, WrongPasswordsAre401AndRepeatedFailuresAreThrottled) {
  ASSERT_EQ(
      RunCli(*dir_, services_->redis_port(), "user add erin --role viewer", "erin-password-1").code,
      0);
  Result<Login> wrong = LogIn(ui_.url, "erin", "not-her-password");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_NE(wrong.status().message().find("wrong user name or password"), std::string::npos);
  Result<Login> nobody = LogIn(ui_.url, "nobody", "whatever-password");
  ASSERT_FALSE(nobody.ok());
  EXPECT_NE(nobody.status().message().find("wrong user name or password"), std::string::npos)
      << "an unknown user looks like a wrong password";
  for (int i = 0; i < 9; ++i) {
    ASSERT_FALSE(LogIn(ui_.url, "erin", "guess-" + std::to_string(i)).ok());
  }
  // Ten failures: even the right password is refused until the window ends.
  Result<Login> throttled = LogIn(ui_.url, "erin", "erin-password-1");
  ASSERT_FALSE(throttled.ok());
  EXPECT_NE(throttled.status().message().find("HTTP 429"), std::string::npos)
      << throttled.status().ToString();
}

TEST_F(UiIntegrationTest, AViewerCanReadButNotApprove) {
  ASSERT_EQ(
      RunCli(*dir_, services_->redis_port(), "user add vic --role viewer", "vic-password-1").code,
      0);
  Result<Login> login = LogIn(ui_.url, "vic", "vic-password-1");
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  Result<http::Response> list = Call("GET", Url("/api/devices"), "", SessionHeaders(*login));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->status, 200);
  Result<http::Response> approve = Call("POST", Url("/api/devices/" + kPending1 + "/approve"),
                                        R"({"name":"gw-viewer"})", SessionHeaders(*login));
  ASSERT_TRUE(approve.ok());
  EXPECT_EQ(approve->status, 403) << approve->body;
  EXPECT_NE(ErrorOf(*approve).find("viewer"), std::string::npos);
  Result<http::Response> users = Call("GET", Url("/api/users"), "", SessionHeaders(*login));
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->status, 403);
  EXPECT_FALSE(FindReceived(kPending1, "gw-viewer").has_value());
}

TEST_F(UiIntegrationTest, AdminsManageUsersAndTokens) {
  const std::vector<http::Header> json = {{"Content-Type", "application/json"}};
  Result<http::Response> add =
      Call("POST", Url("/api/users"),
           R"({"username":"frank","password":"frank-password-1","role":"approver"})", json);
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->status, 201) << add->body;
  Result<http::Response> dup =
      Call("POST", Url("/api/users"),
           R"({"username":"frank","password":"frank-password-2","role":"viewer"})", json);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->status, 409);
  Result<http::Response> bad = Call("POST", Url("/api/users"),
                                    R"({"username":"Frank!","password":"x","role":"boss"})", json);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);

  Result<Login> frank = LogIn(ui_.url, "frank", "frank-password-1");
  ASSERT_TRUE(frank.ok()) << frank.status().ToString();
  Result<http::Response> list = Call("GET", Url("/api/users"));
  ASSERT_TRUE(list.ok());
  EXPECT_NE(list->body.find(R"("username":"frank","role":"approver")"), std::string::npos)
      << list->body;
  EXPECT_EQ(list->body.find("scrypt"), std::string::npos) << "password hashes never leave";

  // A changed role applies to the running session at once.
  Result<http::Response> demote =
      Call("PATCH", Url("/api/users/frank"), R"({"role":"viewer"})", json);
  ASSERT_TRUE(demote.ok());
  EXPECT_EQ(demote->status, 200) << demote->body;
  Result<http::Response> who = Call("GET", Url("/api/session"), "", SessionHeaders(*frank));
  ASSERT_TRUE(who.ok());
  EXPECT_NE(who->body.find(R"("role":"viewer")"), std::string::npos) << who->body;

  // A deleted user's sessions end.
  Result<http::Response> gone = Call("DELETE", Url("/api/users/frank"));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->status, 200) << gone->body;
  Result<http::Response> after = Call("GET", Url("/api/devices"), "", SessionHeaders(*frank));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 401);
  Result<http::Response> missing = Call("DELETE", Url("/api/users/frank"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);

  // An API token works as its role, until it is deleted.
  Result<http::Response> made =
      Call("POST", Url("/api/tokens"), R"({"label":"ci-bot","role":"approver"})", json);
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->status, 201) << made->body;
  Result<json::Document> doc = json::ParseObject(made->body, 4096, "token");
  ASSERT_TRUE(doc.ok());
  std::string token = doc->Root().GetString("token").value_or("");
  std::string id = doc->Root().GetString("id").value_or("");
  ASSERT_EQ(token.rfind("gps_", 0), 0u);
  ASSERT_EQ(id.size(), 16u);
  Result<http::Response> tokens = Call("GET", Url("/api/tokens"));
  ASSERT_TRUE(tokens.ok());
  EXPECT_NE(tokens->body.find(id), std::string::npos);
  EXPECT_EQ(tokens->body.find(token), std::string::npos) << "a token is shown only once";
  const std::vector<http::Header> bot = {{"Authorization", "Bearer " + token},
                                         {"Content-Type", "application/json"}};
  Result<http::Response> approve =
      Call("POST", Url("/api/devices/" + kPending2 + "/approve"), R"({"name":"gw-by-bot"})", bot);
  ASSERT_TRUE(approve.ok());
  EXPECT_EQ(approve->status, 202) << approve->body;
  std::optional<ReceivedCommand> sent = FindReceived(kPending2, "gw-by-bot");
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->command.actor, "token:ci-bot");
  Result<http::Response> admin_only = Call("GET", Url("/api/tokens"), "", bot);
  ASSERT_TRUE(admin_only.ok());
  EXPECT_EQ(admin_only->status, 403);
  Result<http::Response> removed = Call("DELETE", Url("/api/tokens/" + id));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->status, 200) << removed->body;
  Result<http::Response> revoked = Call("GET", Url("/api/devices"), "", bot);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->status, 401);
}

TEST_F(UiIntegrationTest, CommandsAndLoginsAreAudited) {
  Result<http::Response> r =
      PostJson(Url("/api/devices/" + kPending1 + "/approve"), R"({"name":"taken-name"})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 409);
  redis::Connection conn(RedisAt(services_->redis_port()));
  Result<redis::Reply> entries = conn.Command({"LRANGE", redis::Keys().Audit(), "0", "-1"});
  ASSERT_TRUE(entries.ok());
  ASSERT_FALSE(entries->IsError()) << entries->error();
  std::vector<redis::Reply> items = entries->AsArray().value();
  bool found = false;
  for (const redis::Reply& e : items) {
    std::string text = e.AsString().value_or("");
    if (text.find(R"("name":"taken-name")") != std::string::npos) {
      found = true;
      EXPECT_NE(text.find(R"("actor":"api-token","action":"approve","device":")" + kPending1),
                std::string::npos)
          << text;
      EXPECT_NE(text.find(R"("outcome":"conflict")"), std::string::npos) << text;
      EXPECT_NE(text.find("reserved for another device"), std::string::npos) << text;
    }
  }
  EXPECT_TRUE(found);
  std::string log = ui_.process->Log();
  EXPECT_NE(log.find(R"("msg":"audit","actor":"api-token","action":"approve")"), std::string::npos);
}

TEST_F(UiIntegrationTest, BulkApprovalMakesNamesAndReportsEachDevice) {
  const std::string body = R"({"ids":[")" + kPending1 + R"(",")" + kPending2 + R"(",")" +
                           kProvisioning + R"(",")" + kUnknown +
                           R"("],"pattern":"gw-bulk-{mac6}-{n:2}","start":7})";
  Result<http::Response> r = PostJson(Url("/api/devices/approve"), body);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  Result<json::Document> doc = json::ParseObject(r->body, 1 << 20, "bulk");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->Root().GetInt("approved").value_or(-1), 2);
  std::vector<json::Value> results = doc->Root().GetArray("results").value();
  ASSERT_EQ(results.size(), 4u);
  struct Want {
    std::string id;
    std::string name;
    int status;
  };
  const Want want[] = {{kPending1, "gw-bulk-110001-07", 202},
                       {kPending2, "gw-bulk-110002-08", 202},
                       {kProvisioning, "gw-bulk-110003-09", 409},
                       {kUnknown, "", 404}};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(results[i].GetString("id").value_or(""), want[i].id) << i;
    EXPECT_EQ(results[i].GetString("name").value_or(""), want[i].name) << i;
    EXPECT_EQ(results[i].GetInt("status").value_or(0), want[i].status) << i;
  }
  EXPECT_NE(results[2].GetString("error").value_or("").find("only a pending device"),
            std::string::npos);
  EXPECT_TRUE(FindReceived(kPending1, "gw-bulk-110001-07").has_value());
  EXPECT_TRUE(FindReceived(kPending2, "gw-bulk-110002-08").has_value());
  EXPECT_FALSE(FindReceived(kProvisioning, "gw-bulk-110003-09").has_value())
      << "a device that is not pending never reaches the engine";

  struct Bad {
    std::string body;
    std::string error;
  };
  for (const Bad& b :
       {Bad{R"({"ids":[")" + kPending1 + R"("],"pattern":"gw-fixed"})", "no placeholder"},
        Bad{R"({"ids":[")" + kPending1 + R"(",")" + kPending1 + R"("],"pattern":"gw-{n}"})",
            "given twice"},
        Bad{R"({"ids":[],"pattern":"gw-{n}"})", "1-500"},
        Bad{R"({"ids":["x"],"pattern":"gw-{n}"})", "64 lower-case hex"},
        Bad{R"({"pattern":"gw-{n}"})", "body.ids"}}) {
    Result<http::Response> bad = PostJson(Url("/api/devices/approve"), b.body);
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400) << b.body;
    EXPECT_NE(ErrorOf(*bad).find(b.error), std::string::npos) << bad->body;
  }
}

TEST_F(UiIntegrationTest, AdminsKeepTheAllowListTheEngineReads) {
  const std::string url = Url("/api/allowlist");
  Result<http::Response> added =
      PostJson(url, R"({"mac":"02-42-AC-11-00-AA","name":"gw-listed-1"})");
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_NE(added->body.find(R"("kind":"mac","value":"02:42:ac:11:00:aa","name":"gw-listed-1")"),
            std::string::npos)
      << added->body;
  // What the engine reads: the canonical MAC's field, the name in its value.
  redis::Connection conn(RedisAt(services_->redis_port()));
  Result<redis::Reply> stored =
      conn.Command({"HGET", redis::Keys().AllowList(), "mac:02:42:ac:11:00:aa"});
  ASSERT_TRUE(stored.ok());
  EXPECT_NE(stored->AsString().value_or("").find(R"("name":"gw-listed-1")"), std::string::npos);

  Result<http::Response> again = PostJson(url, R"({"mac":"02:42:ac:11:00:aa","name":"gw-2"})");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 409);
  for (const std::string& bad :
       {std::string(R"({"mac":"02:42:ac:11:00:ab","fingerprint":"SHA256:x","name":"gw-3"})"),
        std::string(R"({"mac":"02:42:ac:11:00:ab","name":"Bad_Name"})"),
        std::string(R"({"fingerprint":"SHA256:short","name":"gw-3"})"),
        std::string(R"({"name":"gw-3"})")}) {
    Result<http::Response> r = PostJson(url, bad);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
  Result<http::Response> list = Call("GET", url);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->status, 200);
  EXPECT_NE(list->body.find("gw-listed-1"), std::string::npos);

  ASSERT_EQ(
      RunCli(*dir_, services_->redis_port(), "user add gail --role approver", "gail-password-1")
          .code,
      0);
  Result<Login> approver = LogIn(ui_.url, "gail", "gail-password-1");
  ASSERT_TRUE(approver.ok());
  Result<http::Response> not_admin =
      Call("POST", url, R"({"mac":"02:42:ac:11:00:ac","name":"gw-4"})", SessionHeaders(*approver));
  ASSERT_TRUE(not_admin.ok());
  EXPECT_EQ(not_admin->status, 403);
  Result<http::Response> readable = Call("GET", url, "", SessionHeaders(*approver));
  ASSERT_TRUE(readable.ok());
  EXPECT_EQ(readable->status, 200) << "every logged-in caller may read it";

  Result<http::Response> removed = Call("DELETE", url + "?mac=02:42:ac:11:00:aa");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->status, 200) << removed->body;
  Result<http::Response> gone = Call("DELETE", url + "?mac=02:42:ac:11:00:aa");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->status, 404);
  Result<http::Response> neither = Call("DELETE", url);
  ASSERT_TRUE(neither.ok());
  EXPECT_EQ(neither->status, 400);
}

TEST_F(UiIntegrationTest, TheAuditLogReadsNewestFirst) {
  for (const char* name : {"gw-audit-1", "gw-audit-2"}) {
    Result<http::Response> r = PostJson(Url("/api/devices/" + kPending1 + "/approve"),
                                        R"({"name":")" + std::string(name) + R"("})");
    ASSERT_TRUE(r.ok());
  }
  Result<http::Response> r = Call("GET", Url("/api/audit?limit=2"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  Result<json::Document> doc = json::Parse(r->body, 1 << 20, "audit");
  ASSERT_TRUE(doc.ok());
  std::vector<json::Value> entries = doc->Root().AsArray().value();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].GetString("name").value_or(""), "gw-audit-2");
  EXPECT_EQ(entries[1].GetString("name").value_or(""), "gw-audit-1");
  EXPECT_EQ(entries[0].GetString("actor").value_or(""), "api-token");
  Result<http::Response> older = Call("GET", Url("/api/audit?offset=1&limit=1"));
  ASSERT_TRUE(older.ok());
  EXPECT_NE(older->body.find("gw-audit-1"), std::string::npos) << older->body;
  for (const char* bad : {"?limit=0", "?limit=abc", "?offset=-1", "?limit=1&limit=2"}) {
    Result<http::Response> b = Call("GET", Url(std::string("/api/audit") + bad));
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->status, 400) << bad;
  }
}

// A raw HTTP/1.1 client for the event stream (lib/gps/http reads whole responses only).
class StreamReader {
 public:
  StreamReader(int port, const std::vector<std::string>& headers) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    std::string request = "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nAccept: text/event-stream\r\n";
    for (const std::string& h : headers) {
      request += h + "\r\n";
    }
    request += "\r\n";
    connected_ = connected_ && send(fd_, request.data(), request.size(), 0) ==
                                   static_cast<ssize_t>(request.size());
  }
  ~StreamReader() { close(fd_); }

  // Reads until what has come holds `text` after `from` (or the time is up); its position or npos.
  std::size_t WaitFor(const std::string& text, std::chrono::milliseconds timeout,
                      std::size_t from = 0) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (connected_) {
      std::size_t at = received_.find(text, from);
      if (at != std::string::npos) {
        return at;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        break;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        break;
      }
      char buf[8192];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        connected_ = false;
        break;
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_.find(text, from);
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

TEST_F(UiIntegrationTest, TheEventStreamSendsTheListThenEachChange) {
  StreamReader stream(ui_.port, {std::string("Authorization: Bearer ") + kApiToken});
  std::size_t snapshot = stream.WaitFor("event: devices\ndata: [", std::chrono::seconds(10));
  ASSERT_NE(snapshot, std::string::npos) << stream.received();
  EXPECT_NE(stream.received().find("200 OK"), std::string::npos);
  EXPECT_NE(stream.received().find("text/event-stream"), std::string::npos);
  ASSERT_NE(stream.WaitFor(kPending1, std::chrono::seconds(5), snapshot), std::string::npos);

  // A device that announces appears; a transition of it (a new version) follows.
  const std::string id = DeviceId("streamed");
  redis::Connection conn(RedisAt(services_->redis_port()));
  saga::Saga s = MakeSaga(id, saga::Phase::kPending, kT0 + 5000, "02:42:ac:11:00:99");
  ASSERT_TRUE(Put(conn, s, kT0 + 5000).ok());
  std::size_t added =
      stream.WaitFor("event: device\ndata: {\"id\":\"" + id, std::chrono::seconds(10), snapshot);
  ASSERT_NE(added, std::string::npos) << stream.received();
  s.phase = saga::Phase::kDismissed;
  ASSERT_TRUE(
      conn.Command({"HSET", redis::Keys().Saga(id), "v", "2", "doc", saga::EncodeSaga(s)}).ok());
  std::size_t changed =
      stream.WaitFor("\"state\":\"dismissed\"", std::chrono::seconds(10), added + 1);
  ASSERT_NE(changed, std::string::npos) << stream.received();
  // A newer announce (last seen) is a change too.
  ASSERT_TRUE(conn.Command({"SET", redis::Keys().LastSeen(id), std::to_string(kT0 + 7000)}).ok());
  ASSERT_NE(stream.WaitFor(FormatRfc3339(Instant{kT0 + 7000}), std::chrono::seconds(10), changed),
            std::string::npos)
      << stream.received();

  // Gone from the index: removed. (And the seeded state is back for the other tests.)
  ASSERT_TRUE(conn.Command({"ZREM", redis::Keys().DeviceIndex(), id}).ok());
  ASSERT_TRUE(conn.Command({"DEL", redis::Keys().Saga(id), redis::Keys().LastSeen(id)}).ok());
  ASSERT_NE(stream.WaitFor("event: removed\ndata: {\"id\":\"" + id + "\"}",
                           std::chrono::seconds(10), changed),
            std::string::npos)
      << stream.received();
}

TEST_F(UiIntegrationTest, TheEventStreamNeedsALogin) {
  StreamReader anonymous(ui_.port, {});
  ASSERT_NE(anonymous.WaitFor("\r\n\r\n", std::chrono::seconds(5)), std::string::npos);
  EXPECT_NE(anonymous.received().find("401"), std::string::npos) << anonymous.received();
  EXPECT_EQ(anonymous.received().find("event:"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Start-up failures and lost dependencies, each with processes of its own.

class UiDegradedTest : public ::testing::Test {
 protected:
  // Servers of its own, to stop them under a running gps-ui.
  void SetUp() override {
    redis_ = std::make_unique<RedisServer>(dir_.path());
    broker_ = std::make_unique<MosquittoServer>(dir_.path());
    env_ = broker_->Login(kUiAccount).Env();
    env_.insert({{"GPS_REDIS_HOST", "127.0.0.1"},
                 {"GPS_REDIS_PORT", std::to_string(redis_->port())},
                 {"GPS_UI_API_TOKEN", kApiToken}});
  }

  TempDir dir_{"gps-ui-test"};
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<MosquittoServer> broker_;
  std::map<std::string, std::string> env_;
};

TEST_F(UiDegradedTest, ATakenPortIsAClearExit1) {
  Result<UiProcess> first = StartUi(dir_, "gps-ui-first", env_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::map<std::string, std::string> env = env_;
  env["GPS_UI_PORT"] = std::to_string(first->port);
  env["GPS_UI_INSTANCE"] = "gps-ui-second";
  Subprocess second("gps-ui-second", {GPS_UI_BINARY}, env, dir_.File("second.log"));
  std::optional<int> code = second.Wait(kStart);
  ASSERT_TRUE(code.has_value()) << "the second server kept running: " << second.Log();
  EXPECT_EQ(*code, 1);
  std::string log = second.Log();
  EXPECT_NE(log.find("cannot start the HTTP server"), std::string::npos) << log;
  EXPECT_NE(log.find("Address already in use"), std::string::npos) << log;
  // The first one still serves.
  Result<http::Response> health = Call("GET", first->url + "healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(first->process->Stop(), 0);
}

TEST_F(UiDegradedTest, NoBrokerAtStartIsAClearExit1) {
  std::map<std::string, std::string> env = env_;
  env["GPS_MQTT_URI"] = "mqtts://127.0.0.1:" + std::to_string(FreePort());
  env["GPS_UI_INSTANCE"] = "gps-ui-no-broker";
  env["GPS_UI_PORT"] = "0";
  Subprocess ui("gps-ui-no-broker", {GPS_UI_BINARY}, env, dir_.File("no-broker.log"));
  std::optional<int> code = ui.Wait(kStart);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(ui.Log().find("cannot connect to the broker"), std::string::npos) << ui.Log();
}

TEST_F(UiDegradedTest, HealthzAndTheApiSayWhatIsDown) {
  Result<UiProcess> ui = StartUi(dir_, "gps-ui-degraded", env_);
  ASSERT_TRUE(ui.ok()) << ui.status().ToString();

  redis_.reset();  // stops it
  Result<http::Response> health = Call("GET", ui->url + "healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 503);
  EXPECT_NE(ErrorOf(*health).find("redis does not answer"), std::string::npos) << health->body;
  Result<http::Response> list = Call("GET", ui->url + "api/devices");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->status, 503) << list->body;
  EXPECT_NE(ErrorOf(*list).find("redis"), std::string::npos) << list->body;

  broker_.reset();
  std::string body;
  bool broker_reported = WaitUntil(
      [&] {
        Result<http::Response> r = Call("GET", ui->url + "healthz");
        body = r.ok() ? r->body : "";
        return body.find("not connected to the MQTT broker") != std::string::npos;
      },
      kStart);
  EXPECT_TRUE(broker_reported) << body;
  // A command with the broker gone is refused at once, not after the timeout.
  Result<http::Response> approve =
      PostJson(ui->url + "api/devices/" + DeviceId("x") + "/approve", R"({"name":"gw-no-broker"})");
  ASSERT_TRUE(approve.ok());
  EXPECT_EQ(approve->status, 503) << approve->body;
  EXPECT_EQ(ui->process->Stop(), 0) << ui->process->Log();
}

}  // namespace
}  // namespace gps::testing
