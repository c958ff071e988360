#pragma once
#include <optional>
#include <string>
#include <vector>

#include "bot/coach/nudge_rules.hpp"
#include "bot/core/due_item.hpp"
#include "bot/core/person.hpp"

namespace date {
class time_zone;
}

namespace bounceback::coach {

// What to do with one due item of a person.
struct NudgeDecision {
  enum class Send { nothing, step_nudge, checkin, encouragement, weekly };
  Send send = Send::nothing;
  const char* why = "";                // sent, paused, safety_pause, late, quiet, snoozed, held, too_soon, half_rate
  std::optional<core::TimePoint> next;  // when the item is due again; nothing: it is done
  bool announce_half_rate = false;      // say once that nudges now come half as often
};

// Decides whether a due nudge goes out now, waits, or is skipped, and where the item goes
// next. Pure: the person's nudge settings are updated in place (counts, last nudge).
// Order of the rules: paused, safety pause, too late, quiet hours / snooze, too soon after
// the last one, half rate after unanswered ones; then it is sent.
NudgeDecision decide_nudge(core::Person& person, const core::DueItem& item, bool has_open_step, core::TimePoint now,
                           const NudgeRules& rules);

// The first due item of each daily time (and a pending reminder), for a person whose
// times or zone just changed, under a new epoch.
std::vector<core::DueItem> plan_nudges(core::Person& person, core::TimePoint now, const NudgeRules& rules);

// When a snooze of `what` ("30m", "2h", "tonight", "tomorrow") ends, or nothing when it
// is not one of those.
std::optional<core::TimePoint> snooze_end(const core::Person& person, const std::string& what, core::TimePoint now,
                                          const NudgeRules& rules);

// Whether a scheduled message due (or created) at `since` is too late to send at `now`:
// a check-in lasts the rest of its local day (or checkin_max_lateness), anything else
// nudge_max_lateness. One rule for due items and for what waited in an outbox.
bool too_late(bool checkin, core::TimePoint since, core::TimePoint now, const date::time_zone* zone,
              const NudgeRules& rules);

// The person's own zone, else the default one.
const date::time_zone* zone_of(const core::Person& person, const NudgeRules& rules);

}  // namespace bounceback::coach
