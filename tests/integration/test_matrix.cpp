// The Matrix connector through the real daemon, against tests/fakes/fake_homeserver (the
// client-server endpoints bounceback uses, with the spec's JSON and error codes).
#include <catch2/catch.hpp>
#include <signal.h>

#include <regex>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/fake_homeserver.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/test_clock.hpp"

using namespace bounceback::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kBot = "@coach:fake.test";
const std::string kToken = "syt_Y29hY2g_fakeToken_123";
const std::string kMira = "@mira:fake.test";

std::vector<std::string> matrix_args(const FakeHomeserver& hs, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--set", "connectors.matrix.enabled=true",
                                   "--set", "connectors.matrix.homeserver=\"" + hs.base_url() + "\"",
                                   "--set", "connectors.matrix.user_id=\"" + kBot + "\"",
                                   "--set", "connectors.matrix.sync_timeout_s=5",
                                   "--set", "connectors.matrix.request_timeout_s=5"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> token_env() { return {"BOUNCEBACK_MATRIX_TOKEN=" + kToken}; }

bool says(const FakeHomeserver& hs, const std::string& room, const std::string& words) {
  for (const auto& m : hs.bot_messages(room))
    if (m.find(words) != std::string::npos) return true;
  return false;
}

int count(const FakeHomeserver& hs, const std::string& room, const std::string& words) {
  int n = 0;
  for (const auto& m : hs.bot_messages(room)) n += m.find(words) != std::string::npos;
  return n;
}

// A room the bot joined after an invite, once the daemon is past its first /sync.
std::string joined_room(FakeHomeserver& hs, const std::string& person = kMira, const std::vector<std::string>& others = {}) {
  REQUIRE(hs.wait_for([&] { return hs.sync_sinces().size() >= 2; }, 10s));  // the first sync, and the next one
  std::string room = hs.create_room(person, others);
  REQUIRE(hs.wait_for([&] { return hs.bot_joined(room); }, 10s));
  return room;
}

}  // namespace

TEST_CASE("matrix: invite, join, /start brings onboarding, then a number answers the list", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string room = joined_room(hs);
  hs.say(room, kMira, "/start");
  REQUIRE(hs.wait_for([&] { return hs.bot_messages(room).size() >= 1; }, 10s));
  auto contents = hs.bot_contents(room);
  CHECK(contents[0]["msgtype"] == "m.notice");
  CHECK_THAT(contents[0]["body"].get<std::string>(), Catch::Contains("Hi, I'm bounceback"));
  // One message: the welcome, the question and its choices numbered.
  CHECK_THAT(contents[0]["body"].get<std::string>(), Catch::Contains("\n1. Okay, let's start\n2. Tell me more first"));
  hs.say(room, kMira, "1");
  CHECK(hs.wait_for([&] { return says(hs, room, "What would you like me to call you?"); }, 10s));
  hs.say(room, kMira, "Mira");
  CHECK(hs.wait_for([&] { return says(hs, room, "Nice to meet you, Mira."); }, 10s));
  auto health = http_request(daemon.port(), "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(json::parse(health.body)["connectors"]["matrix"] == "ok");
}

TEST_CASE("matrix: the first start does not answer history, then later messages are answered", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  std::string room = hs.create_room(kMira);
  hs.say(room, kMira, "/help");  // before the bot ever ran: history
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  REQUIRE(hs.wait_for([&] { return hs.bot_joined(room); }, 10s));
  REQUIRE(hs.wait_for([&] { return hs.sync_sinces().size() >= 3; }, 10s));
  CHECK(hs.bot_messages(room).empty());
  hs.say(room, kMira, "/help");
  CHECK(hs.wait_for([&] { return says(hs, room, "not a therapist"); }, 10s));
  CHECK(count(hs, room, "not a therapist") == 1);
}

TEST_CASE("matrix: a restart mid-conversation answers nothing twice", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  std::string room;
  {
    DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
    room = joined_room(hs);
    hs.say(room, kMira, "/start");
    REQUIRE(hs.wait_for([&] { return hs.bot_messages(room).size() >= 1; }, 10s));
    std::string db = data.path() + "/bounceback.db";
    REQUIRE(hs.wait_for([&] { return count_rows(db, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0; }, 10s));
    daemon.kill_hard();
  }
  hs.say(room, kMira, "1");     // while the bot is down
  hs.say(room, kMira, "Mira");
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  CHECK(hs.wait_for([&] { return says(hs, room, "Nice to meet you, Mira."); }, 15s));
  auto code = daemon.stop(SIGTERM);
  INFO(daemon.log());
  CHECK(code == 0);
  CHECK(count(hs, room, "Hi, I'm bounceback") == 1);
  CHECK(count(hs, room, "What would you like me to call you?") == 1);
  CHECK(count(hs, room, "Nice to meet you, Mira.") == 1);
}

TEST_CASE("matrix: a send whose answer was lost is retried with the same transaction id and shows once", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs, {"--set", "connectors.matrix.request_timeout_s=1"}), token_env());
  std::string room = joined_room(hs);
  hs.script_send({200, "", 2500ms});  // stored, but the answer comes after the client gave up
  hs.say(room, kMira, "/help");
  hs.say(room, kMira, "/nudges");  // answered after the first is through: its retry is done then
  REQUIRE(hs.wait_for([&] { return says(hs, room, "no daily nudges yet"); }, 15s));
  auto txns = hs.transaction_ids();
  REQUIRE_FALSE(txns.empty());
  CHECK(hs.send_requests(txns[0]) >= 2);  // tried again ...
  CHECK(count(hs, room, "not a therapist") == 1);  // ... and the room shows it once
}

