#include "bot/dialog/dialog_checker.hpp"

#include <deque>
#include <functional>
#include <map>

#include "bot/dialog/action_catalog.hpp"
#include "bot/dialog/template_text.hpp"

namespace bounceback::dialog {

const std::set<std::string>& builtin_variables() {
  static const std::set<std::string> names = {
      "name",          "goal",           "steps_done", "steps_total", "steps_open", "progress_bar",
      "steps_list",    "help_directory", "timezone",   "turns",       "onboarded",  "nudge_times",
      "quiet_hours",   "safety_pause",   "has_goal",   "streak_days", "recent_steps", "recent_wins",
      "next_step",     "undo_ok",        "open_steps", "goal_title",  "step_text",  "step_number",
      "next_step_number", "has_nudges", "nudges_paused", "snoozed", "snoozed_until", "evening", "morning", "nudge_time",
      "nudge_ok", "max_nudges", "nudges_paused_note", "quiet_ok", "snooze_ok", "snooze_for", "quiet_hours_text",
      "has_quiet_hours", "nudge_time_text", "crisis_resources", "country", "country_known",
      // words typed where a choice was expected and read by the classifier; find_step's answer
      "said", "found_step",
      // moods: the last 14 days as marks, the trend as a word (few, lighter, heavier, steady)
      "mood_sparkline", "mood_trend", "mood_entries", "low_days", "mood_score", "mood_word",
      // the journal and /progress
      "journal_latest", "journal_entries", "journal_text", "steps_week", "steps_all", "goals_done", "longest_streak",
      "past_wins", "strategies_used", "steps_week_text", "steps_all_text", "goals_done_text", "longest_streak_text", "streak_days_text",
      // groups.yaml
      "group", "checkin_time", "checkin_zone", "tally", "wins_list", "winner"};
  return names;
}

namespace {

// Which trees capture (or set) each variable.
std::map<std::string, std::set<std::string>> captured_variables(const DialogSet& set) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [tree_id, tree] : set.trees)
    for (const auto& [id, node] : tree.nodes) {
      if (!node.capture.empty()) out[node.capture].insert(tree_id);
      if (node.kind == NodeKind::action && node.action == "set" && node.args.count("var"))
        out[node.args.at("var")].insert(tree_id);
    }
  return out;
}

class Checker {
 public:
  Checker(const DialogSet& set, std::vector<Diagnostic>& out) : set_(set), out_(out), captured_(captured_variables(set)) {}

  void run() {
    for (const auto& [id, tree] : set_.trees) check_tree(tree);
    check_silent_cycles();
  }

 private:
  void error(const SourceLocation& where, std::string message) { out_.push_back({where, std::move(message)}); }

  bool known_variable(const std::string& name) const {
    return builtin_variables().count(name) || captured_.count(name) || name.rfind("visits.", 0) == 0;
  }

  void check_template(const DialogTree& tree, const std::string& text, const SourceLocation& where) {
    std::string why;
    auto holes = template_holes(text, why);
    if (!why.empty()) return error(where, why);
    for (const auto& h : holes) {
      if (builtin_variables().count(h.variable)) continue;
      auto it = captured_.find(h.variable);
      if (it == captured_.end()) {
        error(where, "unknown variable {{" + h.variable + "}}: it is not built in and no ask captures it with text: " + h.variable);
      } else if (!it->second.count(tree.id) && !h.fallback) {
        error(where, "{{" + h.variable + "}} is captured only in " + *it->second.begin() +
                         ".yaml: give words for when it is not set, e.g. {{" + h.variable + "|that}}");
      }
    }
  }

  void check_target(const DialogTree& tree, const std::string& target, const SourceLocation& where,
                    const std::string& what) {
    if (target.empty()) return;  // reported by the loader
    if (!set_.resolve(tree.id, target)) {
      auto dot = target.find('.');
      if (dot != std::string::npos && !set_.tree(target.substr(0, dot)))
        error(where, what + " leads to '" + target + "': there is no dialog '" + target.substr(0, dot) + "'");
      else
        error(where, what + " leads to '" + target + "': no such node in " + tree.id + ".yaml and no such dialog");
    }
  }

