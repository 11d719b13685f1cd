// gps-edge-agent-sim: the simulated edge agent of the tests (see edge_agent.h and --help).
// main() does the I/O only: files, HTTP, the polling loop, the one result line on stdout.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "cloudsim/tools/edge_agent.h"
#include "gps/config/config.h"
#include "gps/core/clock.h"
#include "gps/http/client.h"

namespace {

using namespace gps;
using namespace gps::cloudsim::edge;

constexpr int kRefused = 1;
constexpr int kUsage = 2;

int Fail(int code, const std::string& message) {
  std::cerr << "gps-edge-agent-sim: " << message << "\n";
  return code;
}

std::int64_t NowSeconds() { return SystemClock().Now().ms / 1000; }

int RunDps(const Options& o) {
  Result<std::string> text = config::ReadFile(o.env_file, 64 * 1024);
  if (!text.ok()) {
    return Fail(kUsage, "cannot read " + o.env_file + ": " + text.status().message());
  }
  Result<std::map<std::string, std::string>> env = ParseEnvFile(*text);
  if (!env.ok()) {
    return Fail(kUsage, o.env_file + ": " + env.status().message());
  }
  Result<DpsDevice> device = DpsDeviceFromEnv(*env);
  if (!device.ok()) {
    return Fail(kUsage, o.env_file + ": " + device.status().message());
  }
  std::string base = o.dps_url.empty() ? "https://" + device->global_endpoint : o.dps_url;
  Millis deadline = SystemClock().Now().ms + o.timeout_s * 1000;
  http::Client client;
  auto send = [&](std::string method, std::string url, std::string body) -> Result<http::Response> {
    GPS_ASSIGN_OR_RETURN(std::string sas, DeviceSas(*device, NowSeconds() + 3600));
    http::Request req;
    req.method = std::move(method);
    req.url = std::move(url);
    req.headers = {{"Authorization", sas}, {"Accept", "application/json"}};
    if (!body.empty()) {
      req.headers.push_back({"Content-Type", "application/json"});
    }
    req.body = std::move(body);
    req.timeout_ms = std::max<Millis>(1000, deadline - SystemClock().Now().ms);
    req.idempotent = req.method == "GET";
    return client.Send(req);
  };

  Result<http::Response> registered =
      send("PUT", RegisterUrl(base, *device, o.api_version), RegisterBody(*device));
  if (!registered.ok()) {
    return Fail(kRefused, "DPS register: " + registered.status().ToString());
  }
  if (registered->status != 200 && registered->status != 202) {
    return Fail(kRefused, "DPS register: HTTP " + std::to_string(registered->status) + ": " +
                              registered->body);
  }
  Result<OperationStatus> status = ParseOperationStatus(registered->body);
  if (!status.ok()) {
    return Fail(kRefused, "DPS register: " + status.status().message());
  }
  std::string operation_id = status->operation_id;
  // As the identity service does: ask at once, then wait between polls while "assigning".
  while (status->status == "assigning") {
    Result<http::Response> polled =
        send("GET", OperationUrl(base, *device, operation_id, o.api_version), "");
    if (!polled.ok()) {
      return Fail(kRefused, "DPS operation status: " + polled.status().ToString());
    }
    if (polled->status != 200 && polled->status != 202) {
      return Fail(kRefused, "DPS operation status: HTTP " + std::to_string(polled->status) + ": " +
                                polled->body);
    }
    status = ParseOperationStatus(polled->body);
    if (!status.ok()) {
      return Fail(kRefused, "DPS operation status: " + status.status().message());
    }
    if (status->status != "assigning") {
      break;
    }
    Millis wait = o.poll_interval_ms;
    if (std::optional<std::string> after = polled->HeaderValue("Retry-After")) {
      wait = std::atoll(after->c_str()) * 1000;
    }
    if (SystemClock().Now().ms + wait > deadline) {
      return Fail(kRefused,
                  "DPS assignment did not finish within " + std::to_string(o.timeout_s) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
  if (status->status != "assigned") {
    return Fail(kRefused, "DPS registration of " + device->registration_id + " ended with status " +
                              status->status +
                              (status->error_message.empty() ? "" : ": " + status->error_message));
  }
  std::cout << DpsResultLine(*status) << std::endl;
  return 0;
}

int RunMender(const Options& o) {
  Result<std::string> pem = config::ReadFile(o.key_file, 64 * 1024);
  if (!pem.ok()) {
    return Fail(kUsage, "cannot read " + o.key_file + ": " + pem.status().message());
  }
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromPem(*pem);
  if (!key.ok()) {
    return Fail(kUsage, o.key_file + ": " + key.status().message());
  }
  Result<crypto::PublicKey> pub = key->Public();
  if (!pub.ok()) {
    return Fail(kUsage, o.key_file + ": " + pub.status().message());
  }
  std::string body = MenderAuthBody(MenderIdentity(o.mac), pub->SpkiPem(), o.tenant_token);
  Result<std::string> signature = MenderSignature(*key, body);
  if (!signature.ok()) {
    return Fail(kRefused, "signing the request: " + signature.status().message());
  }
  http::Request req;
  req.method = "POST";
  req.url = o.mender_url + "/api/devices/v1/authentication/auth_requests";
  req.headers = {{"Content-Type", "application/json"}, {"X-MEN-Signature", *signature}};
  req.body = std::move(body);
  req.timeout_ms = 30000;
  req.idempotent = false;
  http::Client client;
  Result<http::Response> answer = client.Send(req);
  if (!answer.ok()) {
    return Fail(kRefused, "Mender authentication: " + answer.status().ToString());
  }
  std::cout << MenderResultLine(answer->status, answer->body) << std::endl;
  if (answer->status != 200) {
    return Fail(kRefused, "Mender authentication: HTTP " + std::to_string(answer->status));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Result<Options> options = ParseArgs(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::cerr << "gps-edge-agent-sim: " << options.status().message() << "\n";
    return kUsage;
  }
  if (options->help) {
    std::cout << Usage();
    return 0;
  }
  return options->mode == Options::Mode::kDps ? RunDps(*options) : RunMender(*options);
}
