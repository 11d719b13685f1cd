// gps-device-client: on a gateway's first boot, get its credentials. Announce, wait for an
// operator's approval, receive the sealed bundle, write the files, restart services, ack, exit.
// main() only composes: config, identity (key, MAC, transport key), then the client loop.
// Exit codes: provisioner.h (ExitCode) and README.md.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "device-client/bundle_files.h"
#include "device-client/certificate_key_store.h"
#include "device-client/client_loop.h"
#include "device-client/client_settings.h"
#include "device-client/device_key.h"
#include "device-client/dry_run.h"
#include "device-client/mac_address.h"
#include "device-client/provisioner.h"
#include "device-client/transport_key_store.h"
#include "gps/core/clock.h"
#include "gps/crypto/keys.h"
#include "gps/crypto/x509.h"
#include "gps/log/log.h"
#include "gps/process/shutdown.h"

namespace gc = gps::device_client;

namespace {

int Code(gc::ExitCode code) { return static_cast<int>(code); }

bool MarkerExists(const std::string& output_dir) {
  struct stat st {};
  std::string path = output_dir + "/" + gc::kMarkerFile;
  return ::stat(path.c_str(), &st) == 0;
}

void LoadConfigOrExit(gps::config::Table& table, int argc, char** argv) {
  std::vector<std::string> args =
      gc::ApplyFlagAliases(std::vector<std::string>(argv + 1, argv + argc));
  std::vector<char*> rewritten;
  rewritten.push_back(argv[0]);
  for (std::string& a : args) {
    rewritten.push_back(a.data());
  }
  rewritten.push_back(nullptr);
  gps::config::LoadOrExit(table, static_cast<int>(rewritten.size() - 1), rewritten.data());
}

// What became of a kept key at start-up. replaced_means: what a replaced key costs.
void LogKeptKey(const std::string& what, gc::KeptKeyOrigin origin, bool fixed_mode,
                const std::string& problem, const std::string& device_id,
                const std::string& replaced_means) {
  switch (origin) {
    case gc::KeptKeyOrigin::kLoaded:
      break;
    case gc::KeptKeyOrigin::kCreated:
      gps::log::Info(what + " created", {{"device_id", device_id}});
      break;
    case gc::KeptKeyOrigin::kReplacedCorrupt:
      gps::log::Error(what + " file unreadable; replaced by a new key (" + replaced_means + ")",
                      {{"device_id", device_id}, {"err", problem}});
      break;
  }
  if (fixed_mode) {
    gps::log::Warn(what + " file was readable by others; its mode is now 0600",
                   {{"device_id", device_id}});
  }
}

// Reads, never creates: kept keys that exist are used, missing ones replaced by throw-away keys.
int DryRun(const gc::ClientConfig& config, const gc::DeviceKey& device, const gc::MacSource& mac) {
  auto fail = [&](const std::string& what, const gps::Status& st) {
    gps::log::Error(what, {{"device_id", device.device_id}, {"err", st.ToString()}});
    return Code(gc::ExitCode::kFailure);
  };
  gps::Result<std::optional<gps::crypto::TransportKeyPair>> kept =
      gc::PeekTransportKey(config.state_dir);
  if (!kept.ok()) {
    return fail("cannot read the transport key", kept.status());
  }
  gc::DryRunFacts facts{mac.interface, kept->has_value(), false};
  std::optional<gps::crypto::TransportKeyPair> transport = std::move(kept).value();
  if (!transport) {
    gps::Result<gps::crypto::TransportKeyPair> fresh = gps::crypto::TransportKeyPair::Generate();
    if (!fresh.ok()) {
      return fail("cannot make a transport key", fresh.status());
    }
    transport.emplace(std::move(fresh).value());
  }
  std::optional<gps::crypto::PrivateKey> certificate_key;
  std::string csr;
  if (config.send_csr) {
    gps::Result<std::optional<gps::crypto::PrivateKey>> kept_key =
        gc::PeekCertificateKey(config.state_dir);
    if (!kept_key.ok()) {
      return fail("cannot read the certificate key", kept_key.status());
    }
    facts.certificate_kept = kept_key->has_value();
    certificate_key = std::move(kept_key).value();
    if (!certificate_key) {
      gps::Result<gps::crypto::PrivateKey> fresh = gps::crypto::PrivateKey::GenerateEcdsaP256();
      if (!fresh.ok()) {
        return fail("cannot make a certificate key", fresh.status());
      }
      certificate_key.emplace(std::move(fresh).value());
    }
    gps::Result<std::string> made = gps::crypto::MakeCsrPem(*certificate_key, "");
    if (!made.ok()) {
      return fail("cannot make the CSR", made.status());
    }
    csr = std::move(made).value();
  }
  gps::SystemClock wall;
  gps::Result<std::string> report =
      gc::DescribeDryRun(config,
                         gc::ClientIdentity{device, mac.mac, *transport,
                                            certificate_key ? &*certificate_key : nullptr, csr},
                         facts, wall.Now().ms);
  if (!report.ok()) {
    return fail("cannot describe the dry run", report.status());
  }
  std::printf("%s\n", report->c_str());
  return Code(gc::ExitCode::kProvisioned);
}

}  // namespace

