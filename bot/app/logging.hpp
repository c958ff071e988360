#pragma once
#include <string>

namespace bounceback::app {

// Logs go to stderr: "text" for people, "json" (one object per line) for log shippers.
void setup_logging(const std::string& format, const std::string& level);

}  // namespace bounceback::app
