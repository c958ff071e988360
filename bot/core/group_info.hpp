#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "bot/core/time_point.hpp"

namespace bounceback::core {

using PersonId = std::int64_t;

// A win someone chose to share with a group: their name, and the step only if they chose so.
struct SharedWin {
  PersonId person = 0;
  std::string name;
  std::string step;  // empty unless the person chose "share with the step"
  TimePoint at{};
  std::string key;   // "goal.step" of the person's book: the same step is shared once
  bool operator==(const SharedWin&) const = default;
};

// What bounceback keeps about a group support channel (a Telegram group, a Matrix room with
// more than two members, a websocket room). A group is a row of the people table (its
// address is the group chat; its name is the title; its nudge time and zone are the daily
// check-in), so the outbox, the schedule and delivery serve groups unchanged. This is the
// rest, kept as JSON in people.group_state. Check-in answers are counts: who answered is
// kept only to count each person once, never what they answered next to who.
struct GroupInfo {
  static constexpr std::size_t kMaxWins = 20;

  bool is_group = false;
  PersonId creator = 0;                // the first member seen (admin of a websocket room)
  TimePoint checkin_posted{};          // the latest check-in
  int good = 0, ok = 0, hard = 0;      // its answers, counted
  std::vector<PersonId> answered;      // who answered it (to count each once)
  std::vector<SharedWin> wins;         // the latest shared wins, oldest first

  void add_win(SharedWin win);
  void forget_person(PersonId person);  // their wins and their place in the count go
  bool shared(PersonId person, const std::string& key) const;

  std::string to_json() const;                         // "" for a person
  static GroupInfo from_json(const std::string& text);  // "" or broken: not a group
  bool operator==(const GroupInfo&) const = default;
};

}  // namespace bounceback::core