TEST_CASE("matrix: a room whose sends keep failing does not hold up the other rooms", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string failing = joined_room(hs);
  std::string other = hs.create_room("@noor:fake.test");
  REQUIRE(hs.wait_for([&] { return hs.bot_joined(other); }, 10s));
  hs.fail_room(failing, {502, "<html>Bad gateway</html>"});
  hs.say(failing, kMira, "/help");
  REQUIRE(hs.wait_for([&] { return !hs.transaction_ids().empty(); }, 10s));  // the first send was tried
  hs.say(other, "@noor:fake.test", "/help");
  // Noor's answer arrives while Mira's room is still failing (it backs off, alone).
  CHECK(hs.wait_for([&] { return hs.bot_messages(other).size() >= 1; }, 10s));
  CHECK(hs.bot_messages(failing).empty());
  hs.heal_room(failing);
  REQUIRE(hs.wait_for([&] { return hs.bot_messages(failing).size() >= 1; }, 20s));
  CHECK(count(hs, failing, "not a therapist") == 1);
}

TEST_CASE("matrix: M_LIMIT_EXCEEDED waits retry_after_ms, 5xx is retried, order is kept", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string room = joined_room(hs);
  hs.script_send({429, R"({"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":1200})"});
  hs.script_send({502, "<html>Bad gateway</html>"});
  auto started = std::chrono::steady_clock::now();
  hs.say(room, kMira, "/help");
  hs.say(room, kMira, "/nudges");
  REQUIRE(hs.wait_for([&] { return hs.bot_messages(room).size() >= 2; }, 15s));
  CHECK(std::chrono::steady_clock::now() - started >= 1200ms);
  auto messages = hs.bot_messages(room);
  CHECK_THAT(messages[0], Catch::Contains("not a therapist"));  // in the order they were answered
  CHECK_THAT(messages[1], Catch::Contains("no daily nudges yet"));
  CHECK(count(hs, room, "not a therapist") == 1);
}

TEST_CASE("matrix: /sync answering 502, a body without next_batch and M_LIMIT_EXCEEDED is tried again", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string room = joined_room(hs);
  hs.script_sync({502, "<html>Bad gateway</html>"});
  hs.script_sync({200, R"({"rooms":{}})"});
  hs.script_sync({429, R"({"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":500})"});
  hs.say(room, kMira, "/help");
  CHECK(hs.wait_for([&] { return says(hs, room, "not a therapist"); }, 20s));
  CHECK(count(hs, room, "not a therapist") == 1);
  CHECK(daemon.wait_for_log(std::regex("matrix: /sync failed \\(the /sync answer has no next_batch\\)"), 5s));
}

