// Privacy through the real daemon: /export, /forget (checked in the SQLite file itself),
// and retention on the manual clock.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/test_clock.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {

// Whether `word` occurs anywhere in the database's files on disk (main file and WAL).
bool on_disk(const std::string& data_dir, const std::string& word) {
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(data_dir + "/bounceback.db" + suffix, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(word) != std::string::npos) return true;
  }
  return false;
}

// A person who told bounceback their (unusual) name and one worry.
struct Someone {
  TempDir data;
  DaemonProcess daemon;
  WsTestClient client;
  json welcome;

  explicit Someone(std::vector<std::string> args = {}, std::vector<std::string> env = {})
      : daemon(data.path(), std::move(args), std::move(env)), client(daemon.port()) {
    welcome = client.hello();
    read_backlog(client);
    answer(client, tap("agree"), "a");
    answer(client, text("Zorblaxia"), "n");  // the name, quoted back in later messages too
  }
};

}  // namespace

TEST_CASE("/export sends all of the person's data as JSON", "[privacy][integration]") {
  Someone s;
  auto reply = answer(s.client, text("/export"), "e");
  REQUIRE(reply.size() >= 2);
  json data = json::parse(reply[0]["text"].get<std::string>());
  CHECK(data["person"]["name"] == "Zorblaxia");
  CHECK(data["person"]["user"] == s.welcome["user"]);
  CHECK(data["conversation"]["vars"]["name"] == "Zorblaxia");
  CHECK(data["messages_from_bounceback"].size() >= 3);  // the onboarding's answers so far
  CHECK_THAT(reply[1]["text"].get<std::string>(), Catch::Contains("/forget"));
  CHECK(reply.back()["choices"].size() == 2);  // and back to the question that was open
}

TEST_CASE("an export never holds an earlier export, and one comes at most every ten minutes", "[privacy][integration][hostile]") {
  Someone s(manual_clock_args("2026-03-10T09:00:00Z"), {kAdminTokenEnv});
  auto first = answer(s.client, text("/export"), "e1");
  REQUIRE(first.size() >= 2);
  CHECK(first[0]["kind"] == "export");
  json one = json::parse(first[0]["text"].get<std::string>());
  CHECK(one["earlier_exports"] == 0);

  // At once again: a word that it was just sent, not a second copy.
  auto again = answer(s.client, text("/export"), "e2");
  REQUIRE_FALSE(again.empty());
  for (const auto& m : again) CHECK(m["kind"] != "export");
  CHECK_THAT(again[0]["text"].get<std::string>(), Catch::Contains("ten minutes after the last one"));

  set_clock(s.daemon, "2026-03-10T09:11:00Z");
  auto later = answer(s.client, text("/export"), "e3");
  REQUIRE(later.size() >= 2);
  REQUIRE(later[0]["kind"] == "export");
  json two = json::parse(later[0]["text"].get<std::string>());
  CHECK(two["earlier_exports"] == 1);
  for (const auto& m : two["messages_from_bounceback"]) CHECK(m["kind"] != "export");
  // The second holds the first one's neighbours but not the first: about the same size.
  CHECK(later[0]["text"].get<std::string>().size() < first[0]["text"].get<std::string>().size() + 2000);
}

TEST_CASE("/forget asks first, then 'keep it' deletes nothing", "[privacy][integration]") {
  Someone s;
  auto ask = answer(s.client, text("/forget"), "f");
  std::vector<std::string> ids;
  for (const auto& c : ask.back()["choices"]) ids.push_back(c["id"]);
  CHECK(ids == std::vector<std::string>{"forget_yes", "forget_no"});
  auto kept = answer(s.client, tap("forget_no"), "k");
  CHECK_THAT(kept.front()["text"].get<std::string>(), Catch::Contains("Nothing was deleted"));
  CHECK(count_rows(s.data.path() + "/bounceback.db", "SELECT COUNT(*) FROM people") == 1);
}

