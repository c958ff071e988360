#include "bot/coach/goal_book.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "bot/core/json_text.hpp"
#include "bot/schedule/local_time.hpp"

namespace bounceback::coach {

using nlohmann::json;

namespace {

std::int64_t ms(core::TimePoint t) { return t.time_since_epoch().count(); }
core::TimePoint at_ms(std::int64_t v) { return core::TimePoint{std::chrono::milliseconds{v}}; }

using core::append_json_string;  // by hand, not through a json tree: it runs on every change

}  // namespace

int Goal::done() const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const Step& s) { return s.done_at.has_value(); }));
}

namespace {

// One journal entry: {"op":"done","at":MS,"n":2} or {"op":"step","at":MS,"text":"..."}.
std::string entry(const char* op, core::TimePoint at, const std::string* text = nullptr, int number = 0) {
  std::string out = "{\"op\":\"";
  out += op;
  out += "\",\"at\":" + std::to_string(at.time_since_epoch().count());
  if (number) out += ",\"n\":" + std::to_string(number);
  if (text) {
    out += ",\"text\":";
    append_json_string(out, *text);
  }
  out += '}';
  return out;
}

}  // namespace

void GoalBook::start_goal(std::string title, core::TimePoint now) {
  note(entry("goal", now, &title));
  goals_.push_back(Goal{std::move(title), now, std::nullopt, {}});
}

bool GoalBook::add_step(std::string text, core::TimePoint now) {
  if (goals_.empty()) return false;
  note(entry("step", now, &text));
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
  note(entry("done", now, nullptr, number));
  bool any_before = std::any_of(wins_.begin(), wins_.end(), [](const Win& w) { return w.kind == Win::Kind::step; });
  int before = goal.done();
  step.done_at = now;
  wins_.push_back({Win::Kind::step, now, step.text});
  count_steps_from(wins_.size() - 1);
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
  note(entry("undo", core::TimePoint{}, nullptr, number));
  // The win it earned goes with it (the most recent step win at that moment).
  // Only among the live wins: an archived part is never rewritten (and the current goal's
  // wins all came after the parts were cut).
  auto live_end = wins_.rend() - static_cast<std::ptrdiff_t>(archived_wins_);
  auto it = std::find_if(wins_.rbegin(), live_end,
                         [&](const Win& w) { return w.kind == Win::Kind::step && w.at == *step.done_at; });
  if (it != live_end) {
    auto erased = wins_.erase(std::next(it).base());
    count_steps_from(static_cast<std::size_t>(erased - wins_.begin()));
  }
  step.done_at.reset();
  goal.completed_at.reset();
  return true;
}

void GoalBook::record_checkin(core::TimePoint now) {
  note(entry("checkin", now));
  wins_.push_back({Win::Kind::checkin, now, {}});
  count_steps_from(wins_.size() - 1);
}

void GoalBook::start_rest(core::TimePoint now) {
  if (!rests_.empty() && !rests_.back().to) return;
  note(entry("rest", now));
  rests_.push_back({now, std::nullopt});
}

void GoalBook::end_rest(core::TimePoint now) {
  if (rests_.empty() || rests_.back().to) return;
  note(entry("resume", now));
  rests_.back().to = now;
}

void GoalBook::record_mood(core::TimePoint now, int score, std::string word) {
  score = std::clamp(score, 1, 5);
  note(entry("mood", now, &word, score));
  moods_.push_back({now, score, std::move(word)});
}

void GoalBook::write_entry(core::TimePoint now, std::string text) {
  note(entry("write", now, &text));
  entries_.push_back({now, std::move(text)});
}

int GoalBook::longest_streak(const std::string& timezone) const {
  const date::time_zone* tz = schedule::zone_or_utc(timezone);
  int longest = 0, run = 0;
  std::optional<date::local_days> previous;
  for (const Win& w : wins_) {  // in time order
    auto day = date::floor<date::days>(tz->to_local(w.at));
    if (previous && day == *previous) continue;
    run = previous && day == *previous + date::days{1} ? run + 1 : 1;
    longest = std::max(longest, run);
    previous = day;
  }
  return longest;
}

