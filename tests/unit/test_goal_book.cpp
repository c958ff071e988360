#include <catch2/catch.hpp>
#include <date/tz.h>

#include <random>

#include "bot/coach/goal_actions.hpp"
#include "bot/coach/goal_book.hpp"
#include "bot/core/iso8601.hpp"

using namespace bounceback;
using coach::GoalBook;
using coach::StepOutcome;

namespace {
core::TimePoint at(const char* iso) { return *core::parse_iso8601(iso); }
}  // namespace

TEST_CASE("steps are crossed off once, with what to celebrate", "[goals]") {
  GoalBook book;
  CHECK(book.complete_step(1, at("2026-03-08T10:00:00Z"), "UTC").result == StepOutcome::Result::no_goal);
  CHECK_FALSE(book.add_step("no goal yet", at("2026-03-08T10:00:00Z")));
  book.start_goal("Find a new flat", at("2026-03-08T10:00:00Z"));
  for (const char* s : {"list neighbourhoods", "set a budget", "book viewings", "apply"})
    REQUIRE(book.add_step(s, at("2026-03-08T10:00:00Z")));

  auto first = book.complete_step(1, at("2026-03-08T11:00:00Z"), "UTC");
  CHECK(first.result == StepOutcome::Result::done);
  CHECK(first.first_ever);
  CHECK_FALSE(first.halfway);
  CHECK(first.streak_days == 1);

  CHECK(book.complete_step(1, at("2026-03-08T12:00:00Z"), "UTC").result == StepOutcome::Result::already_done);
  CHECK(book.complete_step(9, at("2026-03-08T12:00:00Z"), "UTC").result == StepOutcome::Result::no_such_step);

  auto second = book.complete_step(3, at("2026-03-09T09:00:00Z"), "UTC");
  CHECK_FALSE(second.first_ever);
  CHECK(second.halfway);  // 2 of 4
  CHECK(second.streak_days == 2);

  book.complete_step(2, at("2026-03-09T10:00:00Z"), "UTC");
  auto last = book.complete_step(4, at("2026-03-09T11:00:00Z"), "UTC");
  CHECK(last.goal_complete);
  CHECK(book.current()->completed_at);
  CHECK(book.current()->done() == 4);
}

TEST_CASE("undo takes a step back, and its win with it", "[goals]") {
  GoalBook book;
  book.start_goal("g", at("2026-03-08T10:00:00Z"));
  book.add_step("a", at("2026-03-08T10:00:00Z"));
  book.complete_step(1, at("2026-03-08T11:00:00Z"), "UTC");
  CHECK(book.wins().size() == 1);
  CHECK(book.undo_step(1));
  CHECK_FALSE(book.undo_step(1));
  CHECK(book.wins().empty());
  CHECK(book.current()->done() == 0);
}

TEST_CASE("streaks count days in the person's own time zone", "[goals][streak]") {
  GoalBook book;
  book.start_goal("g", at("2026-03-01T00:00:00Z"));
  for (int i = 0; i < 5; ++i) book.add_step("s", at("2026-03-01T00:00:00Z"));
  // 23:30 UTC on the 8th is already the 9th in Kolkata (UTC+5:30) but still the 8th in New York.
  book.complete_step(1, at("2026-03-08T20:00:00Z"), "Asia/Kolkata");  // 9th 01:30 in Kolkata
  book.complete_step(2, at("2026-03-09T20:00:00Z"), "Asia/Kolkata");  // 10th 01:30
  CHECK(book.streak_days(at("2026-03-09T20:00:00Z"), "Asia/Kolkata") == 2);
  CHECK(book.streak_days(at("2026-03-09T20:00:00Z"), "America/New_York") == 2);  // 8th and 9th 15:00/16:00

  // Two wins either side of UTC midnight: one day in New York, two in UTC.
  GoalBook night;
  night.start_goal("g", at("2026-03-01T00:00:00Z"));
  night.add_step("a", at("2026-03-01T00:00:00Z"));
  night.add_step("b", at("2026-03-01T00:00:00Z"));
  night.complete_step(1, at("2026-03-10T23:30:00Z"), "UTC");
  night.complete_step(2, at("2026-03-11T00:30:00Z"), "UTC");
  CHECK(night.streak_days(at("2026-03-11T00:30:00Z"), "UTC") == 2);
  CHECK(night.streak_days(at("2026-03-11T00:30:00Z"), "America/New_York") == 1);

  // A streak is kept through today until the day is over, and broken by a day without a win.
  CHECK(book.streak_days(at("2026-03-10T17:00:00Z"), "Asia/Kolkata") == 2);  // 10th 22:30: today counts
  CHECK(book.streak_days(at("2026-03-11T20:00:00Z"), "Asia/Kolkata") == 0);  // the 11th went by empty

  book.record_checkin(at("2026-03-10T20:00:00Z"));  // 11th 01:30 in Kolkata: a check-in counts too
  CHECK(book.streak_days(at("2026-03-10T20:00:00Z"), "Asia/Kolkata") == 3);
}

