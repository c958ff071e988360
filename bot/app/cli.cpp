#include "bot/app/cli.hpp"

namespace bounceback::app {

std::string usage() {
  return R"(bounceback - a coaching bot for mental resilience

usage:
  bounceback run    [--config FILE] [--set KEY=VALUE]...   run the daemon
  bounceback check  [--config FILE] [--set KEY=VALUE]... [PATH]...
                                                          validate the config (and dialogs, safety lists);
                                                          exit 0 when clean, 1 with FILE:LINE:COL errors
  bounceback graph  FILE.yaml                             print a conversation tree as Graphviz DOT
  bounceback backup [--config FILE] OUT.db                consistent copy of the live database
  bounceback safety-train [--config FILE] [--cross-validate K]
                                                          rebuild the safety classifier from its corpus
                                                          (with K: K-fold figures only, nothing written)
  bounceback safety-eval  [--config FILE] [--list | --sweep] POSITIVES NEGATIVES
                                                          recall and false positives of the safety screen
                                                          on two files, one message a line
  bounceback understand-train [--config FILE] [--cross-validate K]
                                                          rebuild the free-text classifier from the examples
                                                          in the dialogs' understand/ folder
  bounceback understand-eval  [--config FILE] FILE        its accuracy on FILE, lines INTENT<TAB>TEXT
  bounceback --version | --help

The default config is config/bounceback.yaml. --set overrides any config key and may be
repeated; VALUE is read as YAML, e.g. --set http.listen=127.0.0.1:0
)";
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  if (args.empty()) return cl;
  auto invalid = [&cl](std::string why) {
    cl.command = CommandLine::Command::invalid;
    cl.error = std::move(why);
    return cl;
  };
  const std::string& first = args[0];
  if (first == "--version" || first == "version") {
    cl.command = CommandLine::Command::version;
    return cl;
  }
  if (first == "--help" || first == "-h" || first == "help") return cl;
  if (first == "run") cl.command = CommandLine::Command::run;
  else if (first == "check") cl.command = CommandLine::Command::check;
  else if (first == "graph") cl.command = CommandLine::Command::graph;
  else if (first == "backup") cl.command = CommandLine::Command::backup;
  else if (first == "safety-train") cl.command = CommandLine::Command::safety_train;
  else if (first == "safety-eval") cl.command = CommandLine::Command::safety_eval;
  else if (first == "understand-train") cl.command = CommandLine::Command::understand_train;
  else if (first == "understand-eval") cl.command = CommandLine::Command::understand_eval;
  else return invalid("unknown command \"" + first + "\"");

  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::optional<std::string> {
      if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
      if (a == flag && i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    if (a == "--help" || a == "-h") {
      cl.command = CommandLine::Command::help;
      return cl;
    }
    if (a == "--config" || a.rfind("--config=", 0) == 0) {
      auto v = value("--config");
      if (!v) return invalid("--config needs a FILE");
      cl.config_path = *v;
    } else if (a == "--set" || a.rfind("--set=", 0) == 0) {
      auto v = value("--set");
      if (!v) return invalid("--set needs KEY=VALUE");
      cl.overrides.push_back(*v);
    } else if ((cl.command == CommandLine::Command::safety_train || cl.command == CommandLine::Command::understand_train) &&
               (a == "--cross-validate" || a.rfind("--cross-validate=", 0) == 0)) {
      auto v = value("--cross-validate");
      int k = 0;
      try {
        k = v ? std::stoi(*v) : 0;
      } catch (const std::exception&) {
      }
      if (k < 2 || k > 20) return invalid("--cross-validate needs a number of folds from 2 to 20");
      cl.cross_validate = k;
    } else if (cl.command == CommandLine::Command::safety_eval && a == "--list") {
      cl.list = true;
    } else if (cl.command == CommandLine::Command::safety_eval && a == "--sweep") {
      cl.sweep = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return invalid("unknown option \"" + a + "\"");
    } else {
      cl.paths.push_back(a);
    }
  }
  if (cl.command == CommandLine::Command::run && !cl.paths.empty())
    return invalid("run takes no paths (did you mean --config " + cl.paths[0] + "?)");
  if (cl.command == CommandLine::Command::graph && cl.paths.size() != 1) return invalid("graph needs one FILE.yaml");
  if (cl.command == CommandLine::Command::backup && cl.paths.size() != 1) return invalid("backup needs one OUT.db");
  if (cl.command == CommandLine::Command::safety_train && !cl.paths.empty()) return invalid("safety-train takes no paths");
  if (cl.list && cl.sweep) return invalid("--list and --sweep do not go together");
  if (cl.command == CommandLine::Command::safety_eval && cl.paths.size() != 2)
    return invalid("safety-eval needs two files: POSITIVES NEGATIVES");
  if (cl.command == CommandLine::Command::understand_train && !cl.paths.empty())
    return invalid("understand-train takes no paths");
  if (cl.command == CommandLine::Command::understand_eval && cl.paths.size() != 1)
    return invalid("understand-eval needs one FILE of INTENT<TAB>TEXT lines");
  return cl;
}

}  // namespace bounceback::app