  void check_tree(const DialogTree& tree) {
    if (!tree.start.empty() && !tree.node(tree.start))
      error(tree.start_where, "start: there is no node '" + tree.start + "'");
    if (!tree.reask.empty()) check_template(tree, tree.reask, tree.start_where);

    for (const auto& id : tree.order) {
      const Node& n = tree.nodes.at(id);
      for (const auto& t : n.texts) check_template(tree, t, n.text_where);
      switch (n.kind) {
        case NodeKind::say:
        case NodeKind::action:
          if (n.next.empty()) error(n.where, "node '" + id + "' is a dead end: add next: (or an end node after it)");
          break;
        case NodeKind::ask:
          if (!n.capture.empty() && n.next.empty())
            error(n.where, "node '" + id + "' is a dead end: add next: for after the answer");
          for (const auto& c : n.choices) {
            check_template(tree, c.label, c.where);
            check_target(tree, c.next, c.where, "choice '" + c.id + "'");
          }
          for (const auto& [intent, target] : n.on_intent)
            check_target(tree, target, n.on_intent_where.at(intent), "on_intent '" + intent + "'");
          break;
        case NodeKind::branch:
          for (const auto& arm : n.arms) {
            check_target(tree, arm.next, arm.where, "this branch arm");
            if (arm.condition && !known_variable(arm.condition->variable))
              error(arm.where, "unknown variable '" + arm.condition->variable + "' in the condition");
          }
          if (!n.arms.empty() && n.arms.back().condition)
            error(n.where, "branch '" + id + "' needs {else: NODE} as its last arm, so it always goes somewhere");
          break;
        case NodeKind::go_to:
          check_target(tree, n.target, n.target_where, "goto");
          break;
        case NodeKind::call:
          if (!n.target.empty() && !set_.resolve(tree.id, n.target))
            error(n.target_where, "call to a missing dialog '" + n.target + "'");
          if (n.next.empty()) error(n.where, "node '" + id + "' needs next: for when the called dialog returns");
          break;
        case NodeKind::return_:
        case NodeKind::end:
          break;
      }
      if (!n.next.empty()) check_target(tree, n.next, n.next_where, "next");
      if (n.kind == NodeKind::action) check_action(tree, n);
    }
    check_reachable(tree);
  }

  void check_action(const DialogTree& tree, const Node& n) {
    const ActionSpec* spec = find_action(n.action);
    if (!spec) return error(n.where, "unknown action '" + n.action + "'");
    for (const auto& r : spec->required)
      if (!n.args.count(r)) error(n.where, "action " + n.action + " needs the argument '" + r + "'");
    for (const auto& [k, v] : n.args) {
      const SourceLocation& where = n.arg_where.at(k);
      if (!spec->required.count(k) && !spec->optional.count(k))
        error(where, "action " + n.action + " has no argument '" + k + "'");
      check_template(tree, v, where);
    }
    if (n.action == "set_preference" && n.args.count("key") && !preference_keys().count(n.args.at("key")))
      error(n.arg_where.at("key"), "set_preference key '" + n.args.at("key") +
                                       "' is not one of: country, name, nudge_time, quiet_hours, timezone");
  }

  void check_reachable(const DialogTree& tree) {
    if (!tree.node(tree.start)) return;
    std::set<std::string> seen = {tree.start};
    std::deque<std::string> todo = {tree.start};
    for (std::size_t i = 0; i < tree.entries.size(); ++i) {
      if (!tree.node(tree.entries[i])) error(tree.entries_where[i], "entries: there is no node '" + tree.entries[i] + "'");
      else if (seen.insert(tree.entries[i]).second) todo.push_back(tree.entries[i]);
    }
    auto visit = [&](const std::string& target) {
      auto ref = set_.resolve(tree.id, target);
      if (ref && ref->tree == tree.id && seen.insert(ref->node).second) todo.push_back(ref->node);
    };
    while (!todo.empty()) {
      const Node& n = tree.nodes.at(todo.front());
      todo.pop_front();
      if (!n.next.empty()) visit(n.next);
      if (n.kind == NodeKind::go_to || n.kind == NodeKind::call) visit(n.target);
      for (const auto& c : n.choices) visit(c.next);
      for (const auto& [intent, target] : n.on_intent) visit(target);
      for (const auto& a : n.arms) visit(a.next);
    }
    for (const auto& id : tree.order)
      if (!seen.count(id)) error(tree.nodes.at(id).where, "node '" + id + "' is never reached from start '" + tree.start + "'");
  }

