// Whole conversations through the real daemon over the websocket: the transcript fixtures
// (one per strategy), a restart in the middle of a dialog, and SIGHUP reloads.
#include <catch2/catch.hpp>
#include <signal.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/test_clock.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

std::string describe(const std::vector<json>& frames) {
  std::string out;
  for (const auto& f : frames) out += "  [" + f.value("kind", "") + "] " + f.value("text", "") + "\n";
  return out;
}

// One fragment, or a list of alternatives: whether the text holds it (one of them).
bool holds(const YAML::Node& fragment, const std::string& text) {
  std::vector<std::string> options;
  if (fragment.IsSequence()) options = fragment.as<std::vector<std::string>>();
  else options.push_back(fragment.as<std::string>());
  for (const auto& o : options)
    if (text.find(o) != std::string::npos) return true;
  return false;
}

// Checks one expected message: kind (default reply), a text fragment (or any of several),
// every fragment of contains_all (one message per answer: its paragraphs), choice ids.
void check_message(const YAML::Node& expected, const json& frame) {
  std::string kind = expected["kind"] ? expected["kind"].as<std::string>() : "reply";
  CHECK(frame["kind"] == kind);
  std::string text = frame["text"];
  INFO("text: " << text);
  if (const auto contains = expected["contains"]) CHECK(holds(contains, text));
  if (const auto all = expected["contains_all"])
    for (const auto& fragment : all) {
      INFO("expected: " << YAML::Dump(fragment));
      CHECK(holds(fragment, text));
    }
  if (const auto choices = expected["choices"]) {
    std::vector<std::string> ids;
    for (const auto& c : frame["choices"]) ids.push_back(c["id"]);
    CHECK(ids == choices.as<std::vector<std::string>>());
  }
}

void run_transcript(const std::string& file) {
  TempDir data;
  // A script answers as fast as the daemon does, past the 20 frames a second a person may send.
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.rate_limit=0"});
  WsTestClient client(daemon.port());
  YAML::Node script = YAML::LoadFile(file);
  int step_number = 0;
  for (const auto& step : script["steps"]) {
    ++step_number;
    std::string id = "s" + std::to_string(step_number);
    std::vector<json> got;
    if (step_number == 1) {
      client.hello();
      got = read_backlog(client);
    } else if (step["text"]) {
      got = answer(client, text(step["text"].as<std::string>()), id);
    } else {
      got = answer(client, tap(step["choice"].as<std::string>()), id);
    }
    const YAML::Node expected = step["expect"];
    INFO(file << " step " << step_number << " got:\n" << describe(got));
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) check_message(expected[i], got[i]);
  }
}

}  // namespace

TEST_CASE("transcript: onboarding, start to end", "[transcript]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/onboarding.yaml");
}
TEST_CASE("transcript: accept the situation", "[transcript]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/accept.yaml");
}
TEST_CASE("transcript: self-care check-in", "[transcript]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/self_care.yaml");
}
TEST_CASE("transcript: healthy coping and the path to a professional", "[transcript]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/coping.yaml");
}
TEST_CASE("transcript: one step at a time", "[transcript]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/one_step.yaml");
}
TEST_CASE("transcript: get help", "[transcript]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/get_help.yaml");
}

