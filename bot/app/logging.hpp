#pragma once
#include <string>

namespace bounceback::app {

// Logs go to stderr: "text" for people, "json" (one object per line) for log shippers.
void setup_logging(const std::string& format, const std::string& level);

// An info line that is written whatever log.level says: scripts wait for it
// ("listening on http://HOST:PORT").
void log_always(const std::string& line);

}  // namespace bounceback::app
