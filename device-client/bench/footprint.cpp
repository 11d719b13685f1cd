// gps-device-client footprint: the stripped binary's size and the client's peak RSS (VmHWM)
// while it waits for an operator and once it has installed a bundle, run against a Mosquitto of
// its own with the test PKI playing Vault and the engine. Prints the figures; with
// --write FILE also writes them, with the date and the machine, as docs/device-client-footprint.md.
//
//   ninja -C build device_client_footprint
//   build/device-client/device_client_footprint --write docs/device-client-footprint.md

#include <sys/utsname.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "device-client/file_writer.h"
#include "device-client/testing/test_pki.h"
#include "gps/config/config.h"
#include "gps/crypto/keys.h"
#include "gps/mqtt/client.h"
#include "gps/protocol/announce.h"
#include "gps/protocol/device_messages.h"
#include "gps/protocol/topics.h"
#include "tests/support/services.h"
#include "tests/support/subprocess.h"

namespace {

using namespace gps;
using std::chrono::milliseconds;

constexpr std::int64_t kTargetRssKb = 8 * 1024;
constexpr auto kWait = std::chrono::seconds(30);
constexpr auto kWaitingFor = std::chrono::seconds(5);

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "footprint: %s\n", why.c_str());
  std::exit(1);
}

// A "<field>: <n> kB" line of a running process's /proc status (VmHWM: peak RSS).
std::int64_t StatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  Die("no " + field + " for pid " + std::to_string(pid) + " (did the client exit?)");
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      return line.substr(line.find(':') + 2);
    }
  }
  return "unknown CPU";
}

// The next message of this kind, or a fatal error.
mqtt::Message Receive(mqtt::Client& engine, protocol::DeviceTopicKind kind) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<mqtt::Event> e = engine.Next(200);
    if (!e || e->kind != mqtt::EventKind::kMessage) {
      continue;
    }
    std::optional<protocol::ParsedDeviceTopic> t = protocol::ParseDeviceTopic(e->message.topic);
    if (t && t->kind == kind) {
      return e->message;
    }
  }
  Die("the client sent nothing in time");
}

void Publish(mqtt::Client& engine, const std::string& device_id, protocol::DeviceTopicKind kind,
             std::string payload) {
  mqtt::Message m;
  m.topic = protocol::DeviceTopic(device_id, kind);
  m.payload = std::move(payload);
  if (Status st = engine.Publish(m); !st.ok()) {
    Die("publish: " + st.ToString());
  }
}

struct Figures {
  std::uintmax_t binary_bytes = 0;
  std::uintmax_t stripped_bytes = 0;
  std::int64_t waiting_kb = 0;
  std::int64_t provisioning_kb = 0;
  std::int64_t anon_kb = 0;  // after provisioning: the process's own memory
  std::int64_t file_kb = 0;  // after provisioning: mapped files, mostly the shared libraries
  std::vector<std::pair<std::int64_t, std::string>> by_mapping;  // KiB resident, largest first
};