TEST_CASE("the goal book survives a JSON round trip, then broken JSON is an empty book", "[goals]") {
  GoalBook book;
  book.start_goal("Run 5k", at("2026-03-08T10:00:00Z"));
  book.add_step("buy shoes", at("2026-03-08T10:00:00Z"));
  book.add_step("run 1k", at("2026-03-08T10:00:00Z"));
  book.complete_step(1, at("2026-03-08T11:00:00Z"), "UTC");
  book.record_checkin(at("2026-03-08T12:00:00Z"));
  auto again = GoalBook::from_parts({}, book.to_json());
  CHECK(again.goals() == book.goals());
  CHECK(again.wins() == book.wins());
  CHECK(GoalBook::from_parts({}, "{oops").goals().empty());

  // Any text survives: quotes, backslashes, control characters, emoji; bad bytes are replaced.
  GoalBook odd;
  odd.start_goal("say \"no\" \\ rest\n\ttoday \x01 🎉", at("2026-03-08T10:00:00Z"));
  odd.add_step(std::string("bad \xff byte"), at("2026-03-08T10:00:00Z"));
  auto back = GoalBook::from_parts({}, odd.to_json());
  REQUIRE(back.current());
  CHECK(back.current()->title == odd.current()->title);
  CHECK(back.current()->steps.at(0).text.rfind("bad ", 0) == 0);
}

TEST_CASE("the progress bar", "[goals]") {
  CHECK(coach::progress_bar(3, 5) == "▓▓▓░░ 3/5");
  CHECK(coach::progress_bar(0, 5) == "░░░░░ 0/5");
  CHECK(coach::progress_bar(5, 5) == "▓▓▓▓▓ 5/5");
  CHECK(coach::progress_bar(1, 20) == "▓░░░░ 1/20");   // any progress shows
  CHECK(coach::progress_bar(19, 20) == "▓▓▓▓░ 19/20"); // not full until done
  CHECK(coach::progress_bar(0, 0).empty());
}

TEST_CASE("paused days neither count for the streak nor break it", "[goals][streak]") {
  GoalBook book;
  book.record_checkin(at("2026-03-01T10:00:00Z"));
  book.record_checkin(at("2026-03-02T10:00:00Z"));
  // Three quiet days: without a pause the streak is gone.
  CHECK(book.streak_days(at("2026-03-06T10:00:00Z"), "UTC") == 0);
  GoalBook paused = book;
  paused.start_rest(at("2026-03-03T08:00:00Z"));
  paused.start_rest(at("2026-03-04T08:00:00Z"));  // a second /pause changes nothing
  paused.end_rest(at("2026-03-05T20:00:00Z"));
  paused.record_checkin(at("2026-03-06T10:00:00Z"));
  CHECK(paused.streak_days(at("2026-03-06T12:00:00Z"), "UTC") == 3);  // 1st, 2nd, 6th
  // Still paused today: yesterday's streak holds.
  GoalBook still = book;
  still.start_rest(at("2026-03-03T08:00:00Z"));
  CHECK(still.streak_days(at("2026-03-09T12:00:00Z"), "UTC") == 2);
  auto round = GoalBook::from_parts({}, paused.to_json());
  CHECK(round.streak_days(at("2026-03-06T12:00:00Z"), "UTC") == 3);
  CHECK(round.to_json() == paused.to_json());
}

