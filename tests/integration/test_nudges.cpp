// Nudges through the real daemon over the websocket, time moved by the manual test clock
// (POST /admin/clock sends everything that fell due before it answers): a Berlin person's
// 09:00 nudge, quiet hours, snooze, a restart between scheduling and due time, and an outage.
#include <catch2/catch.hpp>
#include <signal.h>

#include "tests/fakes/chat_script.hpp"
#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/test_clock.hpp"
#include "tests/fakes/ws_test_client.hpp"

using namespace bounceback::testing;
using nlohmann::json;

namespace {


// 2026-03-10 is a Tuesday; Berlin is UTC+1 (CET) until 29 March.
std::unique_ptr<DaemonProcess> start_daemon(const std::string& data_dir, const std::string& clock_start) {
  return std::make_unique<DaemonProcess>(data_dir, manual_clock_args(clock_start), std::vector<std::string>{kAdminTokenEnv});
}

// The messages bounceback sent on its own (no reply_to) that arrived since the last call.
// The clock call answers only after they were handed to the connection, and the connection
// answers frames in order: a frame it refuses, sent now, is answered after all of them.
std::vector<json> unprompted(WsTestClient& client) {
  client.send_json({{"type", "probe"}});  // an unknown type: bad_request, and nothing else changes
  std::vector<json> out;
  for (;;) {
    json f = client.read_json();
    if (f["type"] == "error") break;
    if (f["type"] == "message" && !f.contains("reply_to")) out.push_back(f);
  }
  return out;
}

// Of a backlog (which may repeat replies whose delivery was not yet recorded at a kill -9),
// the scheduled messages only.
std::size_t scheduled_in(const std::vector<json>& frames) {
  std::size_t n = 0;
  for (const auto& f : frames) n += f["kind"] == "nudge" || f["kind"] == "checkin";
  return n;
}

std::vector<std::string> choice_ids(const json& frame) {
  std::vector<std::string> ids;
  for (const auto& c : frame["choices"]) ids.push_back(c["id"]);
  return ids;
}

// A person at the start of onboarding who set their zone and a 09:00 nudge.
std::string berlin_person_with_nine_oclock_nudge(WsTestClient& client) {
  json welcome = client.hello();
  read_backlog(client);
  auto tz = answer(client, text("/tz Europe/Berlin"), "tz");
  REQUIRE_THAT(tz.front()["text"].get<std::string>(), Catch::Contains("Europe/Berlin"));
  auto set = answer(client, text("/nudge 9:00"), "n");
  REQUIRE_THAT(set.front()["text"].get<std::string>(), Catch::Contains("every day at 09:00 (Europe/Berlin)"));
  return welcome["token"];
}

}  // namespace

