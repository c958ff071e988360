#pragma once
#include "bot/coach/goal_book.hpp"
#include "bot/coach/nudge_rules.hpp"
#include "bot/core/person.hpp"
#include "bot/dialog/interpreter.hpp"

namespace bounceback::coach {

// Applies the dialogs' nudge actions (add_nudge_time, remove_nudge_time, set_quiet_hours,
// snooze, remind, pause_nudges, resume_nudges) to the person the moment a dialog reaches
// them, and keeps {{nudge_times}}, {{quiet_hours}}, {{snoozed_until}} current. Any other
// action goes on to `next` (the goal actions).
class NudgeActions final : public dialog::ActionHandler {
 public:
  NudgeActions(core::Person& person, GoalBook& book, dialog::DialogContext& context, core::TimePoint now,
               const NudgeRules& rules, dialog::ActionHandler* next);

  void handle(const dialog::DialogAction& action, dialog::DialogOutput& out) override;

  // Makes the nudge values ({{nudge_times}}, {{quiet_hours}}, ...) readable in `context`,
  // worked out from the person's settings when read. `person` and `rules` must outlive it.
  static void describe(const core::Person& person, dialog::DialogContext& context, core::TimePoint now,
                       const NudgeRules& rules);
  // One nudge value, or nullopt for a name that is not one.
  static std::optional<std::string> value(const core::Person& person, std::string_view key, core::TimePoint now,
                                          const NudgeRules& rules);

 private:
  core::Person& person_;
  GoalBook& book_;
  dialog::DialogContext& context_;
  core::TimePoint now_;
  const NudgeRules& rules_;
  dialog::ActionHandler* next_;
};

}  // namespace bounceback::coach