TEST_CASE("the journal of changes replayed on a snapshot gives the same book", "[goals][journal]") {
  auto t = [](int minutes) { return core::TimePoint{std::chrono::minutes{minutes}}; };
  coach::GoalBook book;
  book.start_goal("Sleep \"better\"\n", t(0));
  std::string snapshot = book.to_json();
  book.take_journal();
  book.add_step("no phone after 22:00", t(1));
  book.add_step("tea", t(2));
  book.complete_step(2, t(3), "Europe/Berlin");
  book.complete_step(1, t(4), "Europe/Berlin");
  book.undo_step(1);
  book.record_checkin(t(5));
  book.start_rest(t(6));
  book.end_rest(t(7));
  book.complete_step(1, t(8), "UTC");
  book.start_goal("Next", t(9));
  auto entries = book.take_journal();
  CHECK(entries.size() == 10);
  CHECK(book.take_journal().empty());
  // Changes that change nothing are not written down.
  book.complete_step(1, t(10), "UTC");  // no steps in "Next"
  book.end_rest(t(10));                 // not resting
  CHECK(book.take_journal().empty());

  coach::GoalBook again = coach::GoalBook::from_parts({}, snapshot);
  for (const auto& e : entries) again.replay(e);
  CHECK(again.to_json() == book.to_json());
  CHECK(again.take_journal().empty());  // replaying writes nothing new
  // Entries are stored one per line: a step written on two lines stays one entry.
  coach::GoalBook lines;
  lines.start_goal("a\ngoal", core::TimePoint{});
  lines.add_step("two\nlines", core::TimePoint{});
  auto written = lines.take_journal();
  for (const auto& e : written) CHECK(e.find('\n') == std::string::npos);
  coach::GoalBook read_back;
  for (const auto& e : written) read_back.replay(e);
  REQUIRE(read_back.current());
  CHECK(read_back.current()->title == "a\ngoal");
  CHECK(read_back.current()->steps.at(0).text == "two\nlines");
  again.replay("not json");
  again.replay(R"({"op":"teleport","at":1})");
  CHECK(again.to_json() == book.to_json());
}

namespace {

// The streak and the week's count as first written: a walk over every win, for comparison.
int reference_streak(const coach::GoalBook& book, core::TimePoint now, const date::time_zone* tz) {
  auto day_of = [tz](core::TimePoint t) { return date::floor<date::days>(tz->to_local(t)); };
  auto today = day_of(now), expected = today;
  int streak = 0;
  const auto& wins = book.wins();
  for (auto it = wins.rbegin(); it != wins.rend(); ++it) {
    auto day = day_of(it->at);
    if (day > expected) continue;
    while (expected > day && streak == 0 && expected == today) expected -= date::days{1};
    if (day != expected) break;
    ++streak;
    expected = day - date::days{1};
  }
  return streak;
}

}  // namespace

TEST_CASE("streaks and the week's steps with a long history agree with a walk over every win", "[goals][streak]") {
  const date::time_zone* tz = date::locate_zone("Asia/Kolkata");
  std::mt19937 rng(11);
  for (int round = 0; round < 50; ++round) {
    coach::GoalBook book;
    book.start_goal("many", core::TimePoint{});
    auto t = core::TimePoint{std::chrono::hours(24 * 20000)};
    int steps = 0;
    for (int i = 0; i < 300; ++i) {
      // Bursts of wins in a day, sometimes a day or two without.
      t += std::chrono::minutes(std::uniform_int_distribution<int>(1, 100)(rng));
      if (std::uniform_int_distribution<int>(0, 40)(rng) == 0) t += std::chrono::hours(30);
      if (std::uniform_int_distribution<int>(0, 5)(rng) == 0) {
        book.record_checkin(t);
      } else {
        book.add_step("s" + std::to_string(i), t);
        book.complete_step(++steps, t, "Asia/Kolkata");
      }
    }
    if (round % 2) book.undo_step(steps / 2);  // an undo in the middle of the history
    auto now = t + std::chrono::hours(std::uniform_int_distribution<int>(0, 40)(rng));
    CHECK(book.streak_days(now, "Asia/Kolkata") == reference_streak(book, now, tz));
    auto since = now - std::chrono::hours(24 * 7);
    int count = 0;
    for (const auto& w : book.wins()) count += w.kind == coach::Win::Kind::step && w.at >= since;
    auto week = book.recent_steps(since, 5);
    CHECK(week.count == count);
    CHECK(book.recent_steps(since, 0).count == count);  // counted without any label asked for
    if (count > 0) {
      REQUIRE(static_cast<int>(week.labels.size()) == std::min(5, count));
      CHECK(week.labels.front() == std::find_if(book.wins().rbegin(), book.wins().rend(), [](const coach::Win& w) {
                                     return w.kind == coach::Win::Kind::step;
                                   })->label);
    }
  }
}

