// The gps-ui page in a real browser: this test brings up the whole service (tests/support/stack)
// and runs tests/browser/ui_test.mjs, which drives headless Debian chromium through
// playwright-core. The script starts nothing itself: it asks for simulated gateways by printing
// "@@start-gateway <name> <mac>" and this test starts them, so every device on the page is a real
// device client that announces, decrypts its credentials and acknowledges them.
// Screenshots of every main view are saved under the test output directory (printed).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/stack.h"
#include "tests/support/subprocess.h"

namespace gps::testing {
namespace {

using std::chrono::seconds;

constexpr char kScript[] = GPS_BROWSER_DIR "/ui_test.mjs";
constexpr char kPlaywright[] = GPS_BROWSER_DIR "/node_modules/playwright-core/package.json";

struct Login {
  std::string user;
  std::string password;
  std::string role;
};

const Login kApprover{"olivia", "olivia-password-1", "approver"};
const Login kViewer{"victor", "victor-password-1", "viewer"};
const Login kAdmin{"ada", "ada-password-1", "admin"};

std::string OutputDir() {
  const char* configured = std::getenv("GPS_TEST_OUTPUT_DIR");
  std::string base =
      configured != nullptr && *configured != '\0' ? configured : GPS_BROWSER_DEFAULT_OUTPUT;
  std::string dir = base + "/browser";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Lines of the form "@@start-gateway <name> <mac>" in text, from the n-th such line on.
std::vector<std::pair<std::string, std::string>> GatewayRequests(const std::string& text,
                                                                 std::size_t* seen) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, name, mac;
    if (!(words >> tag >> name >> mac) || tag != "@@start-gateway") {
      continue;
    }
    if (n++ >= *seen) {
      out.emplace_back(name, mac);
    }
  }
  *seen = n;
  return out;
}

TEST(BrowserTest, TheOperatorPageInHeadlessChromium) {
  ASSERT_TRUE(std::filesystem::exists(kPlaywright))
      << "playwright-core is not installed: run `npm ci` in tests/browser (scripts/test does)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium is missing";
  TempDir dir("gps-browser");
  StackOptions options;
  // The page's live updates come from Redis polls: look often, so the test does not wait.
  options.ui_env["GPS_UI_WATCH_INTERVAL_MS"] = "200";
  Stack stack(dir, options);
  for (const Login& login : {kApprover, kViewer, kAdmin}) {
    Result<http::Response> r = stack.PostJson(
        stack.ui_url() + "/api/users", R"({"username":")" + login.user + R"(","password":")" +
                                           login.password + R"(","role":")" + login.role + R"("})");
    ASSERT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().ToString());
  }
  const std::string screenshots = OutputDir();
  std::printf("browser screenshots: %s\n", screenshots.c_str());

  std::map<std::string, std::string> env = {
      {"BROWSER_TEST_UI_URL", stack.ui_url()},
      {"BROWSER_TEST_APPROVER", kApprover.user + ":" + kApprover.password},
      {"BROWSER_TEST_VIEWER", kViewer.user + ":" + kViewer.password},
      {"BROWSER_TEST_ADMIN", kAdmin.user + ":" + kAdmin.password},
      {"BROWSER_TEST_FAULTS_URL",
       "http://127.0.0.1:" + std::to_string(stack.cloudsim_ports().mender) + "/_sim/faults/"},
      {"BROWSER_TEST_SCREENSHOTS", screenshots},
      {"PATH", std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin:/bin"},
      {"HOME", dir.path()},
  };
  Subprocess script("browser", {"/usr/bin/env", "node", kScript}, env, dir.File("browser.log"));
  std::vector<std::unique_ptr<Subprocess>> gateways;
  std::size_t requests_seen = 0;
  std::optional<int> code;
  auto deadline = std::chrono::steady_clock::now() + seconds(420);
  while (!(code = script.Poll()) && std::chrono::steady_clock::now() < deadline) {
    for (const auto& [name, mac] : GatewayRequests(script.Log(), &requests_seen)) {
      gateways.push_back(stack.StartGateway(name, mac));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!code) {
    script.Stop();
  }
  std::string log = script.Log();
  std::printf("%s\n", log.c_str());
  ASSERT_EQ(code, std::optional<int>(0)) << "the browser script failed:\n" << log << stack.Logs();
  for (const char* shot :
       {"login.png", "pending.png", "in-progress.png", "device-provisioned.png", "provisioned.png",
        "taken-name.png", "dismissed.png", "failed.png", "device-failed.png", "viewer.png",
        "revoke-dialog.png", "audit.png", "allow-list.png", "users.png", "bulk.png"}) {
    std::string path = screenshots + "/" + shot;
    EXPECT_TRUE(std::filesystem::exists(path) && std::filesystem::file_size(path) > 1000) << path;
  }
}

}  // namespace
}  // namespace gps::testing
