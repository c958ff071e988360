#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "bot/coach/goal_book.hpp"
#include "bot/core/time_point.hpp"
#include "bot/dialog/interpreter.hpp"
#include "bot/dialog/variant_rng.hpp"

namespace bounceback::coach {

// Applies the dialogs' goal actions to a person's GoalBook the moment a dialog reaches
// them, keeps the template values ({{goal}}, {{progress_bar}}, ...) current, and adds the
// celebration from celebrations.yaml for a step crossed off: the occasion (first step,
// halfway, goal complete, a 3/7/30-day streak), or a calm word during a safety pause.
class GoalActions final : public dialog::ActionHandler {
 public:
  GoalActions(GoalBook& book, dialog::DialogContext& context, dialog::DialogState& state,
              const dialog::DialogSet& dialogs, dialog::VariantRng& rng, core::TimePoint now, std::string timezone,
              bool paused);

  void handle(const dialog::DialogAction& action, dialog::DialogOutput& out) override;

  // Makes the goal values ({{goal}}, {{steps_list}}, {{streak_days}}, ...) readable in
  // `context`, worked out from the book when read. `book` must outlive the context's use.
  static void describe(const GoalBook& book, dialog::DialogContext& context, core::TimePoint now,
                       const std::string& timezone);
  // One goal value, or nullopt for a name that is not one.
  static std::optional<std::string> value(const GoalBook& book, std::string_view key, core::TimePoint now,
                                          const std::string& timezone);

  // The step crossed off in this turn, if one was (a win the person may share with a group).
  struct CompletedStep {
    int goal_index = 0;  // in GoalBook::goals()
    int number = 0;      // 1-based
  };
  const std::optional<CompletedStep>& completed() const { return completed_; }

 private:
  void celebrate(const StepOutcome& outcome, dialog::DialogOutput& out);
  void say(const std::string& node, dialog::DialogOutput& out);

  GoalBook& book_;
  dialog::DialogContext& context_;
  dialog::DialogState& state_;
  const dialog::DialogSet& dialogs_;
  dialog::VariantRng& rng_;
  core::TimePoint now_;
  std::string timezone_;
  bool paused_;
  std::optional<CompletedStep> completed_;
};

}  // namespace bounceback::coach