TEST_CASE("finished goals move to archive parts written once, then parts and live snapshot give the book back", "[goals]") {
  GoalBook book;
  auto day = [](int d, int h) {
    char iso[32];
    std::snprintf(iso, sizeof iso, "2026-04-%02dT%02d:00:00Z", d, h);
    return at(iso);
  };
  auto finish_goal = [&](GoalBook& b, int d) {
    b.start_goal("goal " + std::to_string(d), day(d, 8));
    b.add_step("a", day(d, 8));
    b.add_step("b", day(d, 8));
    b.complete_step(1, day(d, 9), "UTC");
    b.complete_step(2, day(d, 10), "UTC");
    b.record_checkin(day(d, 11));
  };
  for (int d = 1; d <= 3; ++d) finish_goal(book, d);
  CHECK_FALSE(book.take_archive(3));  // three goals, one of them current: two finished
  finish_goal(book, 4);
  auto part1 = book.take_archive(3);  // goals 1-3 and their wins; goal 4 is current
  REQUIRE(part1);
  CHECK(part1->find("goal 3") != std::string::npos);
  CHECK(part1->find("goal 4") == std::string::npos);
  std::string live = book.to_json();
  CHECK(live.find("goal 1") == std::string::npos);  // the snapshot no longer carries them
  CHECK(live.find("goal 4") != std::string::npos);
  CHECK_FALSE(book.take_archive(3));  // nothing new to archive

  auto reloaded = GoalBook::from_parts({*part1}, live);
  CHECK(reloaded.goals() == book.goals());
  CHECK(reloaded.wins() == book.wins());
  CHECK(reloaded.to_json() == live);
  CHECK(reloaded.streak_days(day(4, 20), "UTC") == 4);
  CHECK(reloaded.recent_steps(day(1, 0), 0).count == 8);

  // Going on after a reload: a second part continues where the first ended.
  for (int d = 5; d <= 8; ++d) {
    finish_goal(book, d);
    finish_goal(reloaded, d);
  }
  auto part2 = reloaded.take_archive(3);
  REQUIRE(part2);
  CHECK(part2->find("goal 4") != std::string::npos);
  CHECK(part2->find("goal 3") == std::string::npos);
  auto again = GoalBook::from_parts({*part1, *part2}, reloaded.to_json());
  CHECK(again.goals() == book.goals());
  CHECK(again.wins() == book.wins());
  CHECK(again.streak_days(day(8, 20), "UTC") == 8);

  // A broken part is skipped; the rest of the book still loads.
  auto partial = GoalBook::from_parts({"{oops", *part2}, reloaded.to_json());
  CHECK(partial.goals().size() == book.goals().size() - 3);
}

TEST_CASE("undoing a step never takes a win out of an archived part", "[goals]") {
  // A step done "before" its goal began (clocks disagree, or a manual one) has its win
  // before the cut, so it goes into the archive with the finished goals.
  GoalBook book;
  book.start_goal("first", at("2026-04-01T09:00:00Z"));
  book.start_goal("second", at("2026-04-01T11:00:00Z"));
  book.add_step("early", at("2026-04-01T11:00:00Z"));
  book.complete_step(1, at("2026-04-01T10:00:00Z"), "UTC");
  auto part = book.take_archive(1);
  REQUIRE(part);
  REQUIRE(part->find("early") != std::string::npos);  // the win went with "first"
  CHECK(book.undo_step(1));  // the step is open again...
  CHECK(book.wins().size() == 1);  // ...but the archived part, written once, is not rewritten
  auto reloaded = GoalBook::from_parts({*part}, book.to_json());
  CHECK(reloaded.goals() == book.goals());
  CHECK(reloaded.wins() == book.wins());
}

TEST_CASE("typed words name an open step: called/call, dishes/dish, never a done one or a tie", "[goals]") {
  GoalBook book;
  book.start_goal("Get the flat in order", at("2026-03-08T10:00:00Z"));
  for (const char* s : {"do the dishes", "call mum about the weekend", "email the landlord", "email the bank"})
    REQUIRE(book.add_step(s, at("2026-03-08T10:00:00Z")));
  const auto& goal = *book.current();
  CHECK(coach::open_step_named_by(goal, "I finished the dishes!") == 1);
  CHECK(coach::open_step_named_by(goal, "done, I called my mum") == 2);
  CHECK(coach::open_step_named_by(goal, "emailed the landlord finally") == 3);
  CHECK(coach::open_step_named_by(goal, "sent the email") == 0);  // the landlord or the bank: ask
  CHECK(coach::open_step_named_by(goal, "I went for a run") == 0);
  CHECK(coach::open_step_named_by(goal, "I did it") == 0);  // no word that names a task
  CHECK(coach::open_step_named_by(goal, "I called") == 0);  // the verb alone: which call?
  book.complete_step(1, at("2026-03-08T11:00:00Z"), "UTC");
  CHECK(coach::open_step_named_by(goal, "dishes done") == 0);  // already crossed off
}

