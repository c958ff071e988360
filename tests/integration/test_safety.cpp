// The safety screen through the real daemon: before any dialog, with the pause after it.
#include <catch2/catch.hpp>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

// A person in the middle of the one-step dialog, at "How is it going?".
struct InOneStep {
  TempDir data;
  DaemonProcess daemon{data.path(),
                       {"--set", "clock.mode=manual", "--set", "defaults.country=DE"},
                       {"BOUNCEBACK_ADMIN_TOKEN=t0ken"}};
  WsTestClient client{daemon.port()};

  InOneStep() {
    client.hello();
    while (client.read(std::chrono::milliseconds(500))) {
    }
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
  REQUIRE(reply.size() == 2);
  CHECK(reply[0]["kind"] == "reply");
  CHECK_THAT(reply[0]["text"].get<std::string>(), Catch::Contains("honest about how you're coping"));
  CHECK_THAT(reply[1]["text"].get<std::string>(), Catch::Contains("qualified professional"));
  auto metrics = http_request(p.daemon.port(), "GET", "/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("bounceback_safety_hits_total{category=\"coping_risk\"} 1"));
}

TEST_CASE("'that's not what I meant' apologises and returns to the question", "[safety][integration]") {
  InOneStep p;
  auto reply = answer(p.client, text("my brother hits me"), "c");
  REQUIRE(reply.size() == 1);
  CHECK(reply[0]["kind"] == "safety");
  auto back = answer(p.client, tap("safety.not_meant"), "n");
  REQUIRE(back.size() == 2);
  CHECK(back[0]["kind"] == "reply");
  CHECK_THAT(back[1]["text"].get<std::string>(), Catch::Contains("another step"));
}

TEST_CASE("SIGHUP reloads the safety lists; a broken file keeps the ones in use", "[safety][integration][reload]") {
  TempDir data, config;
  std::string lists = config.path() + "/en.yaml";
  std::filesystem::copy_file(BOUNCEBACK_SOURCE_DIR "/config/safety/en.yaml", lists);
  DaemonProcess daemon(data.path(), {"--set", "safety.file=" + lists});
  WsTestClient client(daemon.port());
  client.hello();
  while (client.read(std::chrono::milliseconds(500))) {
  }
  CHECK(answer(client, text("my mind is full of static tonight"), "a").at(0)["kind"] != "safety");

  std::string yaml;
  {
    std::ifstream in(lists);
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string added = yaml;
  added.replace(added.find("      - suicid*\n"), 0, "      - full of static tonight\n");
  std::ofstream(lists) << added;
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(daemon.wait_for_log(std::regex("reloaded the safety lists"), std::chrono::seconds(10)));
  CHECK(answer(client, text("my mind is full of static tonight"), "b").at(0)["kind"] == "safety");

  std::ofstream(lists) << "messages: [broken\n";
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(daemon.wait_for_log(std::regex("still screening with the ones loaded before"), std::chrono::seconds(10)));
  CHECK(answer(client, text("my mind is full of static tonight"), "c").at(0)["kind"] == "safety");
}
