// The safety screen through the real daemon: before any dialog, with the pause after it.
#include <catch2/catch.hpp>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A copy of the shipped safety folder whose classifier never decides alone (thresholds at
// 1), so these tests follow the rules and phrase lists, whatever the model learns next.
struct RulesOnlySafety {
  TempDir dir;
  std::string file = dir.path() + "/safety/en.yaml";
  RulesOnlySafety() {
    std::filesystem::copy(BOUNCEBACK_SOURCE_DIR "/config/safety", dir.path() + "/safety",
                          std::filesystem::copy_options::recursive);
    std::string yaml = read_text(file);
    auto at = yaml.find("\nclassifier:");
    REQUIRE(at != std::string::npos);
    for (const char* key : {"\n  crisis: ", "\n  ask: ", "\n  rule_floor: "}) {  // the shipped values go
      auto line = yaml.find(key, at);
      REQUIRE(line != std::string::npos);
      yaml.insert(line + 1, "#");
    }
    yaml.insert(yaml.find("\n", at + 1) + 1, "  crisis: 1\n  ask: 1\n  rule_floor: 0\n");
    std::ofstream(file) << yaml;
  }
};

enum class Screen { rules_only, as_shipped };

std::vector<std::string> menu_args(Screen screen, const RulesOnlySafety& rules) {
  std::vector<std::string> args = {"--set", "clock.mode=manual", "--set", "defaults.country=DE"};
  if (screen == Screen::rules_only) args.insert(args.end(), {"--set", "safety.file=" + rules.file});
  return args;
}

// A person at the menu, screened by the rules alone, or as shipped (rules, phrase lists
// and the classifier).
struct AtMenu {
  RulesOnlySafety safety;
  TempDir data;
  DaemonProcess daemon;
  WsTestClient client;

  explicit AtMenu(Screen screen = Screen::rules_only)
      : daemon(data.path(), menu_args(screen, safety), {"BOUNCEBACK_ADMIN_TOKEN=t0ken"}), client(daemon.port()) {
    client.hello();
    read_backlog(client);
    answer(client, text("menu"), "m");
  }
};

std::vector<std::string> choice_ids(const json& reply) {
  std::vector<std::string> ids;
  for (const auto& c : reply["choices"]) ids.push_back(c["id"]);
  return ids;
}

// A person in the middle of the one-step dialog, at "How is it going?".
struct InOneStep {
  TempDir data;
  DaemonProcess daemon{data.path(),
                       {"--set", "clock.mode=manual", "--set", "defaults.country=DE"},
                       {"BOUNCEBACK_ADMIN_TOKEN=t0ken"}};
  WsTestClient client{daemon.port()};

  InOneStep() {
    client.hello();
    read_backlog(client);
    answer(client, text("menu"), "m");
    answer(client, tap("one_step"), "o");
    answer(client, text("sleep better"), "g");
    answer(client, text("no screens after 22:00"), "s");
  }
};

}  // namespace

TEST_CASE("a crisis message mid-dialog is answered first with safety, and 'I'm safe' returns to the dialog",
          "[safety][integration]") {
  InOneStep p;
  auto reply = answer(p.client, text("honestly I want to end it all"), "c");
  REQUIRE(reply.size() == 1);
  CHECK(reply[0]["kind"] == "safety");
  CHECK_THAT(reply[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));  // defaults.country DE
  std::vector<std::string> ids;
  for (const auto& c : reply[0]["choices"]) ids.push_back(c["id"]);
  CHECK(ids == std::vector<std::string>{"safety.contacts", "safety.safe", "safety.not_meant"});

  auto contacts = answer(p.client, tap("safety.contacts"), "k");
  CHECK(contacts.at(0)["kind"] == "safety");
  CHECK_THAT(contacts[0]["text"].get<std::string>(), Catch::Contains("findahelpline.com"));

  auto back = answer(p.client, tap("safety.safe"), "b");
  REQUIRE(back.size() == 2);
  CHECK(back[0]["kind"] == "safety");
  CHECK_THAT(back[1]["text"].get<std::string>(), Catch::Contains("another step"));  // the open question again

  // The metrics count the category, the log never has the words.
  auto metrics = http_request(p.daemon.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_hits_total{category=\"suicide_self_harm\"} 1"));
  CHECK_THAT(p.daemon.log(), !Catch::Contains("end it all"));
}

