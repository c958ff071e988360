#pragma once
#include <chrono>
#include <functional>
#include <string>

#include "bot/coach/coach.hpp"
#include "bot/coach/goal_actions.hpp"
#include "bot/coach/nudge_rules.hpp"
#include "bot/dialog/dialog_context.hpp"
#include "bot/dialog/variant_rng.hpp"

namespace bounceback::core {
class Clock;
}
namespace bounceback::store {
struct Transaction;
}

namespace bounceback::engine {

class PersonCache;
class Schedule;
class UnitOfWork;

// One turn of the coach for one person: their dialog state, goal book and nudge settings
// in, the replies out, and every change (state, book, schedule, preferences) into the
// transaction. Private messages, safety answers, nudges and a group member's coping
// conversation all run through here.
class Conversation {
 public:
  // What to ask the coach, with the person's state, the template context and the actions
  // the dialog may take on the way (goals, steps, nudge settings).
  using Decide = std::function<coach::CoachTurn(dialog::DialogState&, const dialog::DialogContext&, dialog::ActionHandler*)>;
  // After a turn that crossed a step off: a chance to add to its replies (a share offer).
  using StepDone = std::function<void(const core::Person&, const coach::GoalActions::CompletedStep&,
                                      dialog::VariantRng&, coach::CoachTurn&)>;
  struct Settings {
    std::string default_timezone = "UTC";
    std::string help_directory;  // rendered once: "• ...\n• ..."
    coach::NudgeRules nudge_rules;
  };
  // /export at most this often per person: each one is a full copy of what is kept.
  static constexpr auto kExportInterval = std::chrono::minutes(10);

  Conversation(PersonCache& cache, UnitOfWork& work, Schedule& schedule, coach::Coach& coach, const core::Clock& clock,
               Settings settings);
  void on_step_done(StepDone hook) { step_done_ = std::move(hook); }
  // A dialog reached `action: crisis_reply`: the safety desk adds its crisis reply (and the
  // pause) to the turn, before the person is stored.
  using Crisis = std::function<void(core::Person&, const dialog::DialogState&, coach::CoachTurn&)>;
  void on_crisis(Crisis hook) { crisis_ = std::move(hook); }
  // Before each turn: more values for the templates (the person's crisis resources).
  using Describe = std::function<void(const core::Person&, const dialog::DialogState&, dialog::DialogContext&)>;
  void on_describe(Describe hook) { describe_ = std::move(hook); }

  // Runs the coach; the person's new state goes into `tx`, the turn comes back.
  coach::CoachTurn decide(core::Person& person, store::Transaction& tx, const Decide& decide);
  // The same, with the replies queued in `tx` as the answer to `correlation_id`.
  void answer(core::Person& person, const std::string& correlation_id, store::Transaction& tx, const Decide& decide);

  bool paused(const core::Person& person) const;  // in a safety pause after a crisis
  coach::Coach& coach() { return coach_; }
  const Settings& settings() const { return settings_; }

 private:
  dialog::DialogContext context_for(const core::Person& person, const dialog::DialogState& state) const;
  bool exported_lately(const core::Person& person) const;
  void apply_preferences(core::Person& person, const std::vector<dialog::DialogAction>& actions);

  PersonCache& cache_;
  UnitOfWork& work_;
  Schedule& schedule_;
  coach::Coach& coach_;
  const core::Clock& clock_;
  Settings settings_;
  StepDone step_done_;
  Describe describe_;
  Crisis crisis_;
};

}  // namespace bounceback::engine