int main(int argc, char** argv) {
  gc::ClientConfig config;
  gps::config::Table table(gc::kProgramName,
                           "gets this gateway its credentials: announce, wait for approval, "
                           "install the sealed bundle, restart services, acknowledge");
  gc::AddClientSettings(table, &config);
  LoadConfigOrExit(table, argc, argv);
  gps::process::InitLogging(gc::kProgramName, config.log);
  gps::process::InstallShutdownHandlers();

  if (MarkerExists(config.output_dir) && !config.dry_run) {
    // Leftover kept keys (a crash between the marker and their removal) have no use left.
    (void)gc::RemoveTransportKey(config.state_dir);
    (void)gc::RemoveCertificateKey(config.state_dir);
    gps::log::Info("already provisioned", {{"dir", config.output_dir}});
    return Code(gc::ExitCode::kProvisioned);
  }

  gps::Result<gc::DeviceKey> device =
      gc::LoadDeviceKey(config.key_path, config.generate_key && !config.dry_run);
  if (!device.ok()) {
    std::string hint = device.status().IsNotFound()
                           ? "; start after mender-authd has created the key, or pass "
                             "--generate-key on a demo image"
                           : "";
    gps::log::Error("cannot load the device key",
                    {{"path", config.key_path}, {"err", device.status().ToString() + hint}});
    return Code(gc::ExitCode::kConfiguration);
  }

  gps::Result<gc::MacSource> mac = gc::ResolveMac(config.mac, config.interface);
  if (!mac.ok()) {
    gps::log::Error("cannot determine the MAC address",
                    {{"device_id", device->device_id}, {"err", mac.status().ToString()}});
    return Code(gc::ExitCode::kConfiguration);
  }

  if (config.dry_run) {
    return DryRun(config, *device, *mac);
  }

  gps::Result<gc::LoadedTransportKey> transport = gc::LoadOrCreateTransportKey(config.state_dir);
  if (!transport.ok()) {
    gps::log::Error("cannot load or create the transport key",
                    {{"device_id", device->device_id},
                     {"dir", config.state_dir},
                     {"err", transport.status().ToString()}});
    return Code(gc::ExitCode::kFailure);
  }
  LogKeptKey("transport key", transport->origin, transport->fixed_mode, transport->problem,
             device->device_id, "credentials already sealed to the old one cannot be opened");

  std::optional<gc::LoadedCertificateKey> certificate;
  if (config.send_csr) {
    gps::Result<gc::LoadedCertificateKey> loaded = gc::LoadOrCreateCertificateKey(config.state_dir);
    if (!loaded.ok()) {
      gps::log::Error("cannot load or create the certificate key",
                      {{"device_id", device->device_id},
                       {"dir", config.state_dir},
                       {"err", loaded.status().ToString()}});
      return Code(gc::ExitCode::kFailure);
    }
    certificate.emplace(std::move(loaded).value());
    LogKeptKey("certificate key", certificate->origin, certificate->fixed_mode,
               certificate->problem, device->device_id,
               "a certificate already signed for the old key will be refused");
  }

  // The check code and fingerprint are what an operator compares with the UI before approving.
  gps::log::Info("starting",
                 {{"device_id", device->device_id},
                  {"check_code", device->check_code},
                  {"fingerprint", device->fingerprint},
                  {"key_type", std::string(gps::crypto::KeyTypeName(device->key.type()))},
                  {"key_generated", device->generated ? "true" : "false"},
                  {"mac", mac->mac},
                  {"interface", mac->interface.empty() ? "(configured)" : mac->interface},
                  {"broker", config.mqtt_uri},
                  {"cert_mode", config.cert_mode}});

  gps::SystemClock wall;
  gc::MonotonicClock monotonic;
  gc::ClientLoop loop(config,
                      gc::ClientIdentity{*device, mac->mac, transport->key,
                                         certificate ? &certificate->key : nullptr,
                                         certificate ? certificate->csr_pem : ""},
                      wall, monotonic);
  const int code = Code(loop.Run());
  // Everything is on disk and in the log, and the broker connection is closed. A one-shot program
  // ends here without freeing the Paho client (the loop's) or running the library destructors and
  // exit handlers of Paho C and OpenSSL: their teardown races the threads Paho leaves behind
  // (seen as heap corruption after a finished provisioning, about once in a few hundred runs).
  std::fflush(nullptr);
  ::_exit(code);
}
