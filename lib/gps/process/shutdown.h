#pragma once
// SIGINT/SIGTERM handling for every gps process: the handler only sets a flag; loops poll it
// between waits (all waits in the project are bounded). Thread-safe.

namespace gps::process {

void InstallShutdownHandlers();
bool ShutdownRequested();
void RequestShutdown();

}  // namespace gps::process
