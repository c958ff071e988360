#include "bot/coach/goal_actions.hpp"

#include <date/tz.h>

#include <algorithm>
#include <charconv>

#include "bot/core/text_parts.hpp"
#include "bot/schedule/local_time.hpp"

namespace bounceback::coach {

namespace {

int parse_number(const std::string& text) {
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size() ? n : 0;
}

// "Mon 9 Mar" in the person's zone.
std::string short_date(core::TimePoint t, const std::string& timezone) {
  auto day = date::floor<date::days>(schedule::zone_or_utc(timezone)->to_local(t));
  std::string out = date::format("%a %e %b", day);
  std::string squeezed;  // %e pads single days with a space
  for (char c : out)
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
  return squeezed;
}

// When the steps of the last week began, in the person's own days: "today", "since
// yesterday", "since Monday", and a week ago "since last Sunday" (said on a Sunday, "since
// Sunday" would read as today).
std::string since_words(core::TimePoint first, core::TimePoint now, const std::string& timezone) {
  const auto* zone = schedule::zone_or_utc(timezone);
  auto first_day = date::floor<date::days>(zone->to_local(first));
  auto today = date::floor<date::days>(zone->to_local(now));
  auto days = (today - first_day).count();
  if (days <= 0) return "today";
  if (days == 1) return "since yesterday";
  return std::string(days >= 7 ? "since last " : "since ") + date::format("%A", first_day);
}

}  // namespace

GoalActions::GoalActions(GoalBook& book, dialog::DialogContext& context, dialog::DialogState& state,
                         const dialog::DialogSet& dialogs, dialog::VariantRng& rng, core::TimePoint now, std::string timezone,
                         bool paused)
    : book_(book), context_(context), state_(state), dialogs_(dialogs), rng_(rng), now_(now),
      timezone_(std::move(timezone)), paused_(paused) {}

std::optional<std::string> GoalActions::value(const GoalBook& book, std::string_view key, core::TimePoint now,
                                              const std::string& timezone) {
  const Goal* goal = book.current();
  if (key == "has_goal") return goal ? "1" : "";
  if (key == "goal") return goal ? goal->title : "your goal";
  if (key == "steps_done" || key == "steps_total" || key == "steps_open" || key == "progress_bar") {
    // Counted only for these: every other name a template reads passes through here too.
    int done = goal ? goal->done() : 0, total = goal ? goal->total() : 0;
    if (key == "steps_done") return std::to_string(done);
    if (key == "steps_total") return std::to_string(total);
    if (key == "steps_open") return std::to_string(total - done);
    return progress_bar(done, total);
  }
  const std::vector<Step> no_steps;
  const std::vector<Step>& steps = goal ? goal->steps : no_steps;
  if (key == "steps_list") {  // "1. ✓ text" lines
    std::string list;
    for (std::size_t i = 0; i < steps.size(); ++i)
      list += (i ? "\n" : "") + std::to_string(i + 1) + ". " + (steps[i].done_at ? "✓ " : "") + steps[i].text;
    return list;
  }
  if (key == "open_steps") {  // "N<TAB>text" lines of the open ones, for the done buttons of /steps
    std::string list;
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (!steps[i].done_at) list += std::to_string(i + 1) + "\t" + steps[i].text + "\n";
    return list;
  }
  if (key == "next_step" || key == "next_step_number") {
    for (std::size_t i = 0; i < steps.size(); ++i)
      if (!steps[i].done_at) return key == "next_step" ? steps[i].text : std::to_string(i + 1);
    return "";
  }
  if (key == "streak_days") return std::to_string(book.streak_days(now, timezone));
  if (key == "journal_latest") {  // the five newest, newest first: "Mon 9 Mar: text"
    std::string list;
    const auto& entries = book.entries();
    for (std::size_t i = entries.size(), shown = 0; i > 0 && shown < 5; --i, ++shown)
      list += (shown ? "\n" : "") + short_date(entries[i - 1].at, timezone) + ": " + entries[i - 1].text;
    return list;
  }
  if (key == "journal_entries") return std::to_string(book.entries().size());
  if (key == "steps_week_text" || key == "steps_all_text" || key == "goals_done_text" || key == "longest_streak_text" ||
      key == "streak_days_text") {
    // "1 step", "3 steps": the numbers below, in words that read right.
    auto counted = [](int n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
    std::string number = *value(book, key.substr(0, key.size() - 5), now, timezone);
    int n = parse_number(number);
    if (key == "goals_done_text") return counted(n, "goal", "goals");
    if (key == "longest_streak_text" || key == "streak_days_text") return counted(n, "day", "days");
    return counted(n, "step", "steps");
  }
  if (key == "steps_week") return std::to_string(book.recent_steps(now - std::chrono::hours(24 * 7), 0).count);
  if (key == "steps_all") return std::to_string(book.recent_steps(core::TimePoint{}, 0).count);
  if (key == "goals_done") {
    int done = 0;
    for (const auto& g : book.goals()) done += g.completed_at.has_value();
    return std::to_string(done);
  }
  if (key == "longest_streak") return std::to_string(book.longest_streak(timezone));
  if (key == "past_wins") {  // the first step ever and the two newest, quoted
    std::vector<const Win*> steps;
    for (const auto& w : book.wins())
      if (w.kind == Win::Kind::step && !w.label.empty()) steps.push_back(&w);
    std::vector<const Win*> chosen;
    if (!steps.empty()) chosen.push_back(steps.front());
    for (std::size_t i = steps.size(); i > 1 && chosen.size() < 3; --i) chosen.push_back(steps[i - 1]);
    std::string out;
    for (const Win* w : chosen) out += (out.empty() ? "" : "\n") + std::string("• ") + w->label + " (" + short_date(w->at, timezone) + ")";
    return out;
  }
  if (key == "mood_sparkline" || key == "mood_trend" || key == "mood_entries" || key == "low_days") {
    auto moods = book.mood_summary(now, timezone);
    if (key == "mood_sparkline") return moods.entries ? moods.sparkline : "";
    if (key == "mood_entries") return std::to_string(moods.entries);
    if (key == "low_days") return std::to_string(moods.low_days_in_a_row);
    // The trend as a word the dialog turns into a sentence: the last seven days against the
    // seven before, by half a point or more.
    if (moods.entries < 3 || moods.earlier == 0) return "few";
    if (moods.recent >= moods.earlier + 0.5) return "lighter";
    if (moods.recent <= moods.earlier - 0.5) return "heavier";
    return "steady";
  }
  if (key == "recent_steps" || key == "recent_wins") {
    // "4 steps since Monday: buy shoes, ..." over the last week: count them all, name the
    // five most recent, walking back from the newest win only as far as the week goes.
    auto week = book.recent_steps(now - std::chrono::hours(24 * 7), 5);
    const std::vector<std::string>& recent = week.labels;  // newest first
    std::size_t count = static_cast<std::size_t>(week.count);
    if (key == "recent_steps") return std::to_string(count);
    std::string wins;
    if (count > 0 && week.first) {
      wins = std::to_string(count) + (count == 1 ? " step " : " steps ") + since_words(*week.first, now, timezone) + ": ";
      if (count > recent.size()) wins += "..., ";
      for (std::size_t i = recent.size(); i-- > 0;) wins += recent[i] + (i ? ", " : "");
    }
    return wins;
  }
  return std::nullopt;
}

void GoalActions::describe(const GoalBook& book, dialog::DialogContext& context, core::TimePoint now,
                           const std::string& timezone) {
  context.add_source("goals", [&book, now, timezone](std::string_view key) { return value(book, key, now, timezone); });
}

void GoalActions::say(const std::string& node, dialog::DialogOutput& out) {
  if (auto reply = dialog::Interpreter(dialogs_).say(state_, "celebrations", node, context_, rng_))
    out.replies.push_back(std::move(*reply));
}

void GoalActions::celebrate(const StepOutcome& outcome, dialog::DialogOutput& out) {
  switch (outcome.result) {
    case StepOutcome::Result::already_done:
      return say("already_done", out);
    case StepOutcome::Result::no_such_step:
    case StepOutcome::Result::no_goal:
      return say("no_such_step", out);
    case StepOutcome::Result::done:
      break;
  }
  if (paused_) return say("calm", out);  // no cheerful message right after a crisis
  say(outcome.goal_complete ? "goal_complete" : outcome.halfway ? "halfway" : outcome.first_ever ? "first_step" : "step",
      out);
  for (int milestone : {3, 7, 30})
    if (outcome.streak_days == milestone) say("streak_" + std::to_string(milestone), out);
}

void GoalActions::handle(const dialog::DialogAction& action, dialog::DialogOutput& out) {
  const auto arg = [&](const char* name) {
    auto it = action.args.find(name);
    return it == action.args.end() ? std::string() : it->second;
  };
  if (action.name == "start_goal") {
    book_.start_goal(core::shorten(arg("title"), 200), now_);
  } else if (action.name == "add_step") {
    if (!book_.current()) book_.start_goal("My next steps", now_);
    book_.add_step(core::shorten(arg("text"), 300), now_);
  } else if (action.name == "complete_step") {
    state_.vars["step_number"] = arg("number");
    int number = parse_number(arg("number"));
    auto outcome = book_.complete_step(number, now_, timezone_);
    if (outcome.result == StepOutcome::Result::done)
      completed_ = CompletedStep{static_cast<int>(book_.goals().size()) - 1, number};
    return celebrate(outcome, out);
  } else if (action.name == "record_mood") {
    int score = std::clamp(parse_number(arg("score")), 1, 5);
    state_.vars["mood_score"] = std::to_string(score);
    book_.record_mood(now_, score, core::shorten(arg("word"), 60));
  } else if (action.name == "write_journal") {
    book_.write_entry(now_, core::shorten(arg("text"), 2000));
  } else if (action.name == "find_step") {
    int number = book_.current() ? open_step_named_by(*book_.current(), arg("words")) : 0;
    state_.vars["found_step"] = number > 0 ? std::to_string(number) : "";
  } else if (action.name == "undo_step") {
    state_.vars["step_number"] = arg("number");
    context_["undo_ok"] = book_.undo_step(parse_number(arg("number"))) ? "1" : "";
  } else if (action.name == "record_checkin") {
    int before = book_.streak_days(now_, timezone_);
    book_.record_checkin(now_);
    int after = book_.streak_days(now_, timezone_);
    if (!paused_ && after != before)
      for (int milestone : {3, 7, 30})
        if (after == milestone) say("streak_" + std::to_string(milestone), out);
  }
}

}  // namespace bounceback::coach