TEST_CASE("harmful coping that is no emergency leads straight to a qualified professional", "[safety][integration]") {
  InOneStep p;
  auto reply = answer(p.client, text("I've been drinking to cope with all of this"), "d");
  REQUIRE(reply.size() == 1);  // one message: the honest word and the way to a professional
  CHECK(reply[0]["kind"] == "reply");
  CHECK_THAT(reply[0]["text"].get<std::string>(), Catch::Contains("honest about how you're coping"));
  CHECK_THAT(reply[0]["text"].get<std::string>(), Catch::Contains("qualified professional"));
  auto metrics = http_request(p.daemon.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_hits_total{category=\"coping_risk\"} 1"));
}

TEST_CASE("that's not what I meant apologises and returns to the question", "[safety][integration]") {
  InOneStep p;
  auto reply = answer(p.client, text("my brother hits me"), "c");
  REQUIRE(reply.size() == 1);
  CHECK(reply[0]["kind"] == "safety");
  auto back = answer(p.client, tap("safety.not_meant"), "n");
  REQUIRE(back.size() == 2);
  CHECK(back[0]["kind"] == "reply");
  CHECK_THAT(back[1]["text"].get<std::string>(), Catch::Contains("another step"));
}

TEST_CASE("SIGHUP reloads the safety lists, then a broken file keeps the ones in use", "[safety][integration][reload]") {
  TempDir data, config;
  std::filesystem::copy(BOUNCEBACK_SOURCE_DIR "/config/safety", config.path() + "/safety",
                        std::filesystem::copy_options::recursive);
  std::string lists = config.path() + "/safety/en.yaml";
  DaemonProcess daemon(data.path(), {"--set", "safety.file=" + lists});
  WsTestClient client(daemon.port());
  client.hello();
  read_backlog(client);
  CHECK(answer(client, text("my mind is full of static tonight"), "a").at(0)["kind"] != "safety");

  std::string yaml;
  {
    std::ifstream in(lists);
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string added = yaml;
  added.replace(added.find("      - kill myself\n"), 0, "      - full of static tonight\n");
  std::ofstream(lists) << added;
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(daemon.wait_for_log(std::regex("reloaded the safety lists"), std::chrono::seconds(10)));
  CHECK(answer(client, text("my mind is full of static tonight"), "b").at(0)["kind"] == "safety");

  std::ofstream(lists) << "messages: [broken\n";
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(daemon.wait_for_log(std::regex("still screening with the ones loaded before"), std::chrono::seconds(10)));
  CHECK(answer(client, text("my mind is full of static tonight"), "c").at(0)["kind"] == "safety");
}

TEST_CASE("asking directly: yes and not sure bring the crisis reply, no returns gently to the conversation",
          "[safety][integration][ask]") {
  AtMenu p;
  // A passive wish: not plain enough for the crisis reply, too serious to let pass.
  auto asked = answer(p.client, text("honestly I just want everything to stop"), "a1");
  REQUIRE(asked.size() == 1);
  CHECK(asked[0]["kind"] == "safety");
  CHECK_THAT(asked[0]["text"].get<std::string>(), Catch::Contains("ending your life"));
  CHECK(choice_ids(asked[0]) == std::vector<std::string>{"safety.yes", "safety.no", "safety.unsure"});

  auto no = answer(p.client, tap("safety.no"), "n1");
  REQUIRE(no.size() == 2);  // a gentle word, then the conversation where it was
  CHECK(no[0]["kind"] == "safety");
  CHECK_THAT(no[0]["text"].get<std::string>(), !Catch::Contains("findahelpline"));
  CHECK(no[1]["kind"] != "safety");

  answer(p.client, text("honestly I just want everything to stop"), "a2");
  auto yes = answer(p.client, tap("safety.yes"), "y");
  REQUIRE(yes.size() == 1);
  CHECK(yes[0]["kind"] == "safety");
  CHECK_THAT(yes[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));
  CHECK(choice_ids(yes[0]) == std::vector<std::string>{"safety.contacts", "safety.safe", "safety.not_meant"});

  answer(p.client, text("honestly I just want everything to stop"), "a3");
  auto unsure = answer(p.client, tap("safety.unsure"), "u");
  REQUIRE(unsure.size() == 1);
  CHECK_THAT(unsure[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));

  auto metrics = http_request(p.daemon.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_asked_total{answer=\"yes\"} 1"));
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_asked_total{answer=\"unsure\"} 1"));
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_asked_total{answer=\"no\"} 1"));
  CHECK_THAT(p.daemon.log(), !Catch::Contains("everything to stop"));
}

