#include "cloudsim/testing/sim_process.h"

#include <unistd.h>

#include <atomic>
#include <thread>

#include "gps/json/json.h"

namespace gps::cloudsim::testing {

namespace fs = std::filesystem;

namespace {

// Several SimProcesses in one test binary each get their own directory.
std::atomic<int> next_sim{0};

}  // namespace

SimProcess::SimProcess(const std::string& binary, std::vector<std::string> env)
    : dir_(fs::temp_directory_path() /
           ("cloudsim_sim_" + std::to_string(getpid()) + "_" + std::to_string(++next_sim))) {
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  env.push_back("GPS_CLOUDSIM_READY_FILE=" + (dir_ / "ready.json").string());
  child_ = std::make_unique<Child>(binary, env, dir_ / "cloudsim.log");
}

SimProcess::~SimProcess() {
  child_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

::testing::AssertionResult SimProcess::Ready(std::chrono::seconds limit) {
  if (child_->pid() <= 0) {
    return ::testing::AssertionFailure() << "cannot start gps-cloudsim";
  }
  const fs::path ready = dir_ / "ready.json";
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!fs::exists(ready)) {
    if (!child_->Running()) {
      return ::testing::AssertionFailure() << "gps-cloudsim exited early:\n" << Log();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure() << "no ready file:\n" << Log();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ports_json_ = ReadAll(ready);
  return ::testing::AssertionSuccess();
}

int SimProcess::Port(std::string_view service) const {
  Result<json::Document> ports = json::ParseObject(ports_json_, 4096, "ready file");
  if (!ports.ok()) {
    ADD_FAILURE() << ports.status().ToString();
    return 0;
  }
  return static_cast<int>(ports->Root().GetInt(service).value_or(0));
}

std::string SimProcess::Base(std::string_view service) const {
  return "http://127.0.0.1:" + std::to_string(Port(service));
}

std::string SimProcess::Log() const { return ReadAll(dir_ / "cloudsim.log"); }

Result<http::Response> Send(http::Client& client, std::string method, std::string url,
                            std::vector<http::Header> headers, std::string body,
                            Millis timeout_ms) {
  http::Request req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.headers = std::move(headers);
  req.body = std::move(body);
  req.timeout_ms = timeout_ms;
  return client.Send(req);
}

http::Response MustSend(http::Client& client, std::string method, std::string url,
                        std::vector<http::Header> headers, std::string body) {
  Result<http::Response> r =
      Send(client, std::move(method), std::move(url), std::move(headers), std::move(body));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : http::Response{};
}

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace gps::cloudsim::testing