MoodSummary GoalBook::mood_summary(core::TimePoint now, const std::string& timezone, int days) const {
  const date::time_zone* tz = schedule::zone_or_utc(timezone);
  auto day_of = [tz](core::TimePoint t) { return date::floor<date::days>(tz->to_local(t)); };
  const auto today = day_of(now);
  const auto first = today - date::days{days - 1};
  std::vector<double> sum(static_cast<std::size_t>(days)), count(static_cast<std::size_t>(days));
  MoodSummary out;
  for (auto it = moods_.rbegin(); it != moods_.rend(); ++it) {  // newest first, only as far back as the window
    auto day = day_of(it->at);
    if (day < first) break;
    if (day > today) continue;
    auto i = static_cast<std::size_t>((day - first).count());
    sum[i] += it->score;
    count[i] += 1;
    ++out.entries;
  }
  static const char* const marks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇"};
  double recent_sum = 0, earlier_sum = 0;
  int recent_n = 0, earlier_n = 0;
  for (std::size_t i = 0; i < sum.size(); ++i) {
    if (count[i] == 0) {
      out.sparkline += "·";
      continue;
    }
    double mean = sum[i] / count[i];
    out.sparkline += marks[std::clamp(static_cast<int>(std::lround((mean - 1) / 4 * 6)), 0, 6)];
    bool last_week = i + 7 >= sum.size();
    (last_week ? recent_sum : earlier_sum) += mean;
    (last_week ? recent_n : earlier_n) += 1;
  }
  out.recent = recent_n ? recent_sum / recent_n : 0;
  out.earlier = earlier_n ? earlier_sum / earlier_n : 0;
  // Low days in a row, ending today, or yesterday when today has no entry yet.
  std::size_t i = sum.size();
  if (i > 0 && count[i - 1] == 0) --i;
  for (; i > 0 && count[i - 1] > 0 && sum[i - 1] / count[i - 1] <= 2; --i) ++out.low_days_in_a_row;
  return out;
}

void GoalBook::replay(const std::string& text) {
  json e = json::parse(text, nullptr, false);
  if (!e.is_object()) return;
  std::string op = e.value("op", "");
  core::TimePoint at = at_ms(e.value("at", std::int64_t{0}));
  int number = e.value("n", 0);
  std::string words = e.value("text", "");
  if (op == "goal") start_goal(std::move(words), at);
  else if (op == "step") add_step(std::move(words), at);
  else if (op == "done") complete_step(number, at, "UTC");  // the zone only shapes the outcome, not the book
  else if (op == "undo") undo_step(number);
  else if (op == "checkin") record_checkin(at);
  else if (op == "rest") start_rest(at);
  else if (op == "resume") end_rest(at);
  else if (op == "mood") record_mood(at, number, std::move(words));
  else if (op == "write") write_entry(at, std::move(words));
  journal_.clear();  // replayed, not new
}

int GoalBook::streak_days(core::TimePoint now, const std::string& timezone) const {
  // Walk back from the newest win only as far as the streak goes: a long history costs
  // nothing per message. Wins are kept in time order.
  const date::time_zone* tz = schedule::zone_or_utc(timezone);
  auto day_of = [tz](core::TimePoint t) { return date::floor<date::days>(tz->to_local(t)); };
  auto today = day_of(now);
  auto rested = [&](date::local_days day) {
    for (const Rest& r : rests_)
      if (day_of(r.from) <= day && day <= day_of(r.to.value_or(now))) return true;
    return false;
  };
  auto expected = today;  // the next day the streak needs, going back
  int streak = 0;
  for (std::size_t i = wins_.size(); i > 0;) {
    auto day = day_of(wins_[i - 1].at);
    if (day > expected) {  // a day already counted: jump over its other wins at once
      auto midnight = std::chrono::time_point_cast<std::chrono::milliseconds>(
          tz->to_sys(date::local_time<std::chrono::milliseconds>(day), date::choose::earliest));
      i = std::min(i - 1, first_win_from(midnight, i));
      continue;
    }
    // Step over days without a win that may not break it: paused days, and today (not over yet).
    while (expected > day && (rested(expected) || (streak == 0 && expected == today))) expected -= date::days{1};
    if (day != expected) break;
    ++streak;
    expected = day - date::days{1};
    --i;
  }
  return streak;
}

std::size_t GoalBook::first_win_from(core::TimePoint t, std::size_t end) const {
  auto last = wins_.begin() + static_cast<std::ptrdiff_t>(end);
  return static_cast<std::size_t>(
      std::lower_bound(wins_.begin(), last, t, [](const Win& w, core::TimePoint v) { return w.at < v; }) - wins_.begin());
}

RecentSteps GoalBook::recent_steps(core::TimePoint since, std::size_t labels) const {
  RecentSteps out;
  std::size_t start = first_win_from(since, wins_.size());
  out.count = step_wins_upto(wins_.size()) - step_wins_upto(start);
  for (std::size_t i = start; i < wins_.size(); ++i)
    if (wins_[i].kind == Win::Kind::step) {
      out.first = wins_[i].at;
      break;
    }
  for (std::size_t i = wins_.size(); i > start && out.labels.size() < labels; --i)
    if (wins_[i - 1].kind == Win::Kind::step) out.labels.push_back(wins_[i - 1].label);
  return out;
}

int GoalBook::step_wins_upto(std::size_t n) const { return n == 0 ? 0 : step_counts_[n - 1]; }

