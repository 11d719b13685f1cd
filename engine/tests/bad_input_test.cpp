// Process level: every row of the bad-input tables (engine/testing/bad_inbound.h for gps-engine,
// gps/testing/bad_jobs.h for a worker) published over the real broker, as the role that may write
// its topic, to a running gps-engine and gps-worker-mender on real Mosquitto and Redis. Each row
// must leave one refusal in the log that names its reason and count exactly once; the processes
// keep running; the saga of a device the engine already knew is the same in Redis afterwards; a
// valid gateway still becomes pending; the worker answers a refused job with a permanent failure
// exactly when it can name the job, and still handles a valid one.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/testing/bad_inbound.h"
#include "gps/crypto/digest.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/keys.h"
#include "gps/protocol/job.h"
#include "gps/protocol/topics.h"
#include "gps/redis/connection.h"
#include "gps/redis/keys.h"
#include "gps/testing/bad_jobs.h"
#include "tests/support/e2e_helpers.h"
#include "tests/support/message_recorder.h"
#include "tests/support/process_log.h"
#include "tests/support/stack.h"

namespace gps::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr char kEngineLog[] = "engine-1.log";
constexpr char kWorkerLog[] = "worker-mender-1.log";

StackOptions Options() {
  StackOptions o;
  o.workers = {"mender"};
  // The counters, in the log every second.
  o.engine_env = {{"GPS_STATS_INTERVAL_S", "1"}};
  o.worker_env = {{"mender", {{"GPS_STATS_INTERVAL_S", "1"}}}};
  o.log_level = "info";
  return o;
}

// Publishes each message as the role that may write its topic, over one connection per role and
// client id: a device's topics as the bootstrap account with the device id as client id, commands
// as gps-ui, a step's results as its worker, jobs as gps-engine. Thread-safe.
class RolePublisher {
 public:
  explicit RolePublisher(Stack& stack) : stack_(stack) {}

  // Waits for the broker's acknowledgement.
  Status Publish(const mqtt::Message& m) {
    GPS_ASSIGN_OR_RETURN(Login login, LoginFor(m.topic));
    GPS_ASSIGN_OR_RETURN(mqtt::Client * client, ClientFor(login));
    return client->Publish(m, 5000);
  }

  // Publishes every row, several at once, after connecting the roles the rows need at once: a
  // connection takes a second or two (Paho's command thread serves the process's clients in
  // turns), and the checks do not depend on the order in which rows arrive. Returns when every
  // row was acknowledged or refused; a test failure names each row that was not published.
  void PublishAll(const std::vector<BadMessage>& rows) {
    std::map<std::string, Login> logins;
    for (const BadMessage& row : rows) {
      if (Result<Login> login = LoginFor(row.message.topic); login.ok()) {
        logins[login->account + "/" + login->client_id] = *login;
      }
    }
    std::vector<Status> connected(logins.size());
    std::vector<std::thread> threads;
    for (const auto& [key, login] : logins) {
      threads.emplace_back(
          [&, login, i = threads.size()] { connected[i] = ClientFor(login).status(); });
    }
    for (std::thread& thread : threads) {
      thread.join();
    }
    for (const Status& st : connected) {
      // Publishing now would connect again from several threads, and one client id twice.
      ASSERT_TRUE(st.ok()) << st.ToString();
    }
    threads.clear();
    constexpr std::size_t kThreads = 8;
    std::vector<Status> published(rows.size());
    for (std::size_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < rows.size(); i += kThreads) {
          published[i] = Publish(rows[i].message);
        }
      });
    }
    for (std::thread& thread : threads) {
      thread.join();
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_TRUE(published[i].ok()) << rows[i].name << ": " << published[i].ToString();
    }
  }

 private:
  struct Login {
    std::string account;
    std::string client_id;
  };

  Result<Login> LoginFor(const std::string& topic) const {
    const std::string results = protocol::ResultTopic("");
    if (auto device = protocol::ParseDeviceTopic(topic)) {
      return Login{kBootstrapAccount, device->device_id};
    }
    if (protocol::ParseCommandTopic(topic)) {
      return Login{kUiAccount, "bad-input-ui-" + suffix_};
    }
    if (topic.starts_with(results)) {
      return Login{WorkerAccount(topic.substr(results.size())), "bad-input-results-" + suffix_};
    }
    if (protocol::IsJobTopic(topic)) {
      return Login{kEngineAccount, "bad-input-jobs-" + suffix_};
    }
    return Status::InvalidArgument("no role writes " + topic);
  }

  // The login's client, connected on first use. REQUIRES: no two threads connect one login.
  Result<mqtt::Client*> ClientFor(const Login& login) {
    std::unique_ptr<mqtt::Client>* client = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      client = &clients_[login.account + "/" + login.client_id];
      if (*client) {
        return client->get();
      }
    }
    auto made = std::make_unique<mqtt::Client>(
        stack_.services().Login(login.account).ClientOptions(login.client_id));
    Status connected = made->Connect();
    if (!connected.ok()) {
      return connected.WithContext("connect as " + login.account);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!*client) {
      *client = std::move(made);
    }
    return client->get();
  }

  Stack& stack_;
  const std::string suffix_ = UniqueSuffix();
  std::mutex mutex_;  // guards clients_; a Client publishes from any thread
  std::map<std::string, std::unique_ptr<mqtt::Client>> clients_;
};

