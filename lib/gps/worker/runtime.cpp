#include "gps/worker/runtime.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "gps/crypto/seal.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "gps/mqtt/client.h"
#include "gps/process/shutdown.h"
#include "gps/protocol/limits.h"
#include "gps/protocol/topics.h"
#include "gps/worker/job_intake.h"

namespace gps::worker {

namespace {

constexpr Millis kPollMs = 200;

struct QueuedJob {
  protocol::Job job;
  JobReply reply;
};

// A bounded queue between the consumer thread and the handler threads: when full, the consumer
// waits, which leaves further jobs queued at the broker rather than in this process.
class JobQueue {
 public:
  explicit JobQueue(std::size_t capacity) : capacity_(capacity) {}

  bool Push(QueuedJob job) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || closed_; });
    if (closed_) {
      return false;
    }
    queue_.push_back(std::move(job));
    not_empty_.notify_one();
    return true;
  }

  std::optional<QueuedJob> Pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) {
      return std::nullopt;
    }
    QueuedJob job = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return job;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<QueuedJob> queue_;
  bool closed_ = false;
};

std::string CounterName(protocol::Step step, std::string_view what) {
  return "worker." + std::string(protocol::StepName(step)) + "." + std::string(what);
}

void PublishResult(mqtt::Client& client, const JobReply& reply, const protocol::JobResult& result,
                   protocol::Step step) {
  mqtt::Message m;
  m.topic = reply.topic;
  m.payload = protocol::EncodeJobResult(result);
  m.correlation_data = reply.correlation;
  m.qos = 1;
  // The engine's lease covers a lost result, so a few quick tries are enough here.
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Status st = client.Publish(m, 5000);
    if (st.ok()) {
      metrics::Inc(CounterName(step, "results_published"));
      return;
    }
    log::Warn("publishing a result failed",
              {{"job_id", reply.correlation}, {"attempt", attempt}, {"err", st.ToString()}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
  metrics::Inc(CounterName(step, "results_lost"));
  log::Error("result not published; the engine's lease will re-dispatch the job",
             {{"job_id", reply.correlation}});
}

}  // namespace

std::string WorkerGroup(protocol::Step step) {
  return "gps-worker-" + std::string(protocol::StepName(step));
}

void AddRuntimeSettings(config::Table& table, RuntimeConfig* config, protocol::Step step) {
  process::AddMqttSettings(table, &config->mqtt, WorkerGroup(step) + "-" + process::HostName());
  process::AddLogSettings(table, &config->log);
  table.Add("GPS_WORKER_CONCURRENCY", &config->concurrency, 4,
            "jobs this process handles at once (each waits on its cloud)", 1, 256);
  table.Add("GPS_STATS_INTERVAL_S", &config->stats_interval_s, 60,
            "how often the process logs its counters (0: never)", 0, 86400);
}

Result<std::string> SealForDevice(const protocol::Job& job, std::string_view field,
                                  std::string_view secret) {
  return crypto::Seal(job.transport_key, secret,
                      protocol::SecretContext(job.id.device_id, job.id.step, field));
}

Runtime::Runtime(RuntimeConfig config, StepHandler& handler)
    : config_(std::move(config)), handler_(handler) {}

int Runtime::Run() {
  const protocol::Step step = handler_.step();
  const std::string step_name(protocol::StepName(step));
  process::InstallShutdownHandlers();

  std::string filter =
      protocol::SharedFilter(protocol::ShareGroup(WorkerGroup(step), config_.mqtt.password),
                             protocol::JobTopic(step_name));
  mqtt::Client client(process::ToClientOptions(config_.mqtt, {{filter, 1}}));
  Status connected = client.Connect();
  if (!connected.ok()) {
    log::Error("cannot connect to the broker", {{"err", connected.ToString()}});
    return 1;
  }
  log::Info("worker ready",
            {{"step", step_name},
             {"jobs", protocol::JobTopic(step_name)},
             {"group", WorkerGroup(step)},  // the role only: the group's tag stays unlogged
             {"concurrency", config_.concurrency}});

  SystemClock clock;
  JobQueue queue(static_cast<std::size_t>(config_.concurrency) * 2);
  std::vector<std::thread> threads;
  for (int i = 0; i < config_.concurrency; ++i) {
    threads.emplace_back([&] {
      while (std::optional<QueuedJob> q = queue.Pop()) {
        const protocol::Job& job = q->job;
        if (clock.Now() >= job.deadline) {
          metrics::Inc(CounterName(step, "jobs_expired_in_queue"));
          continue;
        }
        protocol::JobResult result = handler_.Handle(job, job.deadline);
        metrics::Inc(CounterName(
            step, std::string("outcome_") + std::string(OutcomeKindName(result.outcome.kind))));
        log::Info("job handled", {{"device_id", job.id.device_id},
                                  {"step", step_name},
                                  {"action", std::string(protocol::ActionName(job.id.action))},
                                  {"attempt", job.id.attempt},
                                  {"outcome", std::string(OutcomeKindName(result.outcome.kind))},
                                  {"err", result.outcome.error}});
        PublishResult(client, q->reply, result, step);
      }
    });
  }

  Instant next_stats = clock.Now() + config_.stats_interval_s * 1000;
  while (!process::ShutdownRequested()) {
    if (config_.stats_interval_s > 0 && clock.Now() >= next_stats) {
      log::Info("stats", {{"counters", metrics::SnapshotJson()}});
      next_stats = clock.Now() + config_.stats_interval_s * 1000;
    }
    std::optional<mqtt::Event> event = client.Next(kPollMs);
    if (!event) {
      continue;
    }
    if (event->kind == mqtt::EventKind::kConnectionLost) {
      log::Warn("broker connection lost; reconnecting", {{"err", event->detail}});
      continue;
    }
    if (event->kind == mqtt::EventKind::kConnected) {
      log::Info("broker connection (re)established");
      continue;
    }
    metrics::Inc(CounterName(step, "jobs_received"));
    JobIntake intake = InterpretJobMessage(event->message, step);
    if (!intake.job) {
      metrics::Inc(CounterName(step, "jobs_rejected"));
      log::Warn("job rejected", {{"step", step_name},
                                 {"job_id", event->message.correlation_data.substr(0, 200)},
                                 {"answered", intake.answer ? "yes" : "no"},
                                 {"err", intake.problem.ToString()}});
      if (intake.answer) {
        PublishResult(client, intake.reply, *intake.answer, step);
      }
      continue;
    }
    queue.Push(QueuedJob{std::move(*intake.job), std::move(intake.reply)});
  }

  log::Info("worker stopping");
  queue.Close();
  for (std::thread& t : threads) {
    t.join();
  }
  client.Disconnect();
  return 0;
}

}  // namespace gps::worker
