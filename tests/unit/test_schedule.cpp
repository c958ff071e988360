// The due-queue and the wall-clock rules of nudges: local times in fixed zones across
// daylight-saving changes (including Lord Howe's 30-minute one), quiet hours, parsing.
#include <catch2/catch.hpp>
#include <date/tz.h>

#include <set>

#include "bot/core/iso8601.hpp"
#include "bot/core/minute_of_day.hpp"
#include "bot/schedule/due_queue.hpp"
#include "bot/schedule/local_time.hpp"

using namespace bounceback;
using schedule::next_daily;

namespace {
core::TimePoint at(const char* iso) { return *core::parse_iso8601(iso); }
std::string iso(core::TimePoint t) { return core::format_iso8601(t); }
const date::time_zone* zone(const char* name) { return date::locate_zone(name); }
}  // namespace

TEST_CASE("a daily time fires at the local wall-clock time of each zone", "[schedule]") {
  CHECK(iso(next_daily(zone("Europe/Berlin"), 9 * 60, at("2026-01-10T00:00:00Z"))) == "2026-01-10T08:00:00Z");
  CHECK(iso(next_daily(zone("Europe/Berlin"), 9 * 60, at("2026-07-10T00:00:00Z"))) == "2026-07-10T07:00:00Z");
  CHECK(iso(next_daily(zone("Asia/Kolkata"), 9 * 60, at("2026-03-10T00:00:00Z"))) == "2026-03-10T03:30:00Z");
  CHECK(iso(next_daily(zone("America/New_York"), 9 * 60, at("2026-01-10T20:00:00Z"))) == "2026-01-11T14:00:00Z");
  // Strictly after: at the instant itself, the next day's.
  CHECK(iso(next_daily(zone("Asia/Kolkata"), 9 * 60, at("2026-03-10T03:30:00Z"))) == "2026-03-11T03:30:00Z");
}

TEST_CASE("a time skipped by spring forward fires once, when the gap ends", "[schedule]") {
  // New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 does not exist.
  auto ny = zone("America/New_York");
  auto first = next_daily(ny, 2 * 60 + 30, at("2026-03-08T05:00:00Z"));
  CHECK(iso(first) == "2026-03-08T07:00:00Z");
  CHECK(iso(next_daily(ny, 2 * 60 + 30, first)) == "2026-03-09T06:30:00Z");
  // Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00Z).
  CHECK(iso(next_daily(zone("Europe/Berlin"), 2 * 60 + 30, at("2026-03-28T23:30:00Z"))) == "2026-03-29T01:00:00Z");
  // Lord Howe, 4 October 2026: 02:00 (+10:30) jumps half an hour to 02:30 (+11:00).
  auto lh = zone("Australia/Lord_Howe");
  auto gap = next_daily(lh, 2 * 60 + 15, at("2026-10-03T12:00:00Z"));
  CHECK(iso(gap) == "2026-10-03T15:30:00Z");
  CHECK(iso(next_daily(lh, 2 * 60 + 15, gap)) == "2026-10-04T15:15:00Z");
}

TEST_CASE("a time that happens twice on fall back fires once, at the first", "[schedule]") {
  auto ny = zone("America/New_York");  // 1 November 2026: 01:00-02:00 happens twice
  auto first = next_daily(ny, 90, at("2026-11-01T04:00:00Z"));
  CHECK(iso(first) == "2026-11-01T05:30:00Z");  // 01:30 EDT, not 01:30 EST (06:30Z)
  CHECK(iso(next_daily(ny, 90, first)) == "2026-11-02T06:30:00Z");
  auto berlin = zone("Europe/Berlin");  // 25 October 2026: 02:00-03:00 twice
  auto b = next_daily(berlin, 150, at("2026-10-24T22:00:00Z"));
  CHECK(iso(b) == "2026-10-25T00:30:00Z");
  CHECK(iso(next_daily(berlin, 150, b)) == "2026-10-26T01:30:00Z");
  auto lh = zone("Australia/Lord_Howe");  // 5 April 2026: 01:30-02:00 twice (30-minute change)
  auto l = next_daily(lh, 105, at("2026-04-04T12:00:00Z"));
  CHECK(iso(l) == "2026-04-04T14:45:00Z");
  CHECK(iso(next_daily(lh, 105, l)) == "2026-04-05T15:15:00Z");
}

TEST_CASE("a year of daily firings: exactly one on every local day, in every zone", "[schedule]") {
  for (const char* name : {"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"}) {
    for (int minute : {0, 90, 105, 135, 150, 9 * 60, 23 * 60 + 59}) {
      INFO(name << " at minute " << minute);
      auto z = zone(name);
      auto t = at("2026-01-01T00:00:00Z");
      std::set<date::local_days> days;
      date::local_days previous{};
      for (int i = 0; i < 400; ++i) {
        auto next = next_daily(z, minute, t);
        REQUIRE(next > t);
        auto day = date::floor<date::days>(z->to_local(next));
        REQUIRE(days.insert(day).second);                     // never twice on one local day
        if (i > 0) REQUIRE(day == previous + date::days{1});  // and never a day left out
        int local = schedule::local_minute(z, next);
        // On its own time, or just after a gap it fell into (at most an hour later).
        REQUIRE(local >= minute);
        REQUIRE(local - minute <= 60);
        previous = day;
        t = next;
      }
    }
  }
}

