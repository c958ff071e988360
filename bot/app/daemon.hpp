#pragma once
#include "bot/app/config.hpp"

namespace bounceback::app {

// `bounceback run`: builds the parts (store, core, connectors, the HTTP server) on one
// io_context and runs until SIGTERM/SIGINT. Returns the process exit code.
int run_daemon(const Config& config);

}  // namespace bounceback::app
