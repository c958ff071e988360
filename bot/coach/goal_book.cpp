#include "bot/coach/goal_book.hpp"

#include <date/tz.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace bounceback::coach {

using nlohmann::json;

namespace {

std::int64_t ms(core::TimePoint t) { return t.time_since_epoch().count(); }
core::TimePoint at_ms(std::int64_t v) { return core::TimePoint{std::chrono::milliseconds{v}}; }

// The calendar day of `t` in `zone` (UTC when the zone is unknown).
date::local_days local_day(core::TimePoint t, const std::string& zone) {
  try {
    const date::time_zone* tz = date::locate_zone(zone.empty() ? "UTC" : zone);
    return date::floor<date::days>(tz->to_local(t));
  } catch (const std::exception&) {
    return date::local_days{date::floor<date::days>(t).time_since_epoch()};
  }
}

}  // namespace

int Goal::done() const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const Step& s) { return s.done_at.has_value(); }));
}

void GoalBook::start_goal(std::string title, core::TimePoint now) {
  goals_.push_back(Goal{std::move(title), now, std::nullopt, {}});
}

bool GoalBook::add_step(std::string text, core::TimePoint now) {
  if (goals_.empty()) return false;
  goals_.back().steps.push_back(Step{std::move(text), now, std::nullopt});
  goals_.back().completed_at.reset();  // a new step reopens a finished goal
  return true;
}

StepOutcome GoalBook::complete_step(int number, core::TimePoint now, const std::string& timezone) {
  StepOutcome out;
  if (goals_.empty()) return out;
  Goal& goal = goals_.back();
  if (number < 1 || number > goal.total()) {
    out.result = StepOutcome::Result::no_such_step;
    return out;
  }
  Step& step = goal.steps[static_cast<std::size_t>(number - 1)];
  if (step.done_at) {
    out.result = StepOutcome::Result::already_done;
    return out;
  }
  bool any_before = std::any_of(wins_.begin(), wins_.end(), [](const Win& w) { return w.kind == Win::Kind::step; });
  int before = goal.done();
  step.done_at = now;
  wins_.push_back({Win::Kind::step, now, step.text});
  int after = before + 1;
  out.result = StepOutcome::Result::done;
  out.first_ever = !any_before;
  out.goal_complete = after == goal.total();
  out.halfway = !out.goal_complete && goal.total() >= 4 && before * 2 < goal.total() && after * 2 >= goal.total();
  if (out.goal_complete) goal.completed_at = now;
  out.streak_days = streak_days(now, timezone);
  return out;
}

bool GoalBook::undo_step(int number) {
  if (goals_.empty()) return false;
  Goal& goal = goals_.back();
  if (number < 1 || number > goal.total()) return false;
  Step& step = goal.steps[static_cast<std::size_t>(number - 1)];
  if (!step.done_at) return false;
  // The win it earned goes with it (the most recent step win at that moment).
  auto it = std::find_if(wins_.rbegin(), wins_.rend(),
                         [&](const Win& w) { return w.kind == Win::Kind::step && w.at == *step.done_at; });
  if (it != wins_.rend()) wins_.erase(std::next(it).base());
  step.done_at.reset();
  goal.completed_at.reset();
  return true;
}

void GoalBook::record_checkin(core::TimePoint now) { wins_.push_back({Win::Kind::checkin, now, {}}); }

int GoalBook::streak_days(core::TimePoint now, const std::string& timezone) const {
  // Walk back from the newest win only as far as the streak goes: a long history costs
  // nothing per message. Wins are kept in time order.
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(timezone.empty() ? "UTC" : timezone);
  } catch (const std::exception&) {
    tz = date::locate_zone("UTC");
  }
  auto day_of = [tz](core::TimePoint t) { return date::floor<date::days>(tz->to_local(t)); };
  auto today = day_of(now);
  auto expected = today;  // the next day the streak needs, going back
  int streak = 0;
  for (auto it = wins_.rbegin(); it != wins_.rend(); ++it) {
    auto day = day_of(it->at);
    if (day > expected) continue;  // a later win on a day already counted
    if (streak == 0 && day == today - date::days{1}) expected = day;  // today may not have a win yet
    if (day != expected) break;
    ++streak;
    expected = day - date::days{1};
  }
  return streak;
}

int GoalBook::steps_done_since(core::TimePoint since) const {
  return static_cast<int>(std::count_if(wins_.begin(), wins_.end(),
                                        [&](const Win& w) { return w.kind == Win::Kind::step && w.at >= since; }));
}

std::string GoalBook::to_json() const {
  json goals = json::array();
  for (const auto& g : goals_) {
    json steps = json::array();
    for (const auto& s : g.steps) {
      json step = {{"text", s.text}, {"created", ms(s.created)}};
      if (s.done_at) step["done"] = ms(*s.done_at);
      steps.push_back(std::move(step));
    }
    json goal = {{"title", g.title}, {"created", ms(g.created)}, {"steps", std::move(steps)}};
    if (g.completed_at) goal["completed"] = ms(*g.completed_at);
    goals.push_back(std::move(goal));
  }
  json wins = json::array();
  for (const auto& w : wins_) {
    json win = {{"kind", w.kind == Win::Kind::step ? "step" : "checkin"}, {"at", ms(w.at)}};
    if (!w.label.empty()) win["label"] = w.label;
    wins.push_back(std::move(win));
  }
  return json{{"goals", std::move(goals)}, {"wins", std::move(wins)}}.dump(-1, ' ', false,
                                                                         json::error_handler_t::replace);
}

GoalBook GoalBook::from_json(const std::string& text) {
  GoalBook book;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return book;
  try {
    for (const auto& g : j.value("goals", json::array())) {
      Goal goal{g.value("title", ""), at_ms(g.value("created", std::int64_t{0})), std::nullopt, {}};
      if (g.contains("completed")) goal.completed_at = at_ms(g["completed"].get<std::int64_t>());
      for (const auto& s : g.value("steps", json::array())) {
        Step step{s.value("text", ""), at_ms(s.value("created", std::int64_t{0})), std::nullopt};
        if (s.contains("done")) step.done_at = at_ms(s["done"].get<std::int64_t>());
        goal.steps.push_back(std::move(step));
      }
      book.goals_.push_back(std::move(goal));
    }
    for (const auto& w : j.value("wins", json::array()))
      book.wins_.push_back({w.value("kind", "step") == "checkin" ? Win::Kind::checkin : Win::Kind::step,
                            at_ms(w.value("at", std::int64_t{0})), w.value("label", "")});
  } catch (const json::exception&) {
    return GoalBook{};
  }
  return book;
}

std::string progress_bar(int done, int total, int width) {
  if (total <= 0) return "";
  int filled = static_cast<int>((static_cast<long>(done) * width + total / 2) / total);
  if (done > 0 && filled == 0) filled = 1;
  if (done < total && filled == width) filled = width - 1;
  std::string bar;
  for (int i = 0; i < width; ++i) bar += i < filled ? "▓" : "░";
  return bar + " " + std::to_string(done) + "/" + std::to_string(total);
}

}  // namespace bounceback::coach