  // --- loops that never wait for the person ------------------------------------------
  // A walk from node to node that comes back where it started without an ask on the way
  // would run until the interpreter's step cap (call/return cycles grew the stack on each
  // turn). Branches with conditions are left out: a condition may end the loop.

  static std::string key(const NodeRef& r) { return r.tree + "." + r.node; }

  // Whether running from `at` can come to a return (or the tree's end) without asking.
  bool returns_silently(const NodeRef& at, std::set<std::string>& seen) {
    if (!seen.insert(key(at)).second) return false;
    const Node* n = set_.node(at);
    if (!n) return true;  // a missing node ends the dialog like a return
    if (n->kind == NodeKind::return_ || n->kind == NodeKind::end) return true;
    for (const auto& next : silent_successors(at, *n, /*through_calls=*/false))
      if (returns_silently(next, seen)) return true;
    if (n->kind == NodeKind::call)
      if (auto callee = set_.resolve(at.tree, n->target); callee && returns_silently(*callee, seen)) {
        if (n->next.empty()) return true;
        if (auto after = set_.resolve(at.tree, n->next); !after || returns_silently(*after, seen)) return true;
      }
    if ((n->kind == NodeKind::say || n->kind == NodeKind::action) && n->next.empty()) return true;
    return false;
  }

  std::vector<NodeRef> silent_successors(const NodeRef& at, const Node& n, bool through_calls) {
    std::vector<NodeRef> out;
    auto add = [&](const std::string& target) {
      if (auto r = set_.resolve(at.tree, target)) out.push_back(*r);
    };
    switch (n.kind) {
      case NodeKind::say:
      case NodeKind::action:
        if (!n.next.empty()) add(n.next);
        break;
      case NodeKind::go_to:
        add(n.target);
        break;
      case NodeKind::branch:
        if (n.arms.size() == 1 && !n.arms.front().condition) add(n.arms.front().next);
        break;
      case NodeKind::call:
        if (!through_calls) break;
        add(n.target);
        if (auto callee = set_.resolve(at.tree, n.target); callee && !n.next.empty()) {
          std::set<std::string> seen;
          if (returns_silently(*callee, seen)) add(n.next);
        }
        break;
      default:
        break;
    }
    return out;
  }

  void check_silent_cycles() {
    std::map<std::string, int> state;  // 1: on the current path, 2: done
    std::vector<std::pair<NodeRef, const Node*>> path;
    std::function<void(const NodeRef&)> visit = [&](const NodeRef& at) {
      const Node* n = set_.node(at);
      if (!n) return;
      state[key(at)] = 1;
      path.push_back({at, n});
      for (const auto& next : silent_successors(at, *n, /*through_calls=*/true)) {
        int s = state[key(next)];
        if (s == 1) {
          std::string loop;
          bool in = false;
          for (const auto& [r, node] : path) {
            in = in || key(r) == key(next);
            if (in) loop += key(r) + " -> ";
          }
          const Node* first = set_.node(next);
          error(first ? first->where : n->where,
                "this node comes back to itself without asking anything (" + loop + key(next) +
                    "): the person would never get a word in");
        } else if (s == 0) {
          visit(next);
        }
      }
      path.pop_back();
      state[key(at)] = 2;
    };
    for (const auto& [tree_id, tree] : set_.trees)
      for (const auto& id : tree.order)
        if (state[key({tree_id, id})] == 0) visit({tree_id, id});
  }

  const DialogSet& set_;
  std::vector<Diagnostic>& out_;
  std::map<std::string, std::set<std::string>> captured_;
};

}  // namespace

void check_dialogs(const DialogSet& set, std::vector<Diagnostic>& diagnostics) { Checker(set, diagnostics).run(); }

}  // namespace bounceback::dialog