TEST_CASE("asked directly, a typed yes, not sure or no answers as the buttons would", "[safety][integration][ask]") {
  AtMenu p;
  auto ask = [&](const char* id) {
    auto asked = answer(p.client, text("honestly I just want everything to stop"), id);
    REQUIRE(asked.size() == 1);
    REQUIRE_THAT(asked[0]["text"].get<std::string>(), Catch::Contains("ending your life"));
  };
  ask("a1");
  auto yes = answer(p.client, text("yeah, kind of"), "y");
  REQUIRE(yes.size() == 1);
  CHECK(yes[0]["kind"] == "safety");
  CHECK_THAT(yes[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));
  answer(p.client, tap("safety.safe"), "s");

  ask("a2");
  auto unsure = answer(p.client, text("idk"), "u");
  REQUIRE(unsure.size() == 1);
  CHECK_THAT(unsure[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));
  answer(p.client, tap("safety.safe"), "s2");

  ask("a4");
  auto sure = answer(p.client, text("sure"), "y2");  // safety first: a yes
  REQUIRE(sure.size() == 1);
  CHECK_THAT(sure[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));
  answer(p.client, tap("safety.safe"), "s3");

  ask("a3");
  auto no = answer(p.client, text("no"), "n");
  REQUIRE_FALSE(no.empty());
  CHECK(no[0]["kind"] == "safety");
  CHECK_THAT(no[0]["text"].get<std::string>(), Catch::Contains("Thank you for answering me"));
  // Answered: a later "no" is just a word again, not an answer to the question.
  auto later = answer(p.client, text("no"), "n2");
  REQUIRE_FALSE(later.empty());
  CHECK_THAT(later[0]["text"].get<std::string>(), !Catch::Contains("Thank you for answering me"));
  auto metrics = http_request(p.daemon.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_asked_total{answer=\"yes\"} 2"));
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_asked_total{answer=\"unsure\"} 1"));
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_asked_total{answer=\"no\"} 1"));
}

TEST_CASE("what only the model hears is asked about: a farewell without a listed word, a threat at home",
          "[safety][integration][ask][classifier]") {
  AtMenu p(Screen::as_shipped);
  auto asked = answer(p.client, text("I have been giving my things to my sister and sorting out who gets the dog"), "f1");
  REQUIRE(asked.size() == 1);
  CHECK(asked[0]["kind"] == "safety");
  CHECK_THAT(asked[0]["text"].get<std::string>(), Catch::Contains("ending your life"));
  auto yes = answer(p.client, tap("safety.yes"), "f2");
  REQUIRE(yes.size() == 1);
  CHECK_THAT(yes[0]["text"].get<std::string>(), Catch::Contains("TelefonSeelsorge"));
  answer(p.client, tap("safety.safe"), "f3");

  // Danger from someone at home: asked about danger, not about suicide.
  auto danger = answer(p.client, text("when he gets back tonight he will find out I told my mum and then I don't know what he will do to me"), "d1");
  REQUIRE(danger.size() == 1);
  CHECK(danger[0]["kind"] == "safety");
  CHECK_THAT(danger[0]["text"].get<std::string>(), Catch::Contains("in danger right now") || Catch::Contains("emergency"));
  CHECK_THAT(p.daemon.log(), !Catch::Contains("giving my things"));
}