TEST_CASE("/forget deletes every row of the person and leaves none of their words on disk", "[privacy][integration]") {
  Someone s;
  std::string db = s.data.path() + "/bounceback.db";
  REQUIRE(count_rows(db, "SELECT COUNT(*) FROM people") == 1);
  // A journal line and a mood with a word of their own: kept in the goal book, gone with it.
  answer(s.client, text("/journal the Quillothorpe walk helped"), "j");
  answer(s.client, text("/mood 2 Snarfblatish"), "m");
  REQUIRE(on_disk(s.data.path(), "Quillothorpe"));
  REQUIRE(on_disk(s.data.path(), "Snarfblatish"));
  answer(s.client, text("/forget"), "f");
  auto bye = answer(s.client, tap("forget_yes"), "y");
  CHECK_THAT(bye.back()["text"].get<std::string>(), Catch::Contains("deleted"));
  while (s.client.read(std::chrono::seconds(5))) {
  }
  CHECK(s.client.close_code() == 1001);  // going away: the sessions end with the person

  CHECK(count_rows(db, "SELECT COUNT(*) FROM people") == 0);
  CHECK(count_rows(db, "SELECT COUNT(*) FROM outbox") == 0);
  CHECK_FALSE(on_disk(s.data.path(), "Zorblaxia"));
  CHECK_FALSE(on_disk(s.data.path(), "Quillothorpe"));
  CHECK_FALSE(on_disk(s.data.path(), "Snarfblatish"));

  // The token no longer opens anything.
  WsTestClient again(s.daemon.port());
  again.send_json({{"type", "hello"}, {"token", s.welcome["token"]}});
  CHECK(again.read_json()["code"] == "unauthorized");
}

TEST_CASE("retention deletes people who never finished onboarding after 30 days", "[privacy][integration]") {
  Someone s({"--set", "clock.mode=manual"}, {"BOUNCEBACK_ADMIN_TOKEN=t0ken"});
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer t0ken"}};
  std::string db = s.data.path() + "/bounceback.db";
  http_request(s.daemon.port(), "POST", "/admin/clock", R"({"advance_s": 2419200})", auth);  // 28 days
  CHECK(count_rows(db, "SELECT COUNT(*) FROM people") == 1);
  http_request(s.daemon.port(), "POST", "/admin/clock", R"({"advance_s": 259200})", auth);  // 31 days
  // The sweep's commit precedes the clock's answer: the row is gone now.
  CHECK(count_rows(db, "SELECT COUNT(*) FROM people") == 0);
  CHECK_FALSE(on_disk(s.data.path(), "Zorblaxia"));
}

TEST_CASE("retention deletes a person who finished onboarding after 365 days of silence, not before", "[privacy][integration]") {
  Someone s({"--set", "clock.mode=manual"}, {"BOUNCEBACK_ADMIN_TOKEN=t0ken"});
  answer(s.client, tap("keep_zone"), "z");
  answer(s.client, tap("skip"), "k");  // no country from UTC: asked, skipped
  answer(s.client, tap("no"), "c");
  auto done = answer(s.client, tap("no_quiet"), "q");
  REQUIRE_FALSE(done.empty());
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer t0ken"}};
  std::string db = s.data.path() + "/bounceback.db";
  REQUIRE(count_rows(db, "SELECT COUNT(*) FROM people WHERE json_extract(dialog_state, '$.onboarded') = 1") == 1);
  http_request(s.daemon.port(), "POST", "/admin/clock", R"({"advance_s": 31536000})", auth);  // 365 days
  CHECK(count_rows(db, "SELECT COUNT(*) FROM people") == 1);  // kept: not more than a year
  http_request(s.daemon.port(), "POST", "/admin/clock", R"({"advance_s": 172800})", auth);  // 367 days
  CHECK(count_rows(db, "SELECT COUNT(*) FROM people") == 0);
  CHECK_FALSE(on_disk(s.data.path(), "Zorblaxia"));
}