void GoalBook::count_steps_from(std::size_t i) {
  step_counts_.resize(wins_.size());
  for (; i < wins_.size(); ++i)
    step_counts_[i] = (i ? step_counts_[i - 1] : 0) + (wins_[i].kind == Win::Kind::step ? 1 : 0);
}

std::string GoalBook::to_json() const {
  return json_of(archived_goals_, goals_.size(), archived_wins_, wins_.size(), /*rests=*/true);
}

std::string GoalBook::json_of(std::size_t goals_from, std::size_t goals_to, std::size_t wins_from,
                              std::size_t wins_to, bool rests) const {
  std::string out;
  out.reserve(64 + (goals_to - goals_from) * 160 + (wins_to - wins_from) * 48);
  out += "{\"goals\":[";
  for (std::size_t g = goals_from; g < goals_to; ++g) {
    const Goal& goal = goals_[g];
    if (g > goals_from) out += ',';
    out += "{\"title\":";
    append_json_string(out, goal.title);
    out += ",\"created\":" + std::to_string(ms(goal.created));
    if (goal.completed_at) out += ",\"completed\":" + std::to_string(ms(*goal.completed_at));
    out += ",\"steps\":[";
    for (std::size_t i = 0; i < goal.steps.size(); ++i) {
      const Step& step = goal.steps[i];
      if (i) out += ',';
      out += "{\"text\":";
      append_json_string(out, step.text);
      out += ",\"created\":" + std::to_string(ms(step.created));
      if (step.done_at) out += ",\"done\":" + std::to_string(ms(*step.done_at));
      out += '}';
    }
    out += "]}";
  }
  out += "],\"wins\":[";
  for (std::size_t i = wins_from; i < wins_to; ++i) {
    const Win& w = wins_[i];
    if (i > wins_from) out += ',';
    out += w.kind == Win::Kind::step ? "{\"kind\":\"step\"" : "{\"kind\":\"checkin\"";
    out += ",\"at\":" + std::to_string(ms(w.at));
    if (!w.label.empty()) {
      out += ",\"label\":";
      append_json_string(out, w.label);
    }
    out += '}';
  }
  out += ']';
  if (rests && !rests_.empty()) {
    out += ",\"rests\":[";
    for (std::size_t i = 0; i < rests_.size(); ++i) {
      if (i) out += ',';
      out += "{\"from\":" + std::to_string(ms(rests_[i].from));
      if (rests_[i].to) out += ",\"to\":" + std::to_string(ms(*rests_[i].to));
      out += '}';
    }
    out += ']';
  }
  if (rests && !entries_.empty()) {  // the live part only, like rests
    out += ",\"journal\":[";
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (i) out += ',';
      out += "{\"at\":" + std::to_string(ms(entries_[i].at)) + ",\"text\":";
      append_json_string(out, entries_[i].text);
      out += '}';
    }
    out += ']';
  }
  if (rests && !moods_.empty()) {  // the live part only, like rests
    out += ",\"moods\":[";
    for (std::size_t i = 0; i < moods_.size(); ++i) {
      if (i) out += ',';
      out += "{\"at\":" + std::to_string(ms(moods_[i].at)) + ",\"score\":" + std::to_string(moods_[i].score);
      if (!moods_[i].word.empty()) {
        out += ",\"word\":";
        append_json_string(out, moods_[i].word);
      }
      out += '}';
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::optional<std::string> GoalBook::take_archive(std::size_t min_goals) {
  if (goals_.empty() || goals_.size() - 1 < archived_goals_ + std::max<std::size_t>(min_goals, 1)) return std::nullopt;
  const std::size_t goals_to = goals_.size() - 1;  // the current goal stays live
  const std::size_t wins_to = std::max(archived_wins_, first_win_from(goals_.back().created, wins_.size()));
  std::string part = json_of(archived_goals_, goals_to, archived_wins_, wins_to, /*rests=*/false);
  archived_goals_ = goals_to;
  archived_wins_ = wins_to;
  return part;
}

void GoalBook::rewind_archive(std::pair<std::size_t, std::size_t> to) {
  archived_goals_ = std::min(archived_goals_, to.first);
  archived_wins_ = std::min(archived_wins_, to.second);
}

bool GoalBook::append_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  std::vector<Goal> goals;
  std::vector<Win> wins;
  std::vector<Rest> rests;
  std::vector<Mood> moods;
  std::vector<JournalEntry> entries;
  try {
    for (const auto& g : j.value("goals", json::array())) {
      Goal goal{g.value("title", ""), at_ms(g.value("created", std::int64_t{0})), std::nullopt, {}};
      if (g.contains("completed")) goal.completed_at = at_ms(g["completed"].get<std::int64_t>());
      for (const auto& s : g.value("steps", json::array())) {
        Step step{s.value("text", ""), at_ms(s.value("created", std::int64_t{0})), std::nullopt};
        if (s.contains("done")) step.done_at = at_ms(s["done"].get<std::int64_t>());
        goal.steps.push_back(std::move(step));
      }
      goals.push_back(std::move(goal));
    }
    for (const auto& w : j.value("wins", json::array()))
      wins.push_back({w.value("kind", "step") == "checkin" ? Win::Kind::checkin : Win::Kind::step,
                      at_ms(w.value("at", std::int64_t{0})), w.value("label", "")});
    for (const auto& r : j.value("rests", json::array())) {
      Rest rest{at_ms(r.value("from", std::int64_t{0})), std::nullopt};
      if (r.contains("to")) rest.to = at_ms(r["to"].get<std::int64_t>());
      rests.push_back(rest);
    }
    for (const auto& m : j.value("moods", json::array()))
      moods.push_back({at_ms(m.value("at", std::int64_t{0})), std::clamp(m.value("score", 3), 1, 5), m.value("word", "")});
    for (const auto& e : j.value("journal", json::array()))
      entries.push_back({at_ms(e.value("at", std::int64_t{0})), e.value("text", "")});
  } catch (const json::exception&) {
    return false;
  }
  std::move(goals.begin(), goals.end(), std::back_inserter(goals_));
  const std::size_t first_new_win = wins_.size();
  std::move(wins.begin(), wins.end(), std::back_inserter(wins_));
  std::move(rests.begin(), rests.end(), std::back_inserter(rests_));
  std::move(moods.begin(), moods.end(), std::back_inserter(moods_));
  std::move(entries.begin(), entries.end(), std::back_inserter(entries_));
  count_steps_from(first_new_win);
  return true;
}

GoalBook GoalBook::from_parts(const std::vector<std::string>& archive, const std::string& live) {
  GoalBook book;
  for (const auto& part : archive) book.append_json(part);  // a broken part is skipped, the rest kept
  book.archived_goals_ = book.goals_.size();
  book.archived_wins_ = book.wins_.size();
  if (!live.empty()) book.append_json(live);
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

namespace {

// Lowercase words of letters and digits, without the ones that name no task.
std::vector<std::string> content_words(std::string_view text) {
  static const std::set<std::string> filler = {
      "i", "ive", "im", "a", "an", "the", "my", "me", "to", "and", "it", "of", "for", "on", "in", "at", "with", "just",
      "finally", "finished", "finish", "done", "did", "do", "have", "has", "had", "got", "get", "made", "today", "now",
      "that", "this", "step", "all", "up", "out", "off", "yes", "so", "really", "actually", "already", "was", "is"};
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && !filler.count(word)) out.push_back(word);
    word.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (c != '\'') flush();
  }
  flush();
  return out;
}

// "call" and "called", "dish" and "dishes": the shorter is how the longer begins (four
// letters at least, so "car" and "card" stay apart).
bool same_word(const std::string& a, const std::string& b) {
  const std::string& shorter = a.size() <= b.size() ? a : b;
  const std::string& longer = a.size() <= b.size() ? b : a;
  if (shorter == longer) return true;
  std::size_t stem = std::max<std::size_t>(4, shorter.size() > 5 ? shorter.size() - 2 : shorter.size());
  return shorter.size() >= 4 && longer.compare(0, std::min(stem, shorter.size()), shorter, 0, std::min(stem, shorter.size())) == 0;
}

}  // namespace

int open_step_named_by(const Goal& goal, std::string_view words) {
  auto said = content_words(words);
  int best = 0, best_score = 0;
  bool tie = false;
  for (std::size_t i = 0; i < goal.steps.size(); ++i) {
    if (goal.steps[i].done_at) continue;
    // A step is named by what it is about, not by its verb alone: "I cleaned it" does not
    // say which of "clean the oven" and whatever else is open, so the person is asked.
    // (A step of one word is named by it.)
    auto words_of_step = content_words(goal.steps[i].text);
    int score = 0;
    bool beyond_verb = false;
    for (std::size_t k = 0; k < words_of_step.size(); ++k) {
      bool hit = std::any_of(said.begin(), said.end(), [&](const std::string& s) { return same_word(s, words_of_step[k]); });
      score += hit;
      beyond_verb = beyond_verb || (hit && (k > 0 || words_of_step.size() == 1));
    }
    if (!beyond_verb) score = 0;
    if (score > best_score) {
      best = static_cast<int>(i) + 1;
      best_score = score;
      tie = false;
    } else if (score > 0 && score == best_score) {
      tie = true;
    }
  }
  return tie ? 0 : best;
}

}  // namespace bounceback::coach
