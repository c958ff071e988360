#pragma once
#include <optional>
#include <random>
#include <string>

#include "bot/coach/goal_book.hpp"
#include "bot/core/time_point.hpp"
#include "bot/dialog/interpreter.hpp"

namespace bounceback::coach {

// Applies the dialogs' goal actions to a person's GoalBook the moment a dialog reaches
// them, keeps the template values ({{goal}}, {{progress_bar}}, ...) current, and adds the
// celebration from celebrations.yaml for a step crossed off: the occasion (first step,
// halfway, goal complete, a 3/7/30-day streak), or a calm word during a safety pause.
class GoalActions final : public dialog::ActionHandler {
 public:
  GoalActions(GoalBook& book, dialog::DialogContext& context, dialog::DialogState& state,
              const dialog::DialogSet& dialogs, std::mt19937& rng, core::TimePoint now, std::string timezone,
              bool paused);

  void handle(const dialog::DialogAction& action, dialog::DialogOutput& out) override;

  // Fills the goal values of `context` from the book (also used before a dialog runs).
  static void describe(const GoalBook& book, dialog::DialogContext& context, core::TimePoint now,
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
  std::mt19937& rng_;
  core::TimePoint now_;
  std::string timezone_;
  bool paused_;
  std::optional<CompletedStep> completed_;
};

}  // namespace bounceback::coach
