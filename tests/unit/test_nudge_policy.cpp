// The nudge policy on its own: which due nudge is sent, held, or skipped, and where its
// item goes next (times in Europe/Berlin, UTC+1 in March).
#include <catch2/catch.hpp>

#include "bot/coach/nudge_policy.hpp"
#include "bot/core/iso8601.hpp"

using namespace bounceback;
using coach::decide_nudge;
using Send = coach::NudgeDecision::Send;

namespace {
core::TimePoint at(const char* iso) { return *core::parse_iso8601(iso); }
std::string iso(core::TimePoint t) { return core::format_iso8601(t); }

core::Person berliner() {
  core::Person p;
  p.id = 7;
  p.timezone = "Europe/Berlin";
  p.nudges.times = {9 * 60};
  p.last_seen = at("2026-03-10T07:00:00Z");
  return p;
}

core::DueItem nine_oclock(const char* due = "2026-03-10T08:00:00Z") {
  return {at(due), 7, 0, 9 * 60, core::DueKind::daily};
}
}  // namespace

TEST_CASE("a due nudge is sent and its item moves to the next day", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  auto d = decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules);
  CHECK(d.send == Send::step_nudge);
  REQUIRE(d.next);
  CHECK(iso(*d.next) == "2026-03-11T08:00:00Z");
  CHECK(p.nudges.unanswered == 1);
  CHECK(decide_nudge(p, nine_oclock("2026-03-11T08:00:00Z"), false, at("2026-03-11T08:00:00Z"), rules).send ==
        Send::checkin);  // no open step: the check-in
}

TEST_CASE("paused, or right after a crisis, nothing is sent and the streak of items goes on", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  p.nudges.paused = true;
  auto d = decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules);
  CHECK(d.send == Send::nothing);
  CHECK(std::string(d.why) == "paused");
  CHECK(iso(*d.next) == "2026-03-11T08:00:00Z");
  p.nudges.paused = false;
  p.safety_pause_until = at("2026-03-11T00:00:00Z");
  CHECK(std::string(decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules).why) == "safety_pause");
}

TEST_CASE("missed work: a nudge past 2 h is skipped, a check-in lasts the rest of the local day", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  auto late = decide_nudge(p, nine_oclock(), true, at("2026-03-10T10:01:00Z"), rules);
  CHECK(late.send == Send::nothing);
  CHECK(std::string(late.why) == "late");
  CHECK(iso(*late.next) == "2026-03-11T08:00:00Z");
  CHECK(decide_nudge(p, nine_oclock(), true, at("2026-03-10T09:59:00Z"), rules).send == Send::step_nudge);
  auto q = berliner();  // a check-in at 22:59 Berlin is still today's; at 23:01 (00:01 local) not
  CHECK(decide_nudge(q, nine_oclock(), false, at("2026-03-10T22:59:00Z"), rules).send == Send::checkin);
  auto r = berliner();
  CHECK(std::string(decide_nudge(r, nine_oclock(), false, at("2026-03-10T23:01:00Z"), rules).why) == "late");
}

TEST_CASE("quiet hours hold a nudge until they end, or drop it when its kind says so", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  p.nudges.quiet_from = 8 * 60;
  p.nudges.quiet_to = 10 * 60;
  auto held = decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules);
  CHECK(held.send == Send::nothing);
  CHECK(iso(*held.next) == "2026-03-10T09:00:00Z");  // 10:00 Berlin, the same item
  CHECK(p.nudges.unanswered == 0);
  rules.drop_nudge_when_quiet = true;
  auto dropped = decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules);
  CHECK(std::string(dropped.why) == "quiet");
  CHECK(iso(*dropped.next) == "2026-03-11T08:00:00Z");
}

