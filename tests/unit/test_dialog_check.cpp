#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "bot/dialog/dialog_loader.hpp"
#include "tests/fakes/daemon_process.hpp"

using namespace bounceback;

TEST_CASE("bounceback check finds each broken fixture's error at its exact FILE:LINE:COL", "[dialog][check]") {
  // Each fixture's first line says what check must report: "# expect: LINE:COL: MESSAGE..."
  std::string folder = BOUNCEBACK_SOURCE_DIR "/tests/fixtures/dialogs/broken";
  int fixtures = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::string file = entry.path().string();
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    REQUIRE(first.rfind("# expect: ", 0) == 0);
    std::string expected = first.substr(10);
    std::string where = expected.substr(0, expected.find(": "));
    std::string message = expected.substr(expected.find(": ") + 2);

    auto result = testing::run_command({"check", file});
    INFO(file << "\n" << result.output);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.output, Catch::Contains(file + ":" + where + ": error: " + message));
    CHECK_THAT(result.output, Catch::Contains("1 error(s)"));  // one mistake, one message
    ++fixtures;
  }
  CHECK(fixtures >= 15);
}

TEST_CASE("the shipped dialogs are clean", "[dialog][check]") {
  auto result = testing::run_command({"check", "--config", testing::DaemonProcess::default_config(), "dialogs"});
  INFO(result.output);
  CHECK(result.exit_code == 0);
}

TEST_CASE("each strategy tree has at least 8 nodes and several paths", "[dialog]") {
  auto loaded = dialog::load_dialogs({BOUNCEBACK_SOURCE_DIR "/dialogs"});
  REQUIRE(loaded.ok());
  for (const char* id : {"accept", "self_care", "coping", "one_step", "get_help"}) {
    const dialog::DialogTree* tree = loaded.set.tree(id);
    REQUIRE(tree);
    INFO(id);
    CHECK(tree->nodes.size() >= 8);
    int forks = 0;
    for (const auto& [name, node] : tree->nodes) forks += node.choices.size() > 1 || node.arms.size() > 1;
    CHECK(forks >= 2);
  }
}

TEST_CASE("graph prints the tree as Graphviz DOT", "[dialog][graph]") {
  auto result = testing::run_command({"graph", "dialogs/accept.yaml"});
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.output, Catch::StartsWith("digraph \"accept\" {"));
  CHECK_THAT(result.output, Catch::Contains("\"ready\" -> \"ask_worry\" [label=\"Let's try it\"]"));
  CHECK_THAT(result.output, Catch::Contains("shape=doublecircle"));  // end nodes
  CHECK_THAT(result.output, Catch::Contains("\"menu.menu\" [shape=box, style=dashed"));  // another tree
  auto broken = testing::run_command({"graph", BOUNCEBACK_SOURCE_DIR "/tests/fixtures/dialogs/broken/dead_end.yaml"});
  CHECK(broken.exit_code == 1);
}

TEST_CASE("a dialog folder without a node the group coach says is reported", "[dialog][check][groups]") {
  testing::TempDir dir;
  for (const auto& entry : std::filesystem::directory_iterator(BOUNCEBACK_SOURCE_DIR "/dialogs"))
    if (entry.path().extension() == ".yaml") std::filesystem::copy_file(entry.path(), dir.path() + "/" + entry.path().filename().string());
  std::string groups = dir.path() + "/groups.yaml";
  std::ifstream in(groups);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // Rename the node a check-in's counts are said with, in its entries and its definition.
  for (const std::string from : {"checkin, tally,", "\n  tally:"}) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), from == "checkin, tally," ? "checkin, counts," : "\n  counts:");
  }
  std::ofstream(groups) << text;
  auto result = testing::run_command({"check", dir.path()});
  INFO(result.output);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.output, Catch::Contains("bounceback needs a node 'tally' in groups.yaml"));
}