TEST_CASE("/country sets whose crisis lines are shown, in its answer and in the crisis reply", "[safety][integration][country]") {
  AtMenu p;  // defaults.country DE
  auto invalid = answer(p.client, text("/country Atlantis"), "c0");
  REQUIRE(invalid.size() == 1);
  CHECK_THAT(invalid[0]["text"].get<std::string>(), Catch::Contains("two-letter code") && Catch::Contains("right now: DE"));
  auto set = answer(p.client, text("/country Brazil"), "c1");  // a name, or a code as in the unit tests
  REQUIRE(set.size() == 1);
  CHECK_THAT(set[0]["text"].get<std::string>(), Catch::Contains("CVV") && !Catch::Contains("TelefonSeelsorge"));
  auto crisis = answer(p.client, text("I want to kill myself"), "c2");
  REQUIRE(crisis.size() == 1);
  CHECK(crisis[0]["kind"] == "safety");
  CHECK_THAT(crisis[0]["text"].get<std::string>(), Catch::Contains("CVV"));
  auto help = answer(p.client, text("/help"), "c3");
  CHECK_THAT(help.front()["text"].get<std::string>(), Catch::Contains("CVV") && Catch::Contains("/country"));
}

TEST_CASE("two messages read together: the tablets here, then tonight", "[safety][integration][context]") {
  AtMenu p;
  auto first = answer(p.client, text("I have the tablets here"), "t1");
  REQUIRE_FALSE(first.empty());
  CHECK(first[0]["kind"] != "safety");  // alone, nothing to answer
  auto second = answer(p.client, text("tonight"), "t2");
  REQUIRE(second.size() == 1);
  CHECK(second[0]["kind"] == "safety");
  CHECK(choice_ids(second[0]) == std::vector<std::string>{"safety.yes", "safety.no", "safety.unsure"});
}

TEST_CASE("someone else in danger now: the emergency number first", "[safety][integration][someone_else]") {
  AtMenu p;
  auto reply = answer(p.client, text("my friend took a load of pills and she won't wake up"), "s");
  REQUIRE(reply.size() == 1);
  CHECK(reply[0]["kind"] == "safety");
  std::string said = reply[0]["text"];
  CHECK(said.rfind("Call 112 now", 0) == 0);  // defaults.country DE
  CHECK_THAT(said, Catch::Contains("TelefonSeelsorge"));
}

TEST_CASE("a crisis in German is answered in German, with the resources", "[safety][integration][language]") {
  AtMenu p;
  auto reply = answer(p.client, text("ich will mich umbringen"), "g");
  REQUIRE(reply.size() == 1);
  CHECK(reply[0]["kind"] == "safety");
  std::string said = reply[0]["text"];
  CHECK_THAT(said, Catch::Contains("TelefonSeelsorge"));
  // The German file's crisis reply, up to where the resources go in.
  std::string german = YAML::LoadFile(p.safety.dir.path() + "/safety/de.yaml")["messages"]["crisis"].as<std::string>();
  std::string opening = german.substr(0, german.find("{{resources}}"));
  REQUIRE(opening.size() > 20);
  CHECK(said.rfind(opening, 0) == 0);
  auto ids = choice_ids(reply[0]);
  REQUIRE(ids.size() == 3);
  CHECK(ids[1] == "safety.safe:de");  // the answer to the button comes in German too
  auto back = answer(p.client, tap("safety.safe:de"), "gs");
  REQUIRE_FALSE(back.empty());
  CHECK_THAT(back[0]["text"].get<std::string>(), !Catch::Contains("Thank you for letting me know"));
}

TEST_CASE("a recovered past is not a crisis", "[safety][integration][lowering]") {
  AtMenu p;
  auto reply = answer(p.client, text("years ago I wanted to kill myself, therapy helped and I'm doing well"), "r");
  REQUIRE_FALSE(reply.empty());
  CHECK(reply[0]["kind"] != "safety");
}