TEST_CASE("matrix: encrypted rooms are told once that bounceback cannot read them", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string room = joined_room(hs);
  hs.say_encrypted(room, kMira);
  REQUIRE(hs.wait_for([&] { return says(hs, room, "can't read encrypted messages"); }, 10s));
  hs.say_encrypted(room, kMira);
  hs.say(room, kMira, "/help");  // a plain message still works
  REQUIRE(hs.wait_for([&] { return says(hs, room, "not a therapist"); }, 10s));
  CHECK(count(hs, room, "can't read encrypted messages") == 1);
}

TEST_CASE("matrix: in a room with more people only commands and mentions are answered, as a group", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string room = joined_room(hs, kMira, {"@sam:fake.test"});
  hs.say(room, "@sam:fake.test", "we met on Thursday, it was good");
  // Two more /sync calls after it: the bot has seen the talk and said nothing.
  auto syncs = hs.sync_sinces().size();
  REQUIRE(hs.wait_for([&] { return hs.sync_sinces().size() >= syncs + 2; }, 15s));
  CHECK(hs.bot_messages(room).empty());
  hs.say(room, kMira, "coach: how does this work?");  // naming the bot
  REQUIRE(hs.wait_for([&] { return !hs.bot_messages(room).empty(); }, 10s));
  CHECK_FALSE(says(hs, room, "Thursday"));
  CHECK(says(hs, room, "In this group I post a daily check-in"));  // what it does in a group
  hs.say(room, kMira, "/wins");
  CHECK(hs.wait_for([&] { return says(hs, room, "No shared wins here yet"); }, 10s));
}

TEST_CASE("matrix: a refused token is a clear error in the log and /healthz", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  hs.revoke_token();
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  REQUIRE(daemon.wait_for_log(std::regex("matrix: the homeserver refused the access token \\(M_UNKNOWN_TOKEN\\)"), 10s));
  auto health = http_request(daemon.port(), "GET", "/healthz");
  CHECK(health.status == 503);
  json body = json::parse(health.body);
  CHECK(body["status"] == "degraded");
  CHECK_THAT(body["connectors"]["matrix"].get<std::string>(), Catch::StartsWith("M_UNKNOWN_TOKEN"));
  CHECK(daemon.log().find(kToken) == std::string::npos);
}

TEST_CASE("matrix: a wrong password is a clear error in the log and /healthz", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken, "correct horse battery");
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), {"BOUNCEBACK_MATRIX_PASSWORD=wrong horse"});
  REQUIRE(daemon.wait_for_log(std::regex("matrix: login as @coach:fake.test failed: 403 M_FORBIDDEN"), 10s));
  auto health = http_request(daemon.port(), "GET", "/healthz");
  CHECK(health.status == 503);
  CHECK_THAT(json::parse(health.body)["connectors"]["matrix"].get<std::string>(), Catch::StartsWith("login failed"));
  CHECK(daemon.log().find("wrong horse") == std::string::npos);
  CHECK(hs.sync_sinces().empty());  // no /sync without a token
}

TEST_CASE("matrix: a password login keeps one device across restarts", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken, "correct horse battery");
  TempDir data;
  std::vector<std::string> env = {"BOUNCEBACK_MATRIX_PASSWORD=correct horse battery"};
  {
    DaemonProcess daemon(data.path(), matrix_args(hs), env);
    REQUIRE(hs.wait_for([&] { return hs.sync_sinces().size() >= 1; }, 10s));
    CHECK(daemon.stop(SIGTERM) == 0);
  }
  DaemonProcess daemon(data.path(), matrix_args(hs), env);
  REQUIRE(hs.wait_for([&] { return hs.logins().size() >= 2; }, 10s));
  auto logins = hs.logins();
  CHECK_FALSE(logins[0].contains("device_id"));
  CHECK(logins[1]["device_id"] == "FAKEDEV1");
  CHECK(logins[1]["identifier"]["user"] == kBot);
}

