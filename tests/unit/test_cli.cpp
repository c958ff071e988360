#include <catch2/catch.hpp>

#include "bot/app/cli.hpp"
#include "tests/fakes/daemon_process.hpp"

using namespace bounceback;
using Command = app::CommandLine::Command;

TEST_CASE("the command line of CONTRACT.md parses", "[cli]") {
  auto run = app::parse_command_line({"run", "--config", "my.yaml", "--set", "a.b=1", "--set=c=2"});
  CHECK(run.command == Command::run);
  CHECK(run.config_path == "my.yaml");
  CHECK(run.overrides == std::vector<std::string>{"a.b=1", "c=2"});

  CHECK(app::parse_command_line({}).command == Command::help);
  CHECK(app::parse_command_line({"--help"}).command == Command::help);
  CHECK(app::parse_command_line({"--version"}).command == Command::version);
  CHECK(app::parse_command_line({"run"}).config_path == "config/bounceback.yaml");

  auto check = app::parse_command_line({"check", "dialogs/menu.yaml", "dialogs/accept.yaml"});
  CHECK(check.command == Command::check);
  CHECK(check.paths.size() == 2);

  auto backup = app::parse_command_line({"backup", "--config=x.yaml", "out.db"});
  CHECK(backup.command == Command::backup);
  CHECK(backup.paths == std::vector<std::string>{"out.db"});
}

TEST_CASE("command line mistakes are named", "[cli]") {
  CHECK(app::parse_command_line({"serve"}).error == "unknown command \"serve\"");
  CHECK(app::parse_command_line({"run", "--verbose"}).error == "unknown option \"--verbose\"");
  CHECK(app::parse_command_line({"run", "--config"}).error == "--config needs a FILE");
  CHECK(app::parse_command_line({"backup"}).error == "backup needs one OUT.db");
  CHECK(app::parse_command_line({"graph"}).error == "graph needs one FILE.yaml");
}

TEST_CASE("the binary answers --version, --help and check", "[cli]") {
  auto version = testing::run_command({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.output, Catch::StartsWith("bounceback "));

  auto help = testing::run_command({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Catch::Contains("bounceback run"));

  auto clean = testing::run_command({"check", "--config", testing::DaemonProcess::default_config()});
  CHECK(clean.exit_code == 0);

  auto bad = testing::run_command(
      {"check", "--config", testing::DaemonProcess::default_config(), "--set", "http.listen=nowhere"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Catch::Contains("--set http.listen: error: http.listen: expected HOST:PORT"));

  auto wrong = testing::run_command({"frobnicate"});
  CHECK(wrong.exit_code == 2);
}
