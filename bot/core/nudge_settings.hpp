#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bot/core/time_point.hpp"

namespace bounceback::core {

// When and how a person wants to be nudged, and where their nudges stand.
// Times are minutes after local midnight in the person's time zone.
struct NudgeSettings {
  std::vector<std::uint16_t> times;  // daily nudge times, sorted, no repeats
  int quiet_from = -1;               // quiet hours [from, to), may span midnight; -1: none
  int quiet_to = -1;
  TimePoint snoozed_until{};         // nothing is sent before this (/snooze)
  TimePoint remind_at{};             // a one-off nudge asked for with a snooze button
  bool paused = false;               // /pause ... /resume (also /stop)
  bool unreachable = false;          // paused because the platform refused delivery (blocked)
  int unanswered = 0;                // nudges sent in a row without an answer
  bool skipped_last = false;         // half rate: the last due nudge was held back
  TimePoint last_nudged{};           // the last scheduled message sent
  std::uint32_t epoch = 0;           // bumped whenever the due items are rebuilt
  bool weekly = false;               // /weekly on: a look back every Sunday evening

  bool has_quiet_hours() const { return quiet_from >= 0 && quiet_to >= 0 && quiet_from != quiet_to; }
  // "09:00<separator>18:30", and "22:00-07:00" (empty without quiet hours).
  std::string times_text(const char* separator = ",") const;
  std::string quiet_hours_text() const;
  bool operator==(const NudgeSettings&) const = default;
};

}  // namespace bounceback::core