TEST_CASE("moods: a mark a day in the person's zone, the trend, low days in a row, kept and replayed", "[goals][mood]") {
  GoalBook book;
  // Two weeks: the first low (2), the second better (4), then three awful days ending today.
  auto day = [](int d) {  // 20:00 in Berlin (19:00 UTC) on March d
    char iso[32];
    std::snprintf(iso, sizeof iso, "2026-03-%02dT19:00:00Z", d);
    return at(iso);
  };
  for (int d = 1; d <= 7; ++d) book.record_mood(day(d), 2, "");
  for (int d = 8; d <= 11; ++d) book.record_mood(day(d), 4, d == 8 ? "rested" : "");
  for (int d = 12; d <= 14; ++d) book.record_mood(day(d), 1, "");
  auto now = at("2026-03-14T21:00:00Z");
  auto summary = book.mood_summary(now, "Europe/Berlin");
  CHECK(summary.sparkline == "▃▃▃▃▃▃▃▆▆▆▆▁▁▁");  // 2 of 5 is the third of seven marks
  CHECK(summary.entries == 14);
  CHECK(summary.low_days_in_a_row == 3);
  CHECK(summary.recent == Approx((4 * 4 + 3 * 1) / 7.0));
  CHECK(summary.earlier == Approx(2.0));

  // A day without an entry is a dot, and yesterday's low run still counts before today's entry.
  auto next_day = at("2026-03-16T09:00:00Z");
  auto later = book.mood_summary(next_day, "Europe/Berlin");
  CHECK(later.sparkline.substr(later.sparkline.size() - 7) == "▁··");  // the 14th, the empty 15th, today
  CHECK(later.low_days_in_a_row == 0);                                 // the 15th broke it

  // Kept in the snapshot, and replayed from the journal.
  auto copy = GoalBook::from_parts({}, book.to_json());
  CHECK(copy.moods() == book.moods());
  CHECK(copy.moods()[7].word == "rested");
  GoalBook replayed;
  for (const auto& e : book.take_journal()) replayed.replay(e);
  CHECK(replayed.moods() == book.moods());
}

TEST_CASE("the week's steps say when they began in the person's days: today, yesterday, Monday, last Sunday",
          "[goals]") {
  // 2026-03-08 was a Sunday.
  GoalBook book;
  book.start_goal("Find a new flat", at("2026-03-01T10:00:00Z"));
  for (const char* s : {"list neighbourhoods", "set a budget"}) REQUIRE(book.add_step(s, at("2026-03-01T10:00:00Z")));
  book.complete_step(1, at("2026-03-08T09:00:00Z"), "Europe/Berlin");
  auto wins = [&](const char* now, const char* zone) {
    return *coach::GoalActions::value(book, "recent_wins", at(now), zone);
  };
  CHECK(wins("2026-03-08T20:00:00Z", "Europe/Berlin") == "1 step today: list neighbourhoods");
  CHECK(wins("2026-03-09T08:00:00Z", "Europe/Berlin") == "1 step since yesterday: list neighbourhoods");
  CHECK(wins("2026-03-11T08:00:00Z", "Europe/Berlin") == "1 step since Sunday: list neighbourhoods");
  // A week on, on a Sunday again: not "since Sunday", which would read as today.
  CHECK(wins("2026-03-15T08:00:00Z", "Europe/Berlin") == "1 step since last Sunday: list neighbourhoods");
  // The person's day, not UTC's: 23:30 in New York on Saturday is Sunday in UTC.
  GoalBook late;
  late.start_goal("Sleep", at("2026-03-01T10:00:00Z"));
  REQUIRE(late.add_step("no phone in bed", at("2026-03-01T10:00:00Z")));
  late.complete_step(1, at("2026-03-08T04:30:00Z"), "America/New_York");  // Saturday 23:30 there
  CHECK(*coach::GoalActions::value(late, "recent_wins", at("2026-03-08T15:00:00Z"), "America/New_York") ==
        "1 step since yesterday: no phone in bed");
}
