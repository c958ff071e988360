#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace bounceback::coach {

// The operator's rules for scheduled messages (config: nudges.*).
struct NudgeRules {
  // After downtime, a message later than this is skipped (the next occurrence is kept).
  std::chrono::minutes nudge_max_lateness{120};
  std::optional<std::chrono::minutes> checkin_max_lateness;  // none: the rest of the local day
  // Inside quiet hours or a snooze a message waits for their end, or is dropped.
  bool drop_nudge_when_quiet = false;
  bool drop_checkin_when_quiet = false;
  bool drop_encouragement_when_quiet = true;
  int encourage_after_days = 3;         // silence before a nudge becomes an encouragement
  std::chrono::minutes min_gap{15};     // two scheduled messages are never closer than this
  int half_rate_after = 3;              // unanswered nudges in a row before nudging half as often
  int max_times = 6;                    // daily nudge times per person
  std::string default_timezone = "UTC"; // for people who have not set theirs (defaults.timezone)
};

}  // namespace bounceback::coach
