#include "gps/process/shutdown.h"

#include <csignal>

#include <atomic>

namespace gps::process {

namespace {

std::atomic<bool> g_shutdown{false};

extern "C" void OnSignal(int) { g_shutdown.store(true); }

}  // namespace

void InstallShutdownHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A peer closing a socket must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

bool ShutdownRequested() { return g_shutdown.load(); }
void RequestShutdown() { g_shutdown.store(true); }

}  // namespace gps::process
