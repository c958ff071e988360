#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/core/message_kind.hpp"
#include "bot/dialog/condition.hpp"
#include "bot/dialog/diagnostic.hpp"
#include "bot/dialog/understanding.hpp"

namespace bounceback::dialog {

enum class NodeKind { say, ask, branch, go_to, call, return_, action, end };
const char* to_string(NodeKind kind);

// A quick reply of an `ask`.
struct ChoiceSpec {
  std::string id;
  std::string label;
  std::string next;
  SourceLocation where;
  // What typed words this choice fits (intents of dialogs/understand/): a typed message
  // read as one of them takes this choice, and a guess among them suggests it.
  std::vector<std::string> intents;
  SourceLocation intents_where;
};

// One arm of a `branch`: taken when its condition holds (no condition: the `else`).
struct BranchArm {
  std::optional<Condition> condition;
  std::string next;
  SourceLocation where;
};

// One node of a conversation tree, as written in YAML (see dialogs/README.md).
struct Node {
  std::string id;
  NodeKind kind = NodeKind::end;
  SourceLocation where;
  core::MessageKind message_kind = core::MessageKind::reply;

  std::vector<std::string> texts;   // say: variants; ask: the question's variants
  std::vector<ChoiceSpec> choices;  // ask with quick replies
  // ask with choices: where a typed message read as an intent goes (intent -> node).
  std::map<std::string, std::string> on_intent;
  std::map<std::string, SourceLocation> on_intent_where;
  std::string capture;              // ask with free text: the variable it fills
  std::string validate;             // ask with free text: non_empty | time | number | timezone
  std::string invalid;              // ask with free text: what to say when it does not validate
  std::vector<BranchArm> arms;      // branch
  std::string target;               // goto, call
  std::string action;               // action: its name
  std::map<std::string, std::string> args;  // action: its arguments (templates)
  std::map<std::string, SourceLocation> arg_where;
  std::string next;                 // say, ask (free text), call, action
  SourceLocation next_where;
  SourceLocation target_where;
  SourceLocation text_where;  // the say: / ask: text
};

// One file of dialogs/: a tree with a start node.
struct DialogTree {
  std::string id;  // the file name without .yaml
  std::string file;
  std::string title;
  std::string start;
  SourceLocation start_where;
  std::string reask;  // said before the choices again when free text came instead of a choice
  // Its questions are where a person rests (the menu), not one they are in the middle of:
  // a command's answer does not bring their buttons back.
  bool home = false;
  // Its questions read typed words as the menu does (the menu's on_intent) when their own
  // choices do not fit: a person answering a reflection with something new is heard.
  bool listens = false;
  std::vector<std::string> entries;  // nodes started from outside (besides start): reachable by definition
  std::vector<SourceLocation> entries_where;
  std::map<std::string, Node> nodes;
  std::vector<std::string> order;  // node ids as written

  const Node* node(const std::string& id) const {
    auto it = nodes.find(id);
    return it == nodes.end() ? nullptr : &it->second;
  }
};

// Where a `next`, `goto` or `call` leads: a node of this tree, "tree.node", or a tree's start.
struct NodeRef {
  std::string tree;
  std::string node;
};

// Every tree, by id. Immutable once loaded; a reload builds a new set.
struct DialogSet {
  std::map<std::string, DialogTree> trees;
  // Reads typed words where a choice was expected; none when dialogs/understand is absent.
  std::shared_ptr<const Understanding> understanding;

  const DialogTree* tree(const std::string& id) const {
    auto it = trees.find(id);
    return it == trees.end() ? nullptr : &it->second;
  }
  const Node* node(const NodeRef& ref) const {
    const DialogTree* t = tree(ref.tree);
    return t ? t->node(ref.node) : nullptr;
  }
  // Resolves `target` as written in tree `from`; nullopt when it leads nowhere.
  std::optional<NodeRef> resolve(const std::string& from, const std::string& target) const;
};

}  // namespace bounceback::dialog
