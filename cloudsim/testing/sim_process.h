#pragma once
// Helpers for cloudsim's binary tests only: one gps-cloudsim process on free ports in a fresh
// directory (its ready file and log), and HTTP calls to it with the workers' client. Not linked
// into the binary. Not thread-safe; the Send helpers may run on any thread with its own client.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cloudsim/testing/child_process.h"
#include "gps/core/clock.h"
#include "gps/http/client.h"

namespace gps::cloudsim::testing {

class SimProcess {
 public:
  // Starts binary (gps-cloudsim) with env plus GPS_CLOUDSIM_READY_FILE in a new directory, which
  // the destructor removes after killing the process if it still runs.
  SimProcess(const std::string& binary, std::vector<std::string> env);
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  // Waits for the ready file and reads the ports; a failure carries the log (the process exited,
  // or no ready file within the limit).
  ::testing::AssertionResult Ready(std::chrono::seconds limit = std::chrono::seconds(30));
  // REQUIRES: Ready() succeeded. "http://127.0.0.1:<port>" of "mender", "dps", "vault", "hub".
  std::string Base(std::string_view service) const;
  int Port(std::string_view service) const;

  std::string Log() const;
  const std::filesystem::path& dir() const { return dir_; }
  Child& child() { return *child_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Child> child_;
  std::string ports_json_;
};

// One request with the workers' HTTP client; a transport failure is the Status.
Result<http::Response> Send(http::Client& client, std::string method, std::string url,
                            std::vector<http::Header> headers = {}, std::string body = "",
                            Millis timeout_ms = 20000);
// As Send, for exchanges that must get an HTTP answer: a transport failure fails the test and
// gives an empty response (status 0).
http::Response MustSend(http::Client& client, std::string method, std::string url,
                        std::vector<http::Header> headers = {}, std::string body = "");

inline const http::Header kJsonType{"Content-Type", "application/json"};

// Seconds since the Unix epoch, for SAS token expiries.
std::int64_t UnixNow();

}  // namespace gps::cloudsim::testing
