#include "bot/coach/coach.hpp"

#include <random>
#include <set>

#include "bot/coach/chat_command.hpp"

namespace bounceback::coach {

using dialog::DialogState;

namespace {

// The trees and common.yaml nodes the coach starts by name.
const std::vector<std::pair<std::string, std::string>>& entry_points() {
  static const std::vector<std::pair<std::string, std::string>> points = {
      {"onboarding", ""},      {"menu", ""},          {"help", ""},         {"common", "idle"},
      {"common", "stopped"},   {"common", "unknown_command"}, {"common", "later"}, {"common", "moved"},
      {"common", "tz_set"},    {"common", "tz_invalid"}, {"coping", "risk"},
      {"common", "forget_confirm"}, {"common", "exported"}};
  return points;
}

// Commands of CONTRACT.md whose domain (goals, nudges, privacy) is still to come: they get
// an honest "not yet" rather than the unknown-command answer.
const std::set<std::string>& later_commands() {
  static const std::set<std::string> names = {"goal",  "step",  "steps",  "done",   "undo",   "nudge",
                                              "nudges", "quiet", "snooze", "resume"};
  return names;
}

// Variants are chosen at random, reproducibly: the same person and turn, the same words.
std::mt19937 seeded(const core::Person& person, const DialogState& state) {
  std::seed_seq seq{static_cast<std::uint32_t>(person.id), static_cast<std::uint32_t>(person.id >> 32),
                    static_cast<std::uint32_t>(state.turns), static_cast<std::uint32_t>(state.turns >> 32)};
  return std::mt19937(seq);
}

CoachTurn turn(dialog::DialogOutput out) { return {std::move(out.replies), std::move(out.actions)}; }

}  // namespace

Coach::Coach(std::shared_ptr<const dialog::DialogSet> dialogs) : dialogs_(std::move(dialogs)) {}

void Coach::replace_dialogs(std::shared_ptr<const dialog::DialogSet> dialogs) { dialogs_ = std::move(dialogs); }

std::vector<dialog::Diagnostic> Coach::missing_entry_points(const dialog::DialogSet& set) {
  std::vector<dialog::Diagnostic> out;
  for (const auto& [tree, node] : entry_points()) {
    const dialog::DialogTree* t = set.tree(tree);
    if (!t) {
      out.push_back({{tree + ".yaml", 1, 1}, "bounceback needs a dialog '" + tree + "' (" + tree + ".yaml)"});
    } else if (!node.empty() && !t->node(node)) {
      out.push_back({{t->file, 1, 1}, "bounceback needs a node '" + node + "' in " + tree +
                                          ".yaml (list it under entries:)"});
    }
  }
  return out;
}

CoachTurn Coach::first_contact(const core::Person& person, DialogState& state,
                               const dialog::DialogContext& context) const {
  auto rng = seeded(person, state);
  return turn(dialog::Interpreter(*dialogs_).start(state, "onboarding", context, rng));
}

CoachTurn Coach::answer(const core::Person& person, DialogState& state, const core::Incoming& message,
                        const dialog::DialogContext& context) const {
  auto rng = seeded(person, state);
  dialog::Interpreter interpreter(*dialogs_);
  if (!interpreter.position_valid(state)) {
    // A reload removed the node the person was at: explain, and go on from the menu.
    state.tree.clear();
    state.stack.clear();
    state.waiting = false;
    return turn(interpreter.start(state, "common", context, rng, "moved"));
  }
  if (!message.is_choice())
    if (auto command = parse_chat_command(message.text)) return run_command(command->name, command->args, state, context, rng);
  if (state.waiting) return turn(interpreter.answer(state, message.text, message.choice_id, context, rng));
  return free_text(message, state, context, rng);
}

CoachTurn Coach::reprompt(const core::Person& person, DialogState& state, const dialog::DialogContext& context) const {
  dialog::Interpreter interpreter(*dialogs_);
  if (!state.waiting || !interpreter.position_valid(state)) return {};
  auto rng = seeded(person, state);
  auto stack = state.stack;  // asking again must not lose where a call returns to
  auto out = interpreter.start(state, state.tree, context, rng, state.node);
  state.stack = std::move(stack);
  return turn(std::move(out));
}

CoachTurn Coach::start_at(const core::Person& person, DialogState& state, const std::string& tree,
                          const std::string& node, const dialog::DialogContext& context) const {
  auto rng = seeded(person, state);
  return turn(dialog::Interpreter(*dialogs_).start(state, tree, context, rng, node));
}

CoachTurn Coach::free_text(const core::Incoming&, DialogState& state, const dialog::DialogContext& context,
                           std::mt19937& rng) const {
  dialog::Interpreter interpreter(*dialogs_);
  if (!state.onboarded) return turn(interpreter.start(state, "onboarding", context, rng));
  return turn(interpreter.start(state, "common", context, rng, "idle"));
}

CoachTurn Coach::run_command(const std::string& name, const std::string& args, DialogState& state,
                             const dialog::DialogContext& context, std::mt19937& rng) const {
  dialog::Interpreter interpreter(*dialogs_);
  if (name == "start") {
    if (state.onboarded) return turn(interpreter.start(state, "menu", context, rng));
    if (state.tree == "onboarding" && state.waiting)  // resume an unfinished onboarding where it was
      return turn(interpreter.start(state, "onboarding", context, rng, state.node));
    return turn(interpreter.start(state, "onboarding", context, rng));
  }
  if (name == "menu") return turn(interpreter.start(state, "menu", context, rng));
  if (name == "help") return turn(interpreter.interject(state, "help", context, rng));
  if (name == "stop" || name == "pause") return turn(interpreter.start(state, "common", context, rng, "stopped"));
  if (name == "tz") {
    auto zone = dialog::validate_answer("timezone", args);
    if (!zone) return turn(interpreter.interject(state, "common", context, rng, "tz_invalid"));
    state.vars["timezone"] = *zone;
    CoachTurn t = turn(interpreter.interject(state, "common", context, rng, "tz_set"));
    t.actions.insert(t.actions.begin(), {"set_preference", {{"key", "timezone"}, {"value", *zone}}});
    return t;
  }
  if (name == "export") {  // the core reads the data and sends it; then a word about it
    CoachTurn t = turn(interpreter.interject(state, "common", context, rng, "exported"));
    t.actions.insert(t.actions.begin(), {"export_data", {}});
    return t;
  }
  if (name == "forget") return turn(interpreter.interject(state, "common", context, rng, "forget_confirm"));
  if (later_commands().count(name)) return turn(interpreter.interject(state, "common", context, rng, "later"));
  return turn(interpreter.interject(state, "common", context, rng, "unknown_command"));
}

}  // namespace bounceback::coach