TEST_CASE("a 09:00 Berlin nudge comes once, waits for quiet hours to end, and moves with a snooze", "[nudges][integration]") {
  TempDir data;
  auto daemon = start_daemon(data.path(), "2026-03-10T06:00:00Z");  // 07:00 in Berlin
  WsTestClient client(daemon->port());
  berlin_person_with_nine_oclock_nudge(client);
  auto nudges = answer(client, text("/nudges"), "l");
  CHECK_THAT(nudges.front()["text"].get<std::string>(), Catch::Contains("09:00 (Europe/Berlin)"));

  set_clock(*daemon, "2026-03-10T07:59:00Z");  // 08:59 Berlin
  CHECK(unprompted(client).empty());
  set_clock(*daemon, "2026-03-10T08:30:00Z");  // across 09:00 Berlin
  auto first = unprompted(client);
  REQUIRE(first.size() == 1);
  CHECK(first[0]["kind"] == "checkin");  // no step open yet: the self-care check-in
  CHECK_THAT(first[0]["text"].get<std::string>(),  // at 09:00 their time: a plan for the day
             Catch::Contains("Good morning") || Catch::Contains("Morning check-in") || Catch::Contains("a new day"));
  CHECK(choice_ids(first[0]) ==
        std::vector<std::string>{"checkin.done", "checkin.not_today", "snooze.1h", "snooze.tonight", "snooze.tomorrow"});
  set_clock(*daemon, "2026-03-10T20:00:00Z");
  CHECK(unprompted(client).empty());  // once a day

  // Quiet hours 08:00-10:00: Wednesday's nudge arrives at 10:00.
  auto quiet = answer(client, text("/quiet 08:00-10:00"), "q");
  CHECK_THAT(quiet.front()["text"].get<std::string>(), Catch::Contains("08:00-10:00"));
  set_clock(*daemon, "2026-03-11T08:59:00Z");  // 09:59 Berlin
  CHECK(unprompted(client).empty());
  set_clock(*daemon, "2026-03-11T09:00:00Z");  // 10:00 Berlin
  CHECK(unprompted(client).size() == 1);

  // Thursday: quiet hours off, a snooze of 2 hours at 08:30 moves the 09:00 nudge to 10:30.
  answer(client, text("/quiet off"), "q2");
  set_clock(*daemon, "2026-03-12T07:30:00Z");  // 08:30 Berlin
  auto snoozed = answer(client, text("/snooze 2h"), "s");
  CHECK_THAT(snoozed.front()["text"].get<std::string>(), Catch::Contains("10:30"));
  set_clock(*daemon, "2026-03-12T09:29:00Z");  // 10:29 Berlin
  CHECK(unprompted(client).empty());
  set_clock(*daemon, "2026-03-12T09:31:00Z");
  auto later = unprompted(client);
  REQUIRE(later.size() == 1);

  // A snooze button on the nudge brings it back in an hour.
  auto tapped = answer(client, tap("snooze.1h"), "b");
  CHECK_THAT(tapped.front()["text"].get<std::string>(), Catch::Contains("11:31"));
  set_clock(*daemon, "2026-03-12T10:32:00Z");
  CHECK(unprompted(client).size() == 1);
}

TEST_CASE("a step nudge names the next open step, and its done button celebrates it", "[nudges][integration]") {
  TempDir data;
  auto daemon = start_daemon(data.path(), "2026-03-10T06:00:00Z");
  WsTestClient client(daemon->port());
  berlin_person_with_nine_oclock_nudge(client);
  answer(client, text("/goal Find a new flat"), "g");
  answer(client, text("/step list neighbourhoods"), "s1");
  answer(client, text("/step set a budget"), "s2");
  answer(client, text("/done 1"), "d");
  set_clock(*daemon, "2026-03-10T08:00:00Z");
  auto got = unprompted(client);
  REQUIRE(got.size() == 1);
  CHECK(got[0]["kind"] == "nudge");
  CHECK_THAT(got[0]["text"].get<std::string>(), Catch::Contains("set a budget"));
  CHECK(choice_ids(got[0]).front() == "step.done.2");
  auto done = answer(client, tap("step.done.2"), "t");
  REQUIRE_FALSE(done.empty());
  CHECK(done.front()["kind"] == "celebration");
}

TEST_CASE("a restart between scheduling and due time loses nothing and repeats nothing", "[nudges][integration]") {
  TempDir data;
  std::string token;
  {
    auto daemon = start_daemon(data.path(), "2026-03-10T06:00:00Z");
    WsTestClient client(daemon->port());
    token = berlin_person_with_nine_oclock_nudge(client);
    daemon->kill_hard();  // kill -9: the schedule must already be on disk
  }
  {
    auto daemon = start_daemon(data.path(), "2026-03-10T07:00:00Z");
    WsTestClient client(daemon->port());
    client.hello(token);
    CHECK(scheduled_in(read_backlog(client)) == 0);
    set_clock(*daemon, "2026-03-10T08:05:00Z");
    CHECK(unprompted(client).size() == 1);
    CHECK(daemon->stop(SIGTERM) == 0);
  }
  {
    auto daemon = start_daemon(data.path(), "2026-03-10T08:10:00Z");  // restarted just after it was sent
    WsTestClient client(daemon->port());
    client.hello(token);
    CHECK(scheduled_in(read_backlog(client)) == 0);  // it was delivered before the restart
    set_clock(*daemon, "2026-03-10T12:00:00Z");
    CHECK(unprompted(client).empty());
    set_clock(*daemon, "2026-03-11T08:01:00Z");  // the next day's, once
    CHECK(unprompted(client).size() == 1);
    CHECK(daemon->stop(SIGTERM) == 0);
  }
  CHECK(count_rows(data.path() + "/bounceback.db", "SELECT COUNT(*) FROM outbox WHERE kind = 'checkin'") == 2);
}

