#pragma once
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bot/core/incoming.hpp"
#include "bot/core/person.hpp"
#include "bot/core/reply.hpp"
#include "bot/dialog/diagnostic.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/dialog/interpreter.hpp"

namespace bounceback::coach {

// What the coach decided for one message: what to say and what to change.
struct CoachTurn {
  std::vector<core::Reply> replies;
  std::vector<dialog::DialogAction> actions;
};

// Decides what to answer: global commands first, then the conversation tree the person
// is in. Pure: the person's dialog state comes in and goes out changed; no I/O, no clock.
class Coach {
 public:
  // `discouragement`: phrases ("i give up") that bring out how far the person has come.
  explicit Coach(std::shared_ptr<const dialog::DialogSet> dialogs, std::vector<std::string> discouragement = {});

  // A brand-new web chat person: the first conversation starts at once.
  // `domain`, when given, applies the dialogs' actions as they happen (goals, steps).
  CoachTurn first_contact(const core::Person& person, dialog::DialogState& state,
                          const dialog::DialogContext& context, dialog::ActionHandler* domain = nullptr) const;

  CoachTurn answer(const core::Person& person, dialog::DialogState& state, const core::Incoming& message,
                   const dialog::DialogContext& context, dialog::ActionHandler* domain = nullptr) const;

  // A message bounceback sends on its own at a nudge time, with its buttons (done, snooze).
  // The person stays where they are in the dialogs.
  enum class ScheduledKind { step_nudge, checkin, encouragement, weekly };
  CoachTurn scheduled(const core::Person& person, dialog::DialogState& state, const dialog::DialogContext& context,
                      ScheduledKind kind, bool announce_half_rate) const;

  // " What you've turned to most: X and Y." from where the person's conversations went
  // (for /progress), or nothing yet.
  std::string strategies_used(const dialog::DialogState& state) const;

  // The open question again (after a safety reply), or nothing when none is open.
  CoachTurn reprompt(const core::Person& person, dialog::DialogState& state, const dialog::DialogContext& context,
                     dialog::ActionHandler* domain = nullptr) const;

  // Starts a dialog at a node, whatever was going on (harmful coping -> coping.risk).
  CoachTurn start_at(const core::Person& person, dialog::DialogState& state, const std::string& tree,
                     const std::string& node, const dialog::DialogContext& context,
                     dialog::ActionHandler* domain = nullptr) const;

  const dialog::DialogSet& dialogs() const { return *dialogs_; }

  // SIGHUP: the new set replaces the old one for every message after this call.
  void replace_dialogs(std::shared_ptr<const dialog::DialogSet> dialogs);

  // The trees and nodes the coach itself starts (onboarding, menu, help, common.*): a set
  // without them cannot run. Reported as diagnostics by `bounceback check` and at load.
  static std::vector<dialog::Diagnostic> missing_entry_points(const dialog::DialogSet& set);

 private:
  // Days of silence after which a person is welcomed back.
  static constexpr std::chrono::hours kWelcomeBackAfter{24 * 3};
  // The words say how the person is or what they want (a sure guess that is not a greeting).
  bool says_something(const std::string& text) const;
  CoachTurn run_command(const std::string& name, const std::string& args, dialog::DialogState& state,
                        const dialog::DialogContext& context, dialog::VariantRng& rng, dialog::ActionHandler* domain) const;
  CoachTurn free_text(const core::Incoming& message, dialog::DialogState& state,
                      const dialog::DialogContext& context, dialog::VariantRng& rng, dialog::ActionHandler* domain) const;

  bool discouraged(const std::string& text, const dialog::DialogState& state) const;

  std::shared_ptr<const dialog::DialogSet> dialogs_;
  std::vector<std::string> discouragement_;  // lower case, punctuation removed
};

}  // namespace bounceback::coach
