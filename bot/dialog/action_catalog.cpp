#include "bot/dialog/action_catalog.hpp"

#include <vector>

namespace bounceback::dialog {

namespace {
const std::vector<ActionSpec>& catalog() {
  static const std::vector<ActionSpec> actions = {
      {"set", {"var", "value"}, {}, "set a dialog variable"},
      {"set_preference", {"key", "value"}, {}, "remember a preference: name, timezone, country, nudge_time, quiet_hours"},
      {"finish_onboarding", {}, {}, "mark the first conversation as done"},
      {"start_goal", {"title"}, {}, "start a goal (it becomes the current one)"},
      {"add_step", {"text"}, {}, "add a step to the current goal"},
      {"complete_step", {"number"}, {}, "complete step N of the current goal (and celebrate it)"},
      {"find_step", {"words"}, {}, "the open step these words name (\"I finished the dishes\"): its number in {{found_step}}, or empty"},
      {"undo_step", {"number"}, {}, "take back step N of the current goal"},
      {"record_mood", {"score"}, {"word"}, "how the person feels, 1 (awful) to 5 (great), and a word of their own: {{mood_score}}"},
      {"write_journal", {"text"}, {}, "keep a line in the person's journal (/journal lists them)"},
      {"record_checkin", {}, {}, "a self-care check-in was done today (counts for the streak)"},
      {"add_nudge_time", {"time"}, {}, "add a daily nudge time HH:MM"},
      {"remove_nudge_time", {"time"}, {}, "remove a daily nudge time HH:MM (or all)"},
      {"set_quiet_hours", {"hours"}, {}, "quiet hours HH:MM-HH:MM (or off): nothing is sent inside them"},
      {"snooze", {"for"}, {}, "hold nudges back: 30m, 2h, tonight, tomorrow"},
      {"remind", {"for"}, {}, "a snooze button: hold nudges back and nudge again then"},
      {"set_weekly", {"on"}, {}, "the weekly reflection on (1) or off: a look back every Sunday at 18:00 local time"},
      {"pause_nudges", {}, {}, "stop nudges until resumed"},
      {"resume_nudges", {}, {}, "start nudges again"},
      {"forget_everything", {}, {}, "delete all of the person's data (after they confirmed)"},
      {"crisis_reply", {}, {}, "the safety screen's own crisis reply: the person's resources, its buttons, and the safety pause"},
  };
  return actions;
}
}  // namespace

const ActionSpec* find_action(const std::string& name) {
  for (const auto& a : catalog())
    if (a.name == name) return &a;
  return nullptr;
}

const std::set<std::string>& preference_keys() {
  static const std::set<std::string> keys = {"name", "timezone", "country", "nudge_time", "quiet_hours"};
  return keys;
}

}  // namespace bounceback::dialog
