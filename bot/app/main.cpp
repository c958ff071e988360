// bounceback: the command line entry point. Each command is a few lines here; the work
// lives in bot/app (run), bot/store (backup) and, later, bot/dialog (check, graph).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "bot/app/cli.hpp"
#include "bot/app/config_error.hpp"
#include "bot/app/config_loader.hpp"
#include "bot/app/dialog_files.hpp"
#include "bot/dialog/dialog_graph.hpp"
#include "bot/safety/safety_corpus.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/safety/safety_trainer.hpp"
#include "bot/understand/intent_classifier.hpp"
#include "bot/understand/intent_trainer.hpp"
#include "bot/app/logging.hpp"
#include "bot/app/daemon.hpp"
#include "bot/app/version.hpp"
#include "bot/store/sqlite_backup.hpp"
#include "bot/store/store_error.hpp"

using namespace bounceback;

namespace {

int print_config_errors(const app::ConfigError& e) {
  for (const auto& line : e.diagnostics()) std::cerr << line << '\n';
  return 1;
}

// Prints each problem as FILE:LINE:COL: error: ...; returns how many there were.
int print_diagnostics(const std::vector<core::Diagnostic>& problems) {
  for (const auto& d : problems) std::cerr << d.to_string() << '\n';
  return static_cast<int>(problems.size());
}

// safety-train [--cross-validate K] and safety-eval POSITIVES NEGATIVES.
int run_safety_command(const app::CommandLine& cl) {
  using Command = app::CommandLine::Command;
  try {
    app::Config config = app::load_config(cl.config_path, cl.overrides);
    std::vector<core::Diagnostic> problems;
    // Training reads the policy without a model: the model is what it makes.
    safety::LoadOptions options;
    options.load_model = cl.command == Command::safety_eval;
    auto policy = safety::load_safety_policy(config.safety_file, problems, options);
    if (print_diagnostics(problems) > 0) return 1;
    if (cl.command == Command::safety_train) {
      if (cl.cross_validate) std::cout << safety::cross_validate(policy, cl.cross_validate, {});
      else std::cout << safety::train_policy_model(policy, {}) << '\n';
      return 0;
    }
    auto positives = safety::read_corpus_file(cl.paths[0], problems);
    auto negatives = safety::read_corpus_file(cl.paths[1], problems);
    if (print_diagnostics(problems) > 0) return 1;
    // A plain line counts by its file; a labelled line by its label (ok_*: everyday), so
    // one labelled file may hold both.
    std::vector<safety::CorpusLine> crisis, everyday;
    for (auto* set : {&positives, &negatives})
      for (auto& line : *set) {
        bool is_crisis = line.label.empty() ? set == &positives : line.crisis();
        (is_crisis ? crisis : everyday).push_back(std::move(line));
      }
    if (cl.sweep) {
      std::cout << safety::sweep_thresholds(policy, crisis, everyday);
      return 0;
    }
    std::string listing;
    auto evaluation = safety::evaluate(policy, crisis, everyday, cl.list ? &listing : nullptr);
    std::cout << listing << evaluation.report();
    return 0;
  } catch (const app::ConfigError& e) {
    return print_config_errors(e);
  } catch (const std::exception& e) {
    std::cerr << "bounceback: " << e.what() << '\n';
    return 1;
  }
}

// understand-train [--cross-validate K] and understand-eval FILE, for the examples in the
// dialogs folder's understand/.
int run_understand_command(const app::CommandLine& cl) {
  using Command = app::CommandLine::Command;
  try {
    app::Config config = app::load_config(cl.config_path, cl.overrides);
    std::string folder = app::understand_folder(config.dialogs);
    if (cl.command == Command::understand_train) {
      if (cl.cross_validate) std::cout << understand::cross_validate_intents(folder, cl.cross_validate);
      else std::cout << understand::train_intent_model(folder) << '\n';
      return 0;
    }
    if (auto problem = understand::model_problem(folder)) return print_diagnostics({*problem});
    std::vector<core::Diagnostic> problems;
    auto lines = understand::read_labelled_file(cl.paths[0], problems);
    if (print_diagnostics(problems) > 0) return 1;
    auto model = understand::IntentClassifier::load(understand::model_path(folder));
    std::cout << understand::evaluate_intents(*model, lines);
    return 0;
  } catch (const app::ConfigError& e) {
    return print_config_errors(e);
  } catch (const std::exception& e) {
    std::cerr << "bounceback: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  app::CommandLine cl = app::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
  using Command = app::CommandLine::Command;
  switch (cl.command) {
    case Command::help:
      std::cout << app::usage();
      return 0;
    case Command::version:
      std::cout << "bounceback " << app::kVersion << '\n';
      return 0;
    case Command::invalid:
      std::cerr << "bounceback: " << cl.error << "\n\n" << app::usage();
      return 2;
    case Command::graph: {
      auto diagnostics = app::check_dialog_paths(cl.paths);
      for (const auto& d : diagnostics) std::cerr << d.to_string() << '\n';
      if (!diagnostics.empty()) return 1;
      auto folder = std::filesystem::path(cl.paths[0]).parent_path();
      auto loaded = dialog::load_dialogs({folder.empty() ? "." : folder.string()});
      auto id = std::filesystem::path(cl.paths[0]).stem().string();
      const dialog::DialogTree* tree = loaded.set.tree(id);
      if (!tree) {
        std::cerr << cl.paths[0] << ":1:1: error: not a dialog file\n";
        return 1;
      }
      std::cout << dialog::to_dot(*tree, loaded.set);
      return 0;
    }
    case Command::check: {
      // The config first; then the dialogs given, or the config's dialogs folder.
      std::vector<std::string> paths = cl.paths;
      int errors = 0;
      std::string main_safety_file;
      try {
        app::Config config = app::load_config(cl.config_path, cl.overrides);
        main_safety_file = config.safety_file;
        if (paths.empty()) {
          paths.push_back(config.dialogs);
          std::vector<core::Diagnostic> safety_problems;
          safety::load_safety_policy(config.safety_file, safety_problems);
          errors += print_diagnostics(safety_problems);
          if (safety_problems.empty()) paths.push_back(config.safety_file);  // reported as checked
        }
      } catch (const app::ConfigError& e) {
        print_config_errors(e);
        errors += static_cast<int>(e.diagnostics().size());
      }
      std::vector<std::string> dialog_paths;
      for (const auto& p : paths) {
        // A safety file given on the command line (config/safety/*.yaml) is checked as one;
        // a language or resources file through the config's main safety file, which reads it.
        if (p.find("safety/") != std::string::npos && std::filesystem::is_regular_file(p)) {
          std::string file = p;
          if (!safety::is_main_safety_file(p) && !main_safety_file.empty()) file = main_safety_file;
          std::vector<core::Diagnostic> safety_problems;
          safety::load_safety_policy(file, safety_problems);
          errors += print_diagnostics(safety_problems);
        } else if (p.find("safety/") == std::string::npos) {
          dialog_paths.push_back(p);
        }
      }
      for (const auto& d : app::check_dialog_paths(dialog_paths)) {
        std::cerr << d.to_string() << '\n';
        ++errors;
      }
      if (errors > 0) {
        std::cerr << errors << " error(s)\n";
        return 1;
      }
      std::cout << "ok: " << cl.config_path;
      for (const auto& p : paths) std::cout << ", " << p;
      std::cout << '\n';
      return 0;
    }
    case Command::backup:
      try {
        app::Config config = app::load_config(cl.config_path, cl.overrides);
        store::backup_database(config.database_path(), cl.paths[0]);
        std::cout << "backed up " << config.database_path() << " to " << cl.paths[0] << '\n';
        return 0;
      } catch (const app::ConfigError& e) {
        return print_config_errors(e);
      } catch (const store::StoreError& e) {
        std::cerr << "bounceback backup: " << e.what() << '\n';
        return 1;
      }
    case Command::safety_train:
    case Command::safety_eval:
      return run_safety_command(cl);
    case Command::understand_train:
    case Command::understand_eval:
      return run_understand_command(cl);
    case Command::run:
      try {
        app::Config config = app::load_config(cl.config_path, cl.overrides);
        app::setup_logging(config.log_format, config.log_level);
        spdlog::info("bounceback {} starting with {}", app::kVersion, config.source);
        return app::run_daemon(config);
      } catch (const app::ConfigError& e) {
        return print_config_errors(e);
      }
  }
  return 2;
}
