#include <catch2/catch.hpp>

#include <fstream>

#include "bot/app/cli.hpp"
#include "tests/fakes/daemon_process.hpp"

using namespace bounceback;
using Command = app::CommandLine::Command;

TEST_CASE("the command line the README documents parses", "[cli]") {
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
  CHECK(app::parse_command_line({"safety-eval", "pos.txt"}).error == "safety-eval needs two files: POSITIVES NEGATIVES");
  CHECK(app::parse_command_line({"safety-train", "--cross-validate", "1"}).error ==
        "--cross-validate needs a number of folds from 2 to 20");
  CHECK(app::parse_command_line({"safety-train", "--cross-validate=x"}).error ==
        "--cross-validate needs a number of folds from 2 to 20");
  CHECK(app::parse_command_line({"safety-train", "corpus"}).error == "safety-train takes no paths");
  // --list belongs to safety-eval only.
  CHECK(app::parse_command_line({"run", "--list"}).error == "unknown option \"--list\"");
  auto eval = app::parse_command_line({"safety-eval", "--list", "a.txt", "b.txt"});
  CHECK(eval.command == Command::safety_eval);
  CHECK(eval.list);
  CHECK(eval.paths == std::vector<std::string>{"a.txt", "b.txt"});
  CHECK(app::parse_command_line({"safety-eval", "--sweep", "a.txt", "b.txt"}).sweep);
  CHECK(app::parse_command_line({"safety-eval", "--sweep", "--list", "a.txt", "b.txt"}).error ==
        "--list and --sweep do not go together");
  CHECK(app::parse_command_line({"safety-train", "--cross-validate", "5"}).cross_validate == 5);
  CHECK(app::parse_command_line({"understand-train", "examples"}).error == "understand-train takes no paths");
  CHECK(app::parse_command_line({"understand-train", "--cross-validate", "30"}).error ==
        "--cross-validate needs a number of folds from 2 to 20");
  CHECK(app::parse_command_line({"understand-train", "--cross-validate=4"}).cross_validate == 4);
  CHECK(app::parse_command_line({"understand-eval"}).error == "understand-eval needs one FILE of INTENT<TAB>TEXT lines");
  CHECK(app::parse_command_line({"understand-eval", "--list", "held.tsv"}).error == "unknown option \"--list\"");
}

TEST_CASE("understand-eval names a malformed line and scores the shipped model on a well-formed file", "[cli][understanding]") {
  testing::TempDir dir;
  std::string bad = dir.path() + "/bad.tsv";
  std::ofstream(bad) << "sad\tso low today\nno tab on this line\n";
  auto eval = testing::run_command({"understand-eval", "--config", testing::DaemonProcess::default_config(), bad});
  CHECK(eval.exit_code == 1);
  CHECK_THAT(eval.output, Catch::Contains(bad + ":2:1: error: a line is INTENT<TAB>TEXT"));

  std::string good = dir.path() + "/good.tsv";
  std::ofstream(good) << "sad\tI feel sad\nthanks\tthank you so much\n";
  auto ok = testing::run_command({"understand-eval", "--config", testing::DaemonProcess::default_config(), good});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.output, Catch::Contains("of 2), top-3"));
}

TEST_CASE("safety-eval names a malformed line, then check reads a language file through its main file", "[cli][safety]") {
  testing::TempDir dir;
  std::string bad = dir.path() + "/bad.tsv";
  std::ofstream(bad) << "suicide_intent\ten\ti want to die\nsuicide_intent\tonly two fields\n";
  auto eval = testing::run_command({"safety-eval", "--config", testing::DaemonProcess::default_config(), bad, "/dev/null"});
  CHECK(eval.exit_code == 1);
  CHECK_THAT(eval.output, Catch::Contains(bad + ":2:1: error: a labelled line is LABEL<TAB>LANG<TAB>TEXT"));

  // --sweep: the figures as the ask threshold moves, for a split of one's own.
  std::string good = dir.path() + "/good.tsv";
  std::ofstream(good) << "suicide_intent\ten\ti want to die\nok_everyday\ten\ti went for a walk\n";
  auto sweep = testing::run_command({"safety-eval", "--config", testing::DaemonProcess::default_config(), "--sweep", good, "/dev/null"});
  CHECK(sweep.exit_code == 0);
  CHECK_THAT(sweep.output, Catch::Contains("threshold  recall  false positives"));
  CHECK_THAT(sweep.output, Catch::Contains("     0.90  100.0%             0.0%"));

  // A language file on its own has no resources: check reads it through en.yaml, clean.
  auto pack = testing::run_command(
      {"check", "--config", testing::DaemonProcess::default_config(), BOUNCEBACK_SOURCE_DIR "/config/safety/de.yaml"});
  CHECK(pack.exit_code == 0);
  CHECK_THAT(pack.output, !Catch::Contains("error"));
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
