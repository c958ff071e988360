#pragma once
#include <map>
#include "bot/dialog/variant_rng.hpp"
#include <string>
#include <vector>

#include "bot/core/reply.hpp"
#include "bot/dialog/dialog_context.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/dialog/dialog_tree.hpp"

namespace bounceback::dialog {

// An `action` node's request, its arguments rendered. The core applies it.
struct DialogAction {
  std::string name;
  std::map<std::string, std::string> args;
  bool operator==(const DialogAction&) const = default;
};

struct DialogOutput {
  std::vector<core::Reply> replies;
  std::vector<DialogAction> actions;
  // Nodes run for this event so far, across calls and returns: the cap on a dialog that
  // never waits (bounceback check refuses those; this is the guard for what it misses).
  int steps = 0;
};

// Applies an `action` node's request at the moment the dialog reaches it, so that what
// the dialog says next already sees the change (the goal just started, the step just
// done). It may add replies of its own (a celebration) at that point.
class ActionHandler {
 public:
  virtual ~ActionHandler() = default;
  virtual void handle(const DialogAction& action, DialogOutput& out) = 0;
};

// Walks the trees. Pure: everything it needs comes in, everything it decides goes out;
// the random generator (for text variants) is passed in seeded.
class Interpreter {
 public:
  explicit Interpreter(const DialogSet& set, ActionHandler* handler = nullptr) : set_(set), handler_(handler) {}

  // One `say` node's words (a variant, templates filled), without moving the person.
  std::optional<core::Reply> say(DialogState& state, const std::string& tree, const std::string& node,
                                 const DialogContext& context, VariantRng& rng) const;

  // Starts `tree` (at `node`, or its start) as a new conversation.
  DialogOutput start(DialogState& state, const std::string& tree, const DialogContext& context, VariantRng& rng,
                     const std::string& node = "") const;

  // Runs `tree` (from `node`, or its start) and then comes back to the question the person
  // was at, when that part ends with `return` (help, for instance).
  DialogOutput interject(DialogState& state, const std::string& tree, const DialogContext& context,
                         VariantRng& rng, const std::string& node = "") const;

  // The person's answer to the question they are at. Only when state.waiting.
  DialogOutput answer(DialogState& state, const std::string& text, const std::string& choice_id,
                      const DialogContext& context, VariantRng& rng) const;

  // True when the state points at a node that exists (a reload may remove one).
  bool position_valid(const DialogState& state) const;

 private:
  // start() and interject(): a new conversation, or a detour back to the open question.
  DialogOutput begin(DialogState& state, const std::string& tree, const std::string& node, bool come_back,
                     const DialogContext& context, VariantRng& rng) const;
  void run(DialogState& state, NodeRef at, const DialogContext& context, VariantRng& rng, DialogOutput& out) const;
  void ask(DialogState& state, const Node& node, const DialogContext& context, VariantRng& rng,
           DialogOutput& out, const std::string& preface = "") const;
  std::string pick_variant(DialogState& state, const std::string& key, const std::vector<std::string>& texts,
                           VariantRng& rng) const;
  void finish(DialogState& state, const DialogContext& context, VariantRng& rng, DialogOutput& out) const;
  // Typed words where a choice was expected, read by set_.understanding: an intent the node
  // routes (on_intent) or a choice fits (intents:), else "not sure" with a few choices.
  // False when the question should simply be asked again.
  bool understood(DialogState& state, const Node& node, const std::string& text, const DialogContext& context,
                  VariantRng& rng, DialogOutput& out) const;
  // Where an intent leads from `node`: its own on_intent, or in a tree that listens, the
  // menu's. Resolved from the tree it returns.
  std::optional<NodeRef> listening_route(const DialogState& state, const Node& node, const std::string& intent) const;
  // Free text captured at `node`, read: where a sure guess leads, if anywhere.
  // Whether typed words may be an answer in their own right, not a greeting, thanks,
  // goodbye, "not now" or filler.
  bool says_something(const std::string& text) const;
  std::optional<NodeRef> intent_route(const DialogState& state, const Node& node, const std::string& text) const;
  // After an answer: on to `target` as written in the current tree.
  void continue_at(DialogState& state, const std::string& target, const DialogContext& context, VariantRng& rng,
                   DialogOutput& out) const;

  const DialogSet& set_;
  ActionHandler* handler_;
};

// Checks free text against an ask's validator; returns the value to keep (normalised,
// e.g. "7:05" -> "07:05", "my sister Marta" -> "Marta") or nothing. Validators: non_empty, time, time_range,
// number, timezone, name, person, any.
std::optional<std::string> validate_answer(const std::string& validator, const std::string& text);

}  // namespace bounceback::dialog
