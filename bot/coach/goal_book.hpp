#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/core/time_point.hpp"

namespace bounceback::coach {

struct Step {
  std::string text;
  core::TimePoint created{};
  std::optional<core::TimePoint> done_at;
  bool operator==(const Step&) const = default;
};

struct Goal {
  std::string title;
  core::TimePoint created{};
  std::optional<core::TimePoint> completed_at;
  std::vector<Step> steps;  // in order; a person's "step N" is steps[N-1]
  bool operator==(const Goal&) const = default;

  int done() const;
  int total() const { return static_cast<int>(steps.size()); }
};

// A step completed or a self-care check-in done: the days with one make the streak.
struct Win {
  enum class Kind { step, checkin };
  Kind kind = Kind::step;
  core::TimePoint at{};
  std::string label;  // the step's text, for "4 steps since Monday: ..."
  bool operator==(const Win&) const = default;
};

// A stretch the person paused nudges (/pause ... /resume): its days neither count for the
// streak nor break it.
struct Rest {
  core::TimePoint from{};
  std::optional<core::TimePoint> to;  // open while paused
  bool operator==(const Rest&) const = default;
};

// How the person said they felt (/mood, the mood buttons): 1 (awful) to 5 (great), and a
// word of their own if they gave one.
struct Mood {
  core::TimePoint at{};
  int score = 3;
  std::string word;
  bool operator==(const Mood&) const = default;
};

// A line the person wrote for themselves (/journal, the journaling question).
struct JournalEntry {
  core::TimePoint at{};
  std::string text;
  bool operator==(const JournalEntry&) const = default;
};

// The last days of moods, for "/mood": one mark a day (▁ low .. ▇ high, · no entry),
// oldest first, and what they add up to.
struct MoodSummary {
  std::string sparkline;
  int entries = 0;           // moods recorded in the window
  double recent = 0;         // the mean of the last seven days with an entry (0 when none)
  double earlier = 0;        // the mean of the seven days before them (0 when none)
  int low_days_in_a_row = 0; // days ending today (or yesterday) whose mean was 2 or less
};

// What happened when a step was crossed off, so the right celebration can be picked.
// The open step of `goal` that `words` name ("I finished the dishes" for "do the dishes",
// "called mum" for "call mum"): its number (1-based), or 0 when none or two fit equally.
// Words are compared by their first letters, so called/call and dishes/dish meet.
int open_step_named_by(const Goal& goal, std::string_view words);

struct StepOutcome {
  enum class Result { done, already_done, no_such_step, no_goal };
  Result result = Result::no_goal;
  bool first_ever = false;     // the person's first completed step
  bool halfway = false;        // this step took the goal to half done
  bool goal_complete = false;  // this was the last open step
  int streak_days = 0;         // the streak after this step
};

struct RecentSteps {
  int count = 0;
  std::optional<core::TimePoint> first;
  std::vector<std::string> labels;  // newest first
};

// One person's goals, steps and wins. Pure: time comes in, nothing is read from a clock.
// Kept in the store as archive parts of finished goals, a JSON snapshot of the rest and a
// journal of changes since (goal_archive, goal_books, people.goal_journal),
// written in the same transaction as the rest of the person.
class GoalBook {
 public:
  const Goal* current() const { return goals_.empty() ? nullptr : &goals_.back(); }
  const std::vector<Goal>& goals() const { return goals_; }
  const std::vector<Win>& wins() const { return wins_; }

  void start_goal(std::string title, core::TimePoint now);  // becomes the current goal; earlier ones are kept
  bool add_step(std::string text, core::TimePoint now);     // false without a current goal
  StepOutcome complete_step(int number, core::TimePoint now, const std::string& timezone);
  bool undo_step(int number);                               // false when it was not done
  void record_checkin(core::TimePoint now);
  void record_mood(core::TimePoint now, int score, std::string word);  // score 1..5
  const std::vector<Mood>& moods() const { return moods_; }
  void write_entry(core::TimePoint now, std::string text);  // the person's journal
  const std::vector<JournalEntry>& entries() const { return entries_; }
  // The most days in a row with a win, ever (here a paused day ends a run).
  int longest_streak(const std::string& timezone) const;
  MoodSummary mood_summary(core::TimePoint now, const std::string& timezone, int days = 14) const;
  void start_rest(core::TimePoint now);  // /pause (a second pause while paused changes nothing)
  void end_rest(core::TimePoint now);    // /resume

  // Days in a row, ending today or yesterday in the person's zone, with at least one win;
  // paused days in between are stepped over.
  int streak_days(core::TimePoint now, const std::string& timezone) const;
  // Steps done since `since` (for "4 steps since Monday"), the first of them and the
  // labels of the newest `labels` (newest first): a binary search and a count kept per
  // win, so a long history costs nothing per message.
  RecentSteps recent_steps(core::TimePoint since, std::size_t labels) const;

  // The live part of the book: all of it until take_archive() moved finished goals out.
  std::string to_json() const;

  // Finished goals never change again (/done and /undo act on the current goal), so the
  // snapshot need not carry them for ever: with at least `min_goals` finished goals not yet
  // archived, this returns them and their wins (those before the current goal began) as a
  // part to be stored once, and to_json() leaves them out from then on. A long history then
  // costs the snapshot nothing. Load with from_parts(parts in order, live snapshot): a
  // broken part is skipped, and an empty or broken snapshot adds nothing.
  std::optional<std::string> take_archive(std::size_t min_goals = 8);
  static GoalBook from_parts(const std::vector<std::string>& archive, const std::string& live);
  // How many goals and wins are archived; rewind_archive goes back to such a count (a part
  // that was not stored after all), so the next take_archive cuts it again.
  std::pair<std::size_t, std::size_t> archived() const { return {archived_goals_, archived_wins_}; }
  void rewind_archive(std::pair<std::size_t, std::size_t> to);

  // Every change is also written down as one small entry (JSON), so the store can append
  // it instead of rewriting the whole book on every step: a person's long history then
  // costs nothing per message. The store keeps a snapshot (to_json) and the entries after
  // it; replaying them on the snapshot gives the book back.
  std::vector<std::string> take_journal() { return std::exchange(journal_, {}); }
  void replay(const std::string& entry);  // an entry it does not understand is skipped

 private:
  void note(std::string entry) { journal_.push_back(std::move(entry)); }

  std::vector<Goal> goals_;
  std::vector<Win> wins_;
  std::vector<Rest> rests_;
  std::vector<Mood> moods_;  // in time order; kept in the live snapshot, like rests_
  std::vector<JournalEntry> entries_;  // the person's own journal, likewise
  std::vector<std::string> journal_;  // changes since take_journal()
  std::vector<int> step_counts_;      // step wins among wins_[0..i], for counts over a window
  std::size_t archived_goals_ = 0;    // goals_[0, archived_goals_) are stored in archive parts
  std::size_t archived_wins_ = 0;     // and wins_[0, archived_wins_)
  std::string json_of(std::size_t goals_from, std::size_t goals_to, std::size_t wins_from, std::size_t wins_to,
                      bool rests) const;
  bool append_json(const std::string& text);  // false (and nothing added) when broken
  int step_wins_upto(std::size_t n) const;  // among the first n wins
  // The index of the first win at or after `t` among wins_[0, end) (wins are in time order).
  std::size_t first_win_from(core::TimePoint t, std::size_t end) const;
  void count_steps_from(std::size_t i);
};

// "▓▓▓░░ 3/5"
std::string progress_bar(int done, int total, int width = 5);

}  // namespace bounceback::coach