// The rows (by index) left without a log line when each line may stand for one row only: rows
// that share words must not share a line (maximum matching by augmenting paths).
std::vector<std::size_t> RowsWithoutALine(
    std::size_t rows, const std::vector<LogLine>& lines,
    const std::function<bool(std::size_t row, const LogLine& line)>& matches) {
  std::vector<std::vector<std::size_t>> candidates(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t l = 0; l < lines.size(); ++l) {
      if (matches(r, lines[l])) {
        candidates[r].push_back(l);
      }
    }
  }
  std::vector<long> row_of_line(lines.size(), -1);
  std::function<bool(std::size_t, std::vector<bool>&)> assign = [&](std::size_t r,
                                                                    std::vector<bool>& seen) {
    for (std::size_t l : candidates[r]) {
      if (seen[l]) {
        continue;
      }
      seen[l] = true;
      if (row_of_line[l] < 0 || assign(static_cast<std::size_t>(row_of_line[l]), seen)) {
        row_of_line[l] = static_cast<long>(r);
        return true;
      }
    }
    return false;
  };
  std::vector<std::size_t> missing;
  for (std::size_t r = 0; r < rows; ++r) {
    std::vector<bool> seen(lines.size(), false);
    if (!assign(r, seen)) {
      missing.push_back(r);
    }
  }
  return missing;
}

class BadInputTest : public ::testing::Test {
 protected:
  std::string Log(const char* name) const { return dir_.File(name); }

  // A device's saga hash, timeline and outbox as Redis holds them; "" while it has no saga.
  std::string SagaSnapshot(const std::string& device_id) {
    std::string out;
    const std::vector<std::vector<std::string>> reads = {
        {"HGETALL", keys_.Saga(device_id)},
        {"LRANGE", keys_.History(device_id), "0", "-1"},
        {"LRANGE", keys_.Outbox(device_id), "0", "-1"},
    };
    for (const std::vector<std::string>& read : reads) {
      Result<redis::Reply> reply = redis_.Command(read);
      if (!reply.ok()) {
        ADD_FAILURE() << read[0] << ": " << reply.status().ToString();
        return "";
      }
      std::vector<redis::Reply> items = reply->AsArray().value_or(std::vector<redis::Reply>{});
      if (read[0] == "HGETALL" && items.empty()) {
        return "";
      }
      out += read[0] + " " + read[1] + ":";
      for (const redis::Reply& item : items) {
        out += "\n  " + item.AsString().value_or("(not a string)");
      }
      out += "\n";
    }
    return out;
  }

  bool OutboxEmpty(const std::string& device_id) {
    Result<redis::Reply> n = redis_.Command({"LLEN", keys_.Outbox(device_id)});
    return n.ok() && n->AsInteger().value_or(-1) == 0;
  }

  TempDir dir_{"gps-bad-input"};
  Stack stack_{dir_, Options()};
  redis::Keys keys_{stack_.redis_key_prefix()};
  redis::Connection redis_{[&] {
    redis::Endpoint endpoint;
    endpoint.port = stack_.services().redis_port();
    return endpoint;
  }()};
};

