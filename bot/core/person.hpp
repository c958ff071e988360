#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bot/core/address.hpp"
#include "bot/core/group_info.hpp"
#include "bot/core/nudge_settings.hpp"
#include "bot/core/time_point.hpp"

namespace bounceback::core {

// What the core keeps about a person. Domain issues add goals, schedules, ...
// in their own tables; this is the identity and the preferences every part needs.
struct Person {
  PersonId id = 0;
  Address address;
  std::string token_hash;  // SHA-256 of the web chat resume token; empty for other connectors
  std::string display_name;
  std::string timezone;  // IANA name; empty until the person sets one
  TimePoint created{};
  TimePoint last_seen{};
  std::string dialog_state;  // where the person is in the conversation trees (JSON, bot/dialog)
  TimePoint safety_pause_until{};  // after a crisis message: no nudges or celebrations until then
  // Goals, steps and wins (bot/coach GoalBook) as the store keeps them: a snapshot (JSON)
  // and the journal entries written after it, oldest first. Read from the store only; the
  // core writes changes as entries and, now and then, a new snapshot (Transaction).
  std::string goals;
  std::vector<std::string> goal_journal;
  std::vector<std::string> goal_archive;  // finished goals, in parts written once (GoalBook::take_archive)
  NudgeSettings nudges;
  // Set for a group support channel (see GroupInfo): display_name is its title, timezone
  // and nudges.times its daily check-in.
  GroupInfo group;

  bool is_group() const { return group.is_group; }
  bool operator==(const Person&) const = default;
};

}  // namespace bounceback::core