TEST_CASE("transcript: typed words heard (feelings, a step done in words, not sure, moods)", "[transcript][listening]") {
  run_transcript(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/transcripts/listening.yaml");
}

TEST_CASE("killed mid-dialog and restarted, the next answer continues the same dialog", "[conversation][lifecycle]") {
  TempDir data;
  std::string token;
  {
    DaemonProcess daemon(data.path());
    WsTestClient client(daemon.port());
    token = client.hello()["token"];
    read_backlog(client);
    answer(client, text("menu"), "m");
    answer(client, tap("get_help"), "g");
    auto asked = answer(client, tap("friends"), "f");
    CHECK_THAT(asked.back()["text"].get<std::string>(), Catch::Contains("first message"));
    daemon.kill_hard();  // no goodbye, no flush: only what was committed survives
  }
  DaemonProcess daemon(data.path());
  WsTestClient client(daemon.port());
  client.hello(token);
  read_backlog(client);
  auto next = answer(client, tap("yes"), "y");
  REQUIRE(next.size() == 1);
  CHECK_THAT(next[0]["text"].get<std::string>(), Catch::Contains("Who would you like to write to?"));
}

TEST_CASE("SIGHUP reloads the dialogs, then a broken set keeps the old one, then a vanished node leads to the menu",
          "[conversation][reload]") {
  TempDir data, dialogs;
  std::filesystem::copy(BOUNCEBACK_SOURCE_DIR "/dialogs", dialogs.path(), std::filesystem::copy_options::recursive);
  DaemonProcess daemon(data.path(), {"--set", "dialogs=" + dialogs.path()});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  answer(client, text("menu"), "m");
  answer(client, tap("accept"), "a");  // now at accept.ready

  // A broken file: the reload is refused and the conversation goes on as before.
  std::string accept = dialogs.path() + "/accept.yaml";
  std::string original;
  {
    std::ifstream in(accept);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(accept) << "start: nowhere\nnodes:\n  only:\n    say: \"x\"\n";
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(daemon.wait_for_log(std::regex("still running the ones loaded before"), std::chrono::seconds(10)));
  CHECK_THAT(daemon.log(), Catch::Contains("accept.yaml:1:8: error: start: there is no node 'nowhere'"));
  auto same = answer(client, tap("yes"), "y");
  CHECK_THAT(same.back()["text"].get<std::string>(), Catch::Contains("What's weighing on you"));

  // A good set without the node the person is at: they are told, and taken to the menu.
  std::string renamed = original;
  for (std::string from : {"ask_worry"}) {
    for (auto pos = renamed.find(from); pos != std::string::npos; pos = renamed.find(from, pos + 1))
      renamed.replace(pos, from.size(), "name_worry");
  }
  std::ofstream(accept) << renamed;
  ::kill(daemon.pid(), SIGHUP);
  // Not just "SIGHUP: reloaded": the first signal already logged "reloaded the safety lists".
  REQUIRE(daemon.wait_for_log(std::regex("SIGHUP: reloaded [0-9]+ conversation trees"), std::chrono::seconds(10)));
  auto moved = answer(client, text("my exam"), "w");
  REQUIRE(moved.size() == 1);  // the word about the update and the menu, one message
  CHECK_THAT(moved[0]["text"].get<std::string>(), Catch::Contains("updated my conversations"));
  CHECK(moved.back()["choices"].size() == 9);  // the menu
}

TEST_CASE("a celebrated step survives kill -9 and is never celebrated twice", "[conversation][lifecycle][goals]") {
  TempDir data;
  std::string token;
  {
    DaemonProcess daemon(data.path());
    WsTestClient client(daemon.port());
    token = client.hello()["token"];
    read_backlog(client);
    for (const char* command : {"/goal Sleep better", "/step no coffee after 2pm", "/step lights out at 23:00"}) {
      answer(client, text(command), command);
    }
    auto celebrated = answer(client, text("/done 1"), "d");
    REQUIRE_FALSE(celebrated.empty());
    CHECK(celebrated.front()["kind"] == "celebration");  // received means committed
    daemon.kill_hard();
  }
  DaemonProcess daemon(data.path());
  WsTestClient client(daemon.port());
  client.hello(token);
  read_backlog(client);
  auto list = answer(client, text("/steps"), "s");
  CHECK_THAT(list.front()["text"].get<std::string>(), Catch::Contains("1. ✓ no coffee after 2pm"));
  CHECK(list.front()["choices"].size() == 1);  // only step 2 is still open
  auto again = answer(client, text("/done 1"), "again");
  CHECK(again.front()["kind"] == "reply");
  CHECK_THAT(again.front()["text"].get<std::string>(), Catch::Contains("already done"));
}

TEST_CASE("moods over a week of manual-clock days: the chart, and three low days lead to help", "[conversation][mood]") {
  TempDir data;
  DaemonProcess daemon(data.path(), manual_clock_args("2026-03-09T18:00:00Z"), {kAdminTokenEnv});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  // Monday to Wednesday good, then three low days (Thursday to Saturday).
  const char* days[] = {"2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14"};
  const int scores[] = {4, 5, 4, 2, 1, 2};
  std::vector<json> got;
  for (int d = 0; d < 6; ++d) {
    set_clock(daemon, std::string(days[d]) + "T18:00:00Z");
    got = answer(client, text("/mood " + std::to_string(scores[d])), "m" + std::to_string(d));
    REQUIRE(got.size() == 1);
    if (d < 5) CHECK(got[0]["choices"].empty());
  }
  // The third low day in a row: a gentle word towards people, with a way there.
  CHECK_THAT(got[0]["text"].get<std::string>(), Catch::Contains("low days in a row") || Catch::Contains("heavy days in a row"));
  REQUIRE(got[0]["choices"].size() == 2);
  CHECK(got[0]["choices"][0]["id"] == "reach_out");
  got = answer(client, tap("reach_out"), "help");
  REQUIRE_FALSE(got.empty());
  CHECK(got.back()["choices"].size() >= 2);  // the get help conversation's first question

  // Sunday: the last two weeks as marks, oldest first; Monday to Saturday as given, today empty.
  set_clock(daemon, "2026-03-15T18:00:00Z");
  got = answer(client, text("/mood"), "chart");
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0]["text"].get<std::string>(), Catch::Contains("\n·······▆▇▆▃▁▃·\n"));
  CHECK(got[0]["choices"].size() == 5);
}