TEST_CASE("after a 6-hour outage the stale nudge is skipped and the next day's kept", "[nudges][integration]") {
  TempDir data;
  std::string token;
  {
    auto daemon = start_daemon(data.path(), "2026-03-10T06:00:00Z");
    WsTestClient client(daemon->port());
    token = berlin_person_with_nine_oclock_nudge(client);
    answer(client, text("/goal Sleep better"), "g");
    answer(client, text("/step no phone after 22:00"), "s");
    CHECK(daemon->stop(SIGTERM) == 0);
  }
  // Down from 07:30 to 13:30 UTC: the 09:00 Berlin nudge (08:00 UTC) is 5.5 h late, over its 2 h.
  auto daemon = start_daemon(data.path(), "2026-03-10T13:30:00Z");
  WsTestClient client(daemon->port());
  client.hello(token);
  CHECK(scheduled_in(read_backlog(client)) == 0);
  set_clock(*daemon, "2026-03-10T20:00:00Z");
  CHECK(unprompted(client).empty());
  set_clock(*daemon, "2026-03-11T08:00:00Z");
  auto next_day = unprompted(client);
  REQUIRE(next_day.size() == 1);
  CHECK(next_day[0]["kind"] == "nudge");
  CHECK(count_rows(data.path() + "/bounceback.db", "SELECT COUNT(*) FROM outbox WHERE kind = 'nudge'") == 1);
}

TEST_CASE("the weekly reflection: Sunday 18:00 in the person's zone, held by quiet hours, off when asked", "[nudges][weekly][integration]") {
  TempDir data;
  auto daemon = start_daemon(data.path(), "2026-03-11T10:00:00Z");  // Wednesday, 11:00 in Berlin
  WsTestClient client(daemon->port());
  client.hello();
  read_backlog(client);
  answer(client, text("/tz Europe/Berlin"), "tz");
  answer(client, text("/goal tidy the flat"), "g");
  answer(client, text("/step wash the dishes"), "s1");
  answer(client, text("/step hoover"), "s2");
  answer(client, text("/done 1"), "d1");
  auto on = answer(client, text("/weekly on"), "w");
  CHECK_THAT(on.front()["text"].get<std::string>(), Catch::Contains("every Sunday at 18:00"));

  set_clock(*daemon, "2026-03-15T16:59:00Z");  // Sunday 17:59 in Berlin (CET, UTC+1)
  CHECK(unprompted(client).empty());
  set_clock(*daemon, "2026-03-15T17:01:00Z");  // 18:01
  auto week = unprompted(client);
  REQUIRE(week.size() == 1);
  CHECK(week[0]["kind"] == "nudge");
  std::string text_of_week = week[0]["text"];
  CHECK_THAT(text_of_week, Catch::Contains("Your week, looking back: 1 step crossed off"));
  CHECK_THAT(text_of_week, Catch::Contains("wash the dishes"));

  // Quiet hours over Sunday evening: the next one waits for them to end.
  answer(client, text("/quiet 17:00-20:00"), "q");
  set_clock(*daemon, "2026-03-22T17:30:00Z");  // Sunday 18:30, inside quiet hours
  CHECK(unprompted(client).empty());
  set_clock(*daemon, "2026-03-22T19:05:00Z");  // 20:05
  auto held = unprompted(client);
  REQUIRE(held.size() == 1);
  // Nothing crossed off this second week: the quiet week's words, not a count of zero.
  CHECK_THAT(held[0]["text"].get<std::string>(), Catch::Contains("a quiet one") || Catch::Contains("nothing crossed off"));

  // Off: the Sunday after passes in silence.
  answer(client, text("/weekly off"), "off");
  set_clock(*daemon, "2026-03-29T19:00:00Z");
  CHECK(unprompted(client).empty());
}
