// bounceback: the command line entry point. Each command is a few lines here; the work
// lives in bot/app (run), bot/store (backup) and, later, bot/dialog (check, graph).
#include <spdlog/spdlog.h>

#include <iostream>

#include "bot/app/cli.hpp"
#include "bot/app/config_error.hpp"
#include "bot/app/config_loader.hpp"
#include "bot/app/logging.hpp"
#include "bot/app/runtime.hpp"
#include "bot/app/version.hpp"
#include "bot/store/sqlite_backup.hpp"
#include "bot/store/store_error.hpp"

using namespace bounceback;

namespace {

int print_config_errors(const app::ConfigError& e) {
  for (const auto& line : e.diagnostics()) std::cerr << line << '\n';
  return 1;
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
    case Command::graph:
      std::cerr << "bounceback graph: this build has no dialog engine yet, so there is no tree to draw\n";
      return 2;
    case Command::check:
      try {
        app::load_config(cl.config_path, cl.overrides);
        for (const auto& path : cl.paths)
          std::cerr << path << ": note: dialog and safety files are checked once the dialog engine is in\n";
        std::cout << cl.config_path << ": ok\n";
        return 0;
      } catch (const app::ConfigError& e) {
        return print_config_errors(e);
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