TEST_CASE("onboarding hears answers typed instead of tapped: a zone, a time, quiet hours", "[conversation][onboarding]") {
  TempDir data;
  DaemonProcess daemon(data.path(), {"--set", "connectors.websocket.rate_limit=0"});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  answer(client, tap("agree"), "o1");
  answer(client, text("Sam"), "o2");
  // At "Set my time zone / Keep UTC", the zone itself: kept, said back, and on.
  auto zone = answer(client, text("Europe/Berlin"), "o3");
  REQUIRE(zone.size() == 1);
  CHECK_THAT(zone[0]["text"].get<std::string>(), Catch::Contains("Got it: Europe/Berlin.") && Catch::Contains("daily check-in"));
  // At "Would you like a check-in?", a time.
  auto nine = answer(client, text("9am"), "o4");
  REQUIRE(nine.size() == 1);
  CHECK_THAT(nine[0]["text"].get<std::string>(), Catch::Contains("every day at 09:00") && Catch::Contains("never message you"));
  // Words that are no answer are not taken as one.
  auto unsure = answer(client, text("hmm"), "o5");
  REQUIRE(unsure.size() == 1);
  CHECK_THAT(unsure[0]["text"].get<std::string>(), Catch::Contains("never message you"));
  auto quiet = answer(client, text("10pm-7am"), "o6");
  REQUIRE(quiet.size() == 1);
  CHECK_THAT(quiet[0]["text"].get<std::string>(), Catch::Contains("quiet 22:00-07:00") && Catch::Contains("all set"));
  auto nudges = answer(client, text("/nudges"), "o7");
  CHECK_THAT(nudges.front()["text"].get<std::string>(), Catch::Contains("09:00 (Europe/Berlin)") && Catch::Contains("22:00-07:00"));
}

