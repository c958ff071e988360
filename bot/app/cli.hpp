#pragma once
#include <optional>
#include <string>
#include <vector>

namespace bounceback::app {

// The command line of CONTRACT.md, parsed; nothing is run here.
struct CommandLine {
  enum class Command { run, check, graph, backup, version, help, invalid };
  Command command = Command::help;
  std::string config_path = "config/bounceback.yaml";
  std::vector<std::string> overrides;  // --set KEY=VALUE
  std::vector<std::string> paths;      // check: paths; graph: the tree; backup: OUT.db
  std::string error;                   // invalid: what was wrong
};

CommandLine parse_command_line(const std::vector<std::string>& args);
std::string usage();

}  // namespace bounceback::app
