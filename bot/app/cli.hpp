#pragma once
#include <optional>
#include <string>
#include <vector>

namespace bounceback::app {

// The command line (README "Command line"), parsed; nothing is run here.
struct CommandLine {
  enum class Command { run, check, graph, backup, safety_train, safety_eval, understand_train, understand_eval, version, help, invalid };
  Command command = Command::help;
  std::string config_path = "config/bounceback.yaml";
  std::vector<std::string> overrides;  // --set KEY=VALUE
  std::vector<std::string> paths;      // check: paths; graph: the tree; backup: OUT.db; safety-eval: the two files
  int cross_validate = 0;              // safety-train, understand-train --cross-validate K
  bool list = false;                   // safety-eval --list: every line answered wrongly
  bool sweep = false;                  // safety-eval --sweep: the figures at other thresholds
  std::string error;                   // invalid: what was wrong
};

CommandLine parse_command_line(const std::vector<std::string>& args);
std::string usage();

}  // namespace bounceback::app