TEST_CASE("back after days of silence: welcomed and asked how they have been, or heard at once", "[conversation][welcome]") {
  TempDir data;
  DaemonProcess daemon(data.path(), manual_clock_args("2026-03-09T18:00:00Z"), {kAdminTokenEnv});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  answer(client, tap("agree"), "o1");
  answer(client, text("Mira"), "o2");
  answer(client, tap("keep_zone"), "o3");
  answer(client, tap("skip"), "oc");  // no country from UTC: asked, skipped
  answer(client, tap("no"), "o4");
  auto got = answer(client, tap("no_quiet"), "o5");
  CHECK_THAT(got.front()["text"].get<std::string>(), Catch::Contains("all set"));

  // Two days later: no welcome, a greeting is just a greeting.
  set_clock(daemon, "2026-03-11T18:00:00Z");
  got = answer(client, text("hi"), "h1");
  for (const auto& f : got) CHECK_THAT(f["text"].get<std::string>(), !Catch::Contains("Welcome back") && !Catch::Contains("again"));

  // Four days of silence, then "hi": welcomed back and asked, the answer kept as a mood.
  set_clock(daemon, "2026-03-15T18:00:00Z");
  got = answer(client, text("hi"), "h2");
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0]["text"].get<std::string>(), Catch::Contains("Mira"));
  REQUIRE(got[0]["choices"].size() == 5);
  CHECK(got[0]["choices"][1]["id"] == "low");
  answer(client, tap("low"), "h3");
  got = answer(client, text("/mood"), "h4");
  CHECK_THAT(got.back()["text"].get<std::string>(), Catch::Contains("▃\n"));  // today's mark: low

  // A week away, and the first words say how they are: heard at once, no detour.
  set_clock(daemon, "2026-03-22T18:00:00Z");
  got = answer(client, text("I feel sad"), "h5");
  REQUIRE(got.size() == 1);
  CHECK(got[0]["choices"].size() == 4);  // the answer to sadness and the strategies that fit
  CHECK_THAT(got[0]["text"].get<std::string>(), !Catch::Contains("How have you been"));
}

TEST_CASE("/progress after a simulated month: this week, all of it, goals finished, the longest streak, past wins", "[conversation][progress]") {
  TempDir data;
  DaemonProcess daemon(data.path(), manual_clock_args("2026-03-02T09:00:00Z"), {kAdminTokenEnv});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  int n = 0;
  auto say = [&](const std::string& words) { return answer(client, text(words), "p" + std::to_string(++n)); };
  // Week 1: a goal of three steps, done on three days in a row (Mon-Wed): finished.
  say("/goal move flat");
  for (const char* s : {"book the van", "pack the books", "clean the oven"}) say(std::string("/step ") + s);
  const char* days[] = {"2026-03-02", "2026-03-03", "2026-03-04"};
  for (int i = 0; i < 3; ++i) {
    set_clock(daemon, std::string(days[i]) + "T18:00:00Z");
    say("/done " + std::to_string(i + 1));
  }
  // Weeks 2-4: a new goal, one step on 12 March, one on 26 March.
  set_clock(daemon, "2026-03-10T18:00:00Z");
  say("/goal settle in");
  say("/step meet the neighbours");
  say("/step find a gym");
  set_clock(daemon, "2026-03-12T18:00:00Z");
  say("/done 1");
  set_clock(daemon, "2026-03-26T18:00:00Z");
  say("/done 2");
  set_clock(daemon, "2026-03-30T18:00:00Z");
  say("menu");
  answer(client, tap("self_care"), "care");  // a strategy opened: named in the look back
  say("menu");
  auto got = answer(client, tap("progress"), "look");  // from the menu, not the command
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0]["text"].get<std::string>(), Catch::Contains("What you've turned to most: looking after yourself."));
  std::string t = got[0]["text"];
  CHECK_THAT(t, Catch::Contains("1 step crossed off this week, 5 steps in all, 2 goals finished, and your longest streak is 3 days"));
  CHECK_THAT(t, Catch::Contains("• book the van (Mon 2 Mar)"));  // the first step ever
  CHECK_THAT(t, Catch::Contains("• find a gym (Thu 26 Mar)"));   // and the newest
  CHECK(got[0]["choices"].size() == 3);
}