TEST_CASE("quiet hours hold what falls inside them until they end, across midnight", "[schedule]") {
  auto berlin = zone("Europe/Berlin");
  // 22:00-07:00: 23:00 local (22:00Z in winter) is quiet until 07:00 (06:00Z).
  auto end = schedule::quiet_until(berlin, 22 * 60, 7 * 60, at("2026-01-10T22:00:00Z"));
  REQUIRE(end);
  CHECK(iso(*end) == "2026-01-11T06:00:00Z");
  // 05:00 local is quiet as well, until 07:00 the same morning.
  CHECK(iso(*schedule::quiet_until(berlin, 22 * 60, 7 * 60, at("2026-01-11T04:00:00Z"))) == "2026-01-11T06:00:00Z");
  CHECK_FALSE(schedule::quiet_until(berlin, 22 * 60, 7 * 60, at("2026-01-11T06:00:00Z")));  // 07:00: over
  CHECK_FALSE(schedule::quiet_until(berlin, 22 * 60, 7 * 60, at("2026-01-11T12:00:00Z")));
  // 08:00-10:00 the same day.
  CHECK(iso(*schedule::quiet_until(berlin, 8 * 60, 10 * 60, at("2026-01-11T08:00:00Z"))) == "2026-01-11T09:00:00Z");
  CHECK_FALSE(schedule::quiet_until(berlin, -1, -1, at("2026-01-11T08:00:00Z")));
}

TEST_CASE("local times read and print as HH:MM", "[schedule]") {
  CHECK(core::parse_minute("07:05") == 425);
  CHECK(core::parse_minute("7:05") == 425);
  CHECK(core::parse_minute("23:59") == 1439);
  for (const char* bad : {"24:00", "7:5", "07:60", "0705", ":05", "07:05x", "-1:00", "", "ab:cd"}) {
    INFO(bad);
    CHECK_FALSE(core::parse_minute(bad));
  }
  CHECK(core::format_minute(425) == "07:05");
  // As people write them: one reader for the whole product.
  const std::pair<const char*, int> written[] = {
      {"9", 9 * 60},          {"21", 21 * 60},       {"9am", 9 * 60},     {"9 AM", 9 * 60},
      {"9:30pm", 21 * 60 + 30}, {"9.30 p.m.", 21 * 60 + 30}, {"12am", 0}, {"12pm", 12 * 60},
      {"21h", 21 * 60},       {"21h30", 21 * 60 + 30}, {"7.05", 425},     {"07:05", 425}};
  for (auto [text, minute] : written) {
    INFO(text);
    CHECK(core::parse_minute(text) == minute);
  }
  for (const char* bad : {"13pm", "0am", "9 o'clock", "25", "9:5pm", "h", "am", "9:30:00", "9,30"}) {
    INFO(bad);
    CHECK_FALSE(core::parse_minute(bad));
  }
  auto berlin = zone("Europe/Berlin");
  auto now = at("2026-01-11T08:00:00Z");
  CHECK(schedule::describe_local(berlin, at("2026-01-11T10:00:00Z"), now) == "11:00");
  CHECK(schedule::describe_local(berlin, at("2026-01-12T08:00:00Z"), now) == "tomorrow 09:00");
  CHECK(schedule::describe_local(berlin, at("2026-01-14T08:00:00Z"), now) == "Wednesday 09:00");
  CHECK(std::string(schedule::zone_or_utc("Nowhere/Special")->name()) == "UTC");
}

TEST_CASE("the due-queue hands out what is due, earliest first", "[schedule]") {
  std::vector<core::DueItem> items;
  for (int i = 0; i < 100; ++i)
    items.push_back({at("2026-01-01T00:00:00Z") + std::chrono::minutes((i * 37) % 100), i, 0, 0, core::DueKind::daily});
  schedule::DueQueue queue(std::move(items));
  CHECK(queue.size() == 100);
  CHECK(iso(*queue.earliest()) == "2026-01-01T00:00:00Z");
  queue.push({at("2025-12-31T23:59:00Z"), 1000, 0, 0, core::DueKind::remind});
  auto due = queue.pop_due(at("2026-01-01T00:09:00Z"));
  REQUIRE(due.size() == 11);  // the pushed one and minutes 0..9
  CHECK(due.front().person == 1000);
  for (std::size_t i = 1; i < due.size(); ++i) CHECK(due[i - 1].due <= due[i].due);
  CHECK(queue.size() == 90);
  CHECK(queue.pop_due(at("2026-01-01T00:09:59Z")).empty());
  CHECK(queue.pop_due(at("2026-01-01T02:00:00Z"), 5).size() == 5);  // the limit holds
  CHECK(queue.size() == 85);
}

TEST_CASE("ISO-8601 times: Z, offsets and fractions read, anything else refused without undefined behaviour", "[time]") {
  CHECK(core::parse_iso8601("2026-03-08T06:00:00Z"));
  CHECK(core::parse_iso8601("2026-03-08T06:00:00.250Z"));
  CHECK(core::format_iso8601(*core::parse_iso8601("2026-03-08T07:00:00+01:00")) == "2026-03-08T06:00:00Z");
  // What fuzz_text_parsers found: a byte inside the time made date::parse turn a NaN into
  // an integer.
  CHECK_FALSE(core::parse_iso8601("2026-03-08T06\320:00:00Z"));
  for (const char* bad : {"", "2026-03-08", "2026-03-08T06:00:00", "2026-03-08T06:00:00Zjunk", "2026-03-08T06:00:00.Z",
                          "2026-03-08T06:00:00+0100", "２０２６-03-08T06:00:00Z", "2026-03-08 06:00:00Z"})
    CHECK_FALSE(core::parse_iso8601(bad));
}