TEST_CASE("a snooze holds a nudge until it ends, then a snooze button's reminder moves with it", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  p.nudges.snoozed_until = at("2026-03-10T09:30:00Z");
  auto held = decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules);
  CHECK(iso(*held.next) == "2026-03-10T09:30:00Z");
  auto q = berliner();
  q.nudges.quiet_from = 22 * 60;
  q.nudges.quiet_to = 7 * 60;
  q.nudges.remind_at = at("2026-03-10T22:00:00Z");  // 23:00 Berlin, inside quiet hours
  core::DueItem remind{q.nudges.remind_at, 7, 0, 0, core::DueKind::remind};
  auto moved = decide_nudge(q, remind, true, at("2026-03-10T22:00:00Z"), rules);
  CHECK(iso(*moved.next) == "2026-03-11T06:00:00Z");
  CHECK(q.nudges.remind_at == *moved.next);
  remind.due = *moved.next;
  auto sent = decide_nudge(q, remind, true, *moved.next, rules);
  CHECK(sent.send == Send::step_nudge);
  CHECK_FALSE(sent.next);  // a one-off
  CHECK(q.nudges.remind_at == core::TimePoint{});
}

TEST_CASE("after three unanswered nudges, every other one, then it says so once", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  p.last_seen = at("2026-03-09T20:00:00Z");
  std::vector<bool> sent;
  std::vector<bool> announced;
  auto due = at("2026-03-10T08:00:00Z");
  for (int day = 0; day < 7; ++day) {
    auto d = decide_nudge(p, {due, 7, 0, 9 * 60, core::DueKind::daily}, true, due, rules);
    sent.push_back(d.send != Send::nothing);
    announced.push_back(d.announce_half_rate);
    due = *d.next;
  }
  CHECK(sent == std::vector<bool>{true, true, true, false, true, false, true});
  CHECK(announced == std::vector<bool>{false, false, true, false, false, false, false});
}

TEST_CASE("after days of silence a nudge becomes encouragement, then two never come minutes apart", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  p.last_seen = at("2026-03-06T12:00:00Z");
  CHECK(decide_nudge(p, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules).send == Send::encouragement);
  auto q = berliner();
  q.nudges.times = {9 * 60, 9 * 60 + 5};
  CHECK(decide_nudge(q, nine_oclock(), true, at("2026-03-10T08:00:00Z"), rules).send == Send::step_nudge);
  auto second = decide_nudge(q, {at("2026-03-10T08:05:00Z"), 7, 0, 9 * 60 + 5, core::DueKind::daily}, true,
                             at("2026-03-10T08:05:00Z"), rules);
  CHECK(std::string(second.why) == "too_soon");
}

TEST_CASE("snooze lengths: minutes, hours, tonight, tomorrow", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  auto now = at("2026-03-10T09:00:00Z");  // 10:00 Berlin
  CHECK(iso(*coach::snooze_end(p, "30m", now, rules)) == "2026-03-10T09:30:00Z");
  CHECK(iso(*coach::snooze_end(p, "2h", now, rules)) == "2026-03-10T11:00:00Z");
  CHECK(iso(*coach::snooze_end(p, "tonight", now, rules)) == "2026-03-10T19:00:00Z");  // 20:00 Berlin
  CHECK(iso(*coach::snooze_end(p, "tomorrow", now, rules)) == "2026-03-11T08:00:00Z");  // the 09:00 nudge time
  CHECK(iso(*coach::snooze_end(p, "tonight", at("2026-03-10T19:30:00Z"), rules)) == "2026-03-10T20:30:00Z");
  for (const char* bad : {"", "h", "0m", "-2h", "49h", "2d", "soon", "2hx"}) {
    INFO(bad);
    CHECK_FALSE(coach::snooze_end(p, bad, now, rules));
  }
}

TEST_CASE("a new zone plans every time again under a new epoch", "[nudges][policy]") {
  coach::NudgeRules rules;
  auto p = berliner();
  p.nudges.times = {9 * 60, 20 * 60};
  auto items = coach::plan_nudges(p, at("2026-03-10T07:00:00Z"), rules);
  REQUIRE(items.size() == 2);
  CHECK(iso(items[0].due) == "2026-03-10T08:00:00Z");
  CHECK(iso(items[1].due) == "2026-03-10T19:00:00Z");
  p.timezone = "Asia/Kolkata";
  auto again = coach::plan_nudges(p, at("2026-03-10T07:00:00Z"), rules);
  CHECK(again[0].epoch == items[0].epoch + 1);
  CHECK(iso(again[0].due) == "2026-03-11T03:30:00Z");  // 09:00 in Kolkata has passed today
  CHECK(iso(again[1].due) == "2026-03-10T14:30:00Z");
}