TEST_CASE("matrix: an export longer than one event goes in parts, each with its own transaction id", "[matrix][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(), matrix_args(hs), token_env());
  std::string room = joined_room(hs);
  hs.say(room, kMira, "/goal " + std::string(150, 'g'));
  for (int i = 0; i < 110; ++i) hs.say(room, kMira, "/step " + std::to_string(i) + " " + std::string(290, 's'));
  REQUIRE(hs.wait_for([&] { return hs.bot_messages(room).size() >= 111; }, 30s));
  auto before = hs.bot_messages(room).size();
  hs.say(room, kMira, "/export");
  REQUIRE(hs.wait_for([&] { return says(hs, room, "That's everything I keep about you"); }, 30s));
  auto messages = hs.bot_messages(room);
  std::string exported;
  std::size_t parts = 0;
  for (std::size_t i = before; i < messages.size() && messages[i].find("That's everything") == std::string::npos; ++i) {
    CHECK(messages[i].size() <= 30000);
    exported += messages[i];
    ++parts;
  }
  CHECK(parts >= 2);
  json everything = json::parse(exported, nullptr, false);
  REQUIRE_FALSE(everything.is_discarded());
  CHECK(everything["goals"]["goals"][0]["steps"].size() == 110);
  std::size_t part_ids = 0;
  for (const auto& t : hs.transaction_ids()) part_ids += t.find(".p1") != std::string::npos;
  CHECK(part_ids == 1);
}

TEST_CASE("matrix: a group room's check-in is changed by power level 50 only, its answers counted, then a win shared from a private room",
          "[matrix][groups][integration]") {
  FakeHomeserver hs(kBot, kToken);
  TempDir data;
  DaemonProcess daemon(data.path(),
                       matrix_args(hs, manual_clock_args("2026-03-10T12:00:00Z")),
                       {"BOUNCEBACK_MATRIX_TOKEN=" + kToken, kAdminTokenEnv});
  const std::string sam = "@sam:fake.test", noa = "@noa:fake.test";
  std::string mira_private = joined_room(hs, kMira);
  std::string group = hs.create_room(kMira, {sam, noa}, "Thursday group");  // Mira has power level 100
  REQUIRE(hs.wait_for([&] { return hs.bot_joined(group); }, 10s));

  hs.say(group, sam, "/checkin 19:00 Europe/Berlin");
  REQUIRE(hs.wait_for([&] { return says(hs, group, "Only a group admin"); }, 10s));
  hs.say(group, kMira, "/checkin 19:00 Europe/Berlin");
  REQUIRE(hs.wait_for([&] { return says(hs, group, "every day at 19:00 (Europe/Berlin)"); }, 10s));

  auto before = hs.bot_messages(group).size();
  set_clock(daemon, "2026-03-10T18:00:20Z");
  REQUIRE(hs.wait_for([&] { return hs.bot_messages(group).size() == before + 1; }, 10s));
  std::string checkin = hs.bot_messages(group).back();
  CHECK_THAT(checkin, Catch::Contains("1. A good day") && Catch::Contains("3. A hard day"));

  // Answers by number: Sam has no private room with the bot, so nothing is said to Sam;
  // Mira hears privately that hers was counted. The group hears nothing of either.
  hs.say(group, sam, "3");
  hs.say(group, kMira, "1");
  REQUIRE(hs.wait_for([&] { return says(hs, mira_private, "counted for the group"); }, 10s));
  hs.say(group, kMira, "/checkin");
  REQUIRE(hs.wait_for([&] { return says(hs, group, "1 good, 0 okay, 1 hard"); }, 10s));

  // Mira, privately: a step done, the offer, and the group sees only that she did one.
  hs.say(mira_private, kMira, "/goal Sleep better rhythm");
  hs.say(mira_private, kMira, "/step evening walk without phone");
  hs.say(mira_private, kMira, "/done 1");
  REQUIRE(hs.wait_for([&] { return says(hs, mira_private, "share this win with Thursday group"); }, 10s));
  auto group_before = hs.bot_messages(group).size();
  hs.say(mira_private, kMira, "1");  // "Share 🎉"
  REQUIRE(hs.wait_for([&] { return says(hs, group, "Mira completed a step 🎉"); }, 10s));
  CHECK(hs.bot_messages(group).size() == group_before + 1);

  // Noa in crisis in the group, with no private room: care and the resources there.
  hs.say(group, noa, "coach I want to end my life");
  REQUIRE(hs.wait_for([&] { return says(hs, group, "You don't have to face it alone"); }, 10s));

  for (const auto& m : hs.bot_messages(group))
    for (const char* words : {"Sleep better", "evening walk", "end my life"}) CHECK_THAT(m, !Catch::Contains(words));
}