TEST_F(BadInputTest, TheEngineRefusesAndCountsEveryRowAndKeepsItsState) {
  const engine::testing::InboundSubjects subjects = engine::testing::MakeSubjects();
  RolePublisher publisher(stack_);

  // A device the engine knows before any bad message arrives.
  ASSERT_TRUE(publisher.Publish(engine::testing::KnownAnnounce(subjects)).ok());
  ASSERT_TRUE(WaitUntil(
      [&] { return !SagaSnapshot(subjects.known_id).empty() && OutboxEmpty(subjects.known_id); },
      seconds(10)))
      << stack_.Logs();
  const std::string before = SagaSnapshot(subjects.known_id);

  const std::map<std::string, std::vector<BadMessage>> refused_on_arrival = {
      {"announce", engine::testing::BadAnnounces(subjects)},
      {"ack", engine::testing::BadAcks(subjects)},
      {"command", engine::testing::BadCommands(subjects)},
      {"result", engine::testing::BadResults(subjects)},
  };
  const std::vector<BadMessage> forged_acks = engine::testing::ForgedAcks(subjects);
  std::vector<BadMessage> all(forged_acks);
  for (const auto& [kind, rows] : refused_on_arrival) {
    all.insert(all.end(), rows.begin(), rows.end());
  }
  publisher.PublishAll(all);

  std::map<std::string, std::uint64_t> expected;
  for (const auto& [kind, rows] : refused_on_arrival) {
    expected["engine.rejected." + kind] = rows.size();
  }
  expected["engine.rejected.ack"] += forged_acks.size();
  auto counted = [&](bool exactly) {
    std::map<std::string, std::uint64_t> now = LastCounters(Log(kEngineLog));
    for (const auto& [name, n] : expected) {
      if (exactly ? now[name] != n : now[name] < n) {
        return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(WaitUntil([&] { return counted(false); }, seconds(15)))
      << "the engine did not count every refusal\n"
      << stack_.Logs();

  // Still serving: a gateway that announces now becomes pending. Messages reach the engine in the
  // order the broker took them, so once a stats line shows its announce, every row was counted.
  EXPECT_TRUE(stack_.Running("engine-1"));
  auto gateway = stack_.StartGateway("after", "02:42:ac:11:0b:09");
  DeviceSummary pending = WaitForPending(stack_, "02:42:ac:11:0b:09");
  EXPECT_FALSE(pending.id.empty());
  EXPECT_TRUE(WaitUntil(
      [&] { return LastCounter(Log(kEngineLog), "engine.applied.announced") >= 2; }, seconds(10)));
  std::map<std::string, std::uint64_t> counters = LastCounters(Log(kEngineLog));
  for (const auto& [name, n] : expected) {
    EXPECT_EQ(counters[name], n) << name;
  }
  EXPECT_EQ(counters["engine.events_refused"], forged_acks.size());
  EXPECT_TRUE(stack_.Running("engine-1"));

  // The known device's saga is as it was, and the stranger has none.
  EXPECT_EQ(SagaSnapshot(subjects.known_id), before);
  EXPECT_EQ(SagaSnapshot(subjects.stranger_id), "");
  Result<redis::Reply> indexed =
      redis_.Command({"ZSCORE", keys_.DeviceIndex(), subjects.stranger_id});
  ASSERT_TRUE(indexed.ok()) << indexed.status().ToString();
  EXPECT_EQ(indexed->AsOptionalString().value_or("?"), std::nullopt) << "the stranger was indexed";
  EXPECT_EQ(DeviceField(stack_, subjects.known_id, "state"), "pending");

  // One log line per row, naming its reason.
  std::vector<LogLine> lines = ReadLogLines(Log(kEngineLog));
  std::vector<BadMessage> on_arrival;
  for (const auto& [kind, rows] : refused_on_arrival) {
    on_arrival.insert(on_arrival.end(), rows.begin(), rows.end());
  }
  std::vector<LogLine> refused = LinesWithMsg(lines, "message refused");
  EXPECT_EQ(refused.size(), on_arrival.size());
  for (std::size_t r :
       RowsWithoutALine(on_arrival.size(), refused, [&](std::size_t i, const LogLine&line) {
         return line.Field("topic") == on_arrival[i].message.topic.substr(0, 200) &&
                line.Field("err").find(on_arrival[i].error) != std::string::npos;
       })) {
    ADD_FAILURE() << "no \"message refused\" line for: " << on_arrival[r].name << " on "
                  << on_arrival[r].message.topic << ", expected " << on_arrival[r].error;
  }
  std::vector<LogLine> events = LinesWithMsg(lines, "event refused");
  EXPECT_EQ(events.size(), forged_acks.size());
  for (std::size_t r :
       RowsWithoutALine(forged_acks.size(), events, [&](std::size_t i, const LogLine&line) {
         std::optional<protocol::ParsedDeviceTopic> t =
             protocol::ParseDeviceTopic(forged_acks[i].message.topic);
         return t && line.Field("device_id") == t->device_id &&
                line.Field("err").find(forged_acks[i].error) != std::string::npos;
       })) {
    ADD_FAILURE() << "no \"event refused\" line for: " << forged_acks[r].name;
  }
}

TEST_F(BadInputTest, TheWorkerAnswersWhatItCanNameAndDropsTheRest) {
  const std::string device_id = crypto::HexEncode(crypto::RandomBytes(32).value());
  const std::string pubkey =
      crypto::PrivateKey::GenerateEd25519().value().Public().value().SpkiPem();
  const std::string results = protocol::ResultTopic("mender");
  mqtt::ClientOptions observer =
      stack_.services().Login(kObserverAccount).ClientOptions("observer-" + UniqueSuffix());
  observer.subscriptions = {{results, 1}};
  MessageRecorder answers(observer);
  ASSERT_TRUE(answers.Start().ok());

  const std::vector<BadJob> table = BadJobs(protocol::Step::kMender, device_id, pubkey);
  std::vector<BadMessage> rows;
  std::size_t answered = 0;
  for (const BadJob& job : table) {
    rows.push_back(job.row);
    answered += job.answered ? 1 : 0;
  }
  RolePublisher publisher(stack_);
  publisher.PublishAll(rows);
  // A valid job after the bad ones: the worker takes jobs in order, so its answer comes last.
  const mqtt::Message valid =
      ValidJobMessage(protocol::Step::kMender, device_id, pubkey, 1, SystemClock().Now() + 60000);
  ASSERT_TRUE(publisher.Publish(valid).ok());

  auto answer_to = [&](const std::string& correlation) -> std::optional<mqtt::Message> {
    for (const mqtt::Message& m : answers.Messages()) {
      if (m.correlation_data == correlation) {
        return m;
      }
    }
    return std::nullopt;
  };
  ASSERT_TRUE(WaitUntil([&] { return answer_to(valid.correlation_data).has_value(); }, seconds(15)))
      << "the worker did not handle a valid job after the bad ones\n"
      << stack_.Logs();
  Result<protocol::JobResult> handled =
      protocol::ParseJobResult(answer_to(valid.correlation_data)->payload);
  ASSERT_TRUE(handled.ok()) << handled.status().ToString();
  EXPECT_TRUE(handled->outcome.ok()) << handled->outcome.error;
  EXPECT_TRUE(stack_.Running("worker-mender-1"));

  // A permanent failure for each row it can name, none for the others.
  EXPECT_EQ(answers.Messages().size(), answered + 1);
  for (const BadJob& job : table) {
    if (!job.answered) {
      continue;
    }
    std::optional<mqtt::Message> answer = answer_to(job.row.message.correlation_data);
    if (!answer) {
      ADD_FAILURE() << "no answer to: " << job.row.name;
      continue;
    }
    Result<protocol::JobResult> r = protocol::ParseJobResult(answer->payload);
    ASSERT_TRUE(r.ok()) << job.row.name << ": " << r.status().ToString();
    EXPECT_TRUE(r->outcome.permanent()) << job.row.name;
    EXPECT_THAT(r->outcome.error, HasSubstr("job rejected by the mender worker: " + job.row.error))
        << job.row.name;
  }

  // Counted exactly once each, once a stats line shows the valid job's answer published.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return LastCounter(Log(kWorkerLog), "worker.mender.results_published") >= answered + 1;
      },
      seconds(10)))
      << stack_.Logs();
  std::map<std::string, std::uint64_t> counters = LastCounters(Log(kWorkerLog));
  EXPECT_EQ(counters["worker.mender.jobs_rejected"], table.size());
  EXPECT_EQ(counters["worker.mender.jobs_received"], table.size() + 1);
  EXPECT_EQ(counters["worker.mender.results_published"], answered + 1);

  // One log line per row, naming its reason and whether it was answered.
  std::vector<LogLine> rejected = LinesWithMsg(ReadLogLines(Log(kWorkerLog)), "job rejected");
  EXPECT_EQ(rejected.size(), table.size());
  for (std::size_t r :
       RowsWithoutALine(table.size(), rejected, [&](std::size_t i, const LogLine&line) {
         return line.Field("answered") == (table[i].answered ? "yes" : "no") &&
                line.Field("err").find(table[i].row.error) != std::string::npos;
       })) {
    ADD_FAILURE() << "no \"job rejected\" line for: " << table[r].row.name;
  }
}

}  // namespace
}  // namespace gps::testing