// Resident KiB per mapped file (the libraries by name, "[heap]", "[stack]", "(anonymous)").
std::vector<std::pair<std::int64_t, std::string>> RssByMapping(pid_t pid) {
  std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
  std::map<std::string, std::int64_t> kb;
  std::string current = "(anonymous)";
  for (std::string line; std::getline(smaps, line);) {
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    if (first == "Rss:") {
      std::int64_t value = 0;
      fields >> value;
      kb[current] += value;
    } else if (first.find('-') != std::string::npos && first.back() != ':') {
      std::string perms, offset, dev, inode, path;
      fields >> perms >> offset >> dev >> inode >> path;
      current = path.empty() ? "(anonymous)" : std::filesystem::path(path).filename().string();
    }
  }
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (const auto& [name, value] : kb) {
    out.emplace_back(value, name);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

Figures Measure(const std::string& binary) {
  testing::TempDir dir("gps-client-footprint");
  Figures f;
  f.binary_bytes = std::filesystem::file_size(binary);
  std::string stripped = dir.File("gps-device-client");
  testing::Subprocess strip("strip", {GPS_STRIP, "-o", stripped, binary},
                            {{"PATH", "/usr/bin:/bin"}}, dir.File("strip.log"));
  if (strip.Wait(kWait) != std::optional<int>(0)) {
    Die("strip failed: " + strip.Log());
  }
  f.stripped_bytes = std::filesystem::file_size(stripped);

  if (!device_client::EnsureDirectory(dir.File("broker"), 0755).ok() ||
      !device_client::EnsureDirectory(dir.File("mender"), 0700).ok()) {
    Die("cannot create the work directories");
  }
  testing::MosquittoServer broker(dir.File("broker"));
  mqtt::ClientOptions o = broker.Login(testing::kEngineAccount).ClientOptions("footprint-engine");
  o.subscriptions = {{std::string(protocol::kTopicRoot) + "/devices/+/+", 1}};
  mqtt::Client engine(o);
  if (Status st = engine.Connect(); !st.ok()) {
    Die("engine connect: " + st.ToString());
  }

  // An RSA 3072 Mender key, as a gateway's mender-authd makes by default: the largest case.
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateRsa(3072);
  Result<std::string> pem = key.ok() ? key->ToPkcs8Pem() : Result<std::string>(key.status());
  if (!pem.ok() ||
      !device_client::WriteFileAtomic(dir.File("mender"), {"mender-agent.pem", *pem, 0600}).ok()) {
    Die("cannot write the Mender key");
  }
  // The shipped transport: TLS and the bootstrap account, as on a gateway.
  std::map<std::string, std::string> env = broker.Login(testing::kBootstrapAccount).Env();
  env.insert({
      {"PATH", "/usr/sbin:/usr/bin:/bin"},
      {"GPS_CONFIG_FILE", "/dev/null"},
      {"GPS_CLIENT_KEY_PATH", dir.File("mender/mender-agent.pem")},
      {"GPS_CLIENT_MAC", "02:42:ac:11:00:02"},
      {"GPS_CLIENT_OUTPUT_DIR", dir.File("out")},
      {"GPS_CLIENT_STATE_DIR", dir.File("state")},
      {"GPS_CLIENT_RESTART_COMMAND", "true"},
      {"GPS_CLIENT_ANNOUNCE_INTERVAL_S", "1"},
  });
  testing::Subprocess client("gps-device-client", {stripped}, env, dir.File("client.log"));

  mqtt::Message m = Receive(engine, protocol::DeviceTopicKind::kAnnounce);
  Result<protocol::Announce> announce = protocol::ParseAnnounce(m.payload);
  if (!announce.ok()) {
    Die("announce: " + announce.status().ToString());
  }
  const std::string id = protocol::ParseDeviceTopic(m.topic)->device_id;
  std::this_thread::sleep_for(kWaitingFor);  // several announces and keep-alives
  f.waiting_kb = StatusKb(client.pid(), "VmHWM");

  Result<device_client::testing::BundleParts> parts =
      device_client::testing::MakeValidParts(id, "footprint", "gw-footprint-0001");
  Result<protocol::CredentialsMessage> sealed =
      parts.ok() ? device_client::testing::SealParts(*parts, announce->transport_key)
                 : Result<protocol::CredentialsMessage>(parts.status());
  if (!sealed.ok()) {
    Die("bundle: " + sealed.status().ToString());
  }
  Publish(engine, id, protocol::DeviceTopicKind::kCredentials,
          protocol::EncodeCredentials(*sealed));
  Receive(engine, protocol::DeviceTopicKind::kAck);  // the files are written and the command run
  f.provisioning_kb = StatusKb(client.pid(), "VmHWM");
  f.anon_kb = StatusKb(client.pid(), "RssAnon");
  f.file_kb = StatusKb(client.pid(), "RssFile");
  f.by_mapping = RssByMapping(client.pid());

  protocol::StatusMessage done;
  done.device_id = id;
  done.state = "provisioned";
  done.ts_ms = 1;
  Publish(engine, id, protocol::DeviceTopicKind::kStatus, protocol::EncodeStatus(done));
  if (client.Wait(kWait) != std::optional<int>(0)) {
    Die("the client did not exit 0: " + client.Log());
  }
  return f;
}

std::string Report(const Figures& f) {
  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  struct utsname u {};
  ::uname(&u);
  auto mib = [](std::int64_t kb) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(kb) / 1024);
    return std::string(text);
  };
  std::ostringstream out;
  out << "# gps-device-client footprint\n\n"
      << "Measured by `device-client/bench/footprint.cpp` (target `device_client_footprint`) on "
      << date << ", " << u.machine << " " << u.sysname << " " << u.release << ", " << CpuModel()
      << ". The client runs stripped against a local Mosquitto with an RSA 3072 Mender key; peak "
         "RSS is the kernel's VmHWM.\n\n"
      << "| figure | value |\n|---|---|\n"
      << "| binary (as built, with debug info) | " << f.binary_bytes / 1024 << " KiB |\n"
      << "| stripped binary | " << f.stripped_bytes / 1024 << " KiB |\n"
      << "| peak RSS while waiting (" << kWaitingFor.count() << " s of announces) | "
      << f.waiting_kb << " KiB (" << mib(f.waiting_kb) << ") |\n"
      << "| peak RSS through provisioning (decrypt, validate, write, restart command, ack) | "
      << f.provisioning_kb << " KiB (" << mib(f.provisioning_kb) << ") |\n"
      << "| RSS after provisioning: anonymous (heap, stacks) / file-backed (binary, libraries) | "
      << f.anon_kb << " KiB / " << f.file_kb << " KiB |\n"
      << "| target | peak RSS under " << kTargetRssKb / 1024
      << " MiB: " << (f.provisioning_kb < kTargetRssKb ? "met" : "NOT met") << " |\n\n"
      << "The binary links OpenSSL, Paho MQTT C and the C++ runtime statically (Debian's "
         "archives), drops unused sections, and packs its relocations (`-z "
         "pack-relative-relocs`, read by glibc 2.36 and later) so that the position-independent "
         "binary does not read a half-megabyte relocation table at start. Only glibc (libc, libm) "
         "stays shared. Its pages count "
         "in the RSS (the file-backed part) but are shared with every other process on the "
         "gateway, and the kernel can drop file-backed pages under pressure; the anonymous part "
         "is the client's own memory. Most of what remains is the binary's own code: OpenSSL's "
         "default provider refers to every algorithm, so libcrypto is linked almost whole, and "
         "the kernel maps the pages around each one touched. Re-measure with\n"
         "`ninja -C build device_client_footprint gps-device-client && "
         "build/device-client/device_client_footprint --write docs/device-client-footprint.md`.\n\n"
         "Resident after provisioning, by mapping (over 64 KiB):\n\n| mapping | KiB |\n|---|---|\n";
  for (const auto& [kb, name] : f.by_mapping) {
    if (kb > 64) {
      out << "| " << name << " | " << kb << " |\n";
    }
  }
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string write_to;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--write" && i + 1 < argc) {
      write_to = argv[++i];
    } else {
      Die("usage: device_client_footprint [--write FILE]");
    }
  }
  Figures f = Measure(GPS_DEVICE_CLIENT_BINARY);
  std::string report = Report(f);
  std::fputs(report.c_str(), stdout);
  if (!write_to.empty()) {
    std::ofstream out(write_to);
    out << report;
    if (!out) {
      Die("cannot write " + write_to);
    }
  }
  return f.provisioning_kb < kTargetRssKb ? 0 : 1;
}
