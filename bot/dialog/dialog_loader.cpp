#include "bot/dialog/dialog_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>
#include <sstream>

#include "bot/dialog/dialog_checker.hpp"

namespace bounceback::dialog {

namespace {

class TreeReader {
 public:
  TreeReader(std::string file, std::vector<Diagnostic>& diagnostics) : file_(std::move(file)), out_(diagnostics) {}

  SourceLocation at(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    if (m.is_null()) return {file_, 1, 1};
    return {file_, m.line + 1, m.column + 1};
  }
  void error(const YAML::Node& n, std::string message) { out_.push_back({at(n), std::move(message)}); }

  bool text(const YAML::Node& n, std::string& into, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, what + " must be text");
      return false;
    }
    into = n.Scalar();
    return true;
  }

  // One string or a list of strings (variants).
  std::vector<std::string> texts(const YAML::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
    } else if (n.IsSequence() && n.size() > 0) {
      for (const auto& item : n) {
        std::string t;
        if (text(item, t, "each variant of " + what)) out.push_back(t);
      }
    } else {
      error(n, what + " must be text or a list of text variants");
    }
    for (const auto& t : out)
      if (t.find_first_not_of(" \t\r\n") == std::string::npos) error(n, what + " must not be empty");
    return out;
  }

  // Keys of a mapping, reporting duplicates (YAML would silently keep one of them).
  std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node& map, const std::string& what) {
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    std::map<std::string, int> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (auto s = seen.find(key); s != seen.end()) {
        error(it->first, "duplicate " + what + " '" + key + "' (first at line " + std::to_string(s->second) + ")");
        continue;
      }
      seen[key] = at(it->first).line;
      out.emplace_back(it->first, it->second);
    }
    return out;
  }

  Node node(const std::string& id, const YAML::Node& key, const YAML::Node& body) {
    Node n;
    n.id = id;
    n.where = at(key);
    if (!body.IsMap()) {
      error(body, "node '" + id + "' must be a mapping with one of: say, ask, branch, goto, call, return, action, end");
      return n;
    }
    static const std::map<std::string, NodeKind> kinds = {
        {"say", NodeKind::say},     {"ask", NodeKind::ask},       {"branch", NodeKind::branch},
        {"goto", NodeKind::go_to},  {"call", NodeKind::call},     {"return", NodeKind::return_},
        {"action", NodeKind::action}, {"end", NodeKind::end}};
    std::vector<std::string> found;
    for (const auto& [k, v] : entries(body, "key in node '" + id + "'"))
      if (kinds.count(k.Scalar())) found.push_back(k.Scalar());
    if (found.size() != 1) {
      error(key, found.empty() ? "node '" + id + "' needs one of: say, ask, branch, goto, call, return, action, end"
                               : "node '" + id + "' has both '" + found[0] + "' and '" + found[1] +
                                     "': split it into two nodes");
      // Keep its way onward, so the nodes after it are not reported as unreachable too.
      n.kind = NodeKind::go_to;
      if (body["next"] && body["next"].IsScalar()) n.target = body["next"].Scalar();
      return n;
    }
    n.kind = kinds.at(found[0]);
    std::set<std::string> allowed = {found[0]};
    auto allow = [&](std::initializer_list<const char*> keys) { allowed.insert(keys.begin(), keys.end()); };

    switch (n.kind) {
      case NodeKind::say:
        n.texts = texts(body["say"], "say");
        n.text_where = at(body["say"]);
        allow({"next", "kind"});
        break;
      case NodeKind::ask:
        n.texts = texts(body["ask"], "ask");
        n.text_where = at(body["ask"]);
        allow({"choices", "text", "validate", "invalid", "next", "kind", "on_intent"});
        read_ask(n, body);
        break;
      case NodeKind::branch:
        read_branch(n, body["branch"]);
        break;
      case NodeKind::go_to:
        text(body["goto"], n.target, "goto");
        n.target_where = at(body["goto"]);
        break;
      case NodeKind::call:
        text(body["call"], n.target, "call");
        n.target_where = at(body["call"]);
        allow({"next"});
        break;
      case NodeKind::action:
        text(body["action"], n.action, "action");
        allow({"args", "next"});
        if (body["args"]) {
          if (!body["args"].IsMap()) error(body["args"], "args must be a mapping of name: value");
          else
            for (const auto& [k, v] : entries(body["args"], "argument")) {
              std::string value;
              if (text(v, value, "argument '" + k.Scalar() + "'")) {
                n.args[k.Scalar()] = value;
                n.arg_where[k.Scalar()] = at(k);
              }
            }
        }
        break;
      case NodeKind::return_:
      case NodeKind::end:
        break;
    }
    if (body["next"]) {
      text(body["next"], n.next, "next");
      n.next_where = at(body["next"]);
    }
    if (body["kind"]) {
      std::string k;
      if (text(body["kind"], k, "kind")) {
        auto parsed = core::parse_message_kind(k);
        if (!parsed) error(body["kind"], "kind \"" + k + "\" is not one of: reply, nudge, celebration, safety, checkin");
        else n.message_kind = *parsed;
      }
    }
    for (auto it = body.begin(); it != body.end(); ++it)
      if (!allowed.count(it->first.Scalar()))
        error(it->first, "'" + it->first.Scalar() + "' does not belong in a " + to_string(n.kind) + " node");
    return n;
  }

  void read_ask(Node& n, const YAML::Node& body) {
    bool has_choices = static_cast<bool>(body["choices"]);
    bool has_text = static_cast<bool>(body["text"]);
    if (!has_choices && !has_text) {
      error(body["ask"], "an ask needs 'choices' (quick replies) or 'text' (a variable to capture), or both");
      return;
    }
    if (has_text) {
      // With choices too, typed words that are no choice are the answer ("Is there another
      // step?" answered with the step itself).
      text(body["text"], n.capture, "text");
      if (!is_variable_name(n.capture)) error(body["text"], "\"" + n.capture + "\" is not a variable name");
      n.validate = "non_empty";
      if (body["validate"]) {
        text(body["validate"], n.validate, "validate");
        static const std::set<std::string> validators = {"non_empty", "time",   "time_range", "number", "timezone",
                                                         "person",    "name",   "country",    "any"};
        if (!validators.count(n.validate))
          error(body["validate"], "validate \"" + n.validate +
                                      "\" is not one of: non_empty, time, time_range, number, timezone, person, name, country, any");
      }
      if (body["invalid"]) text(body["invalid"], n.invalid, "invalid");
      if (!has_choices) return;
      if (!body["next"]) error(body["text"], "typed words kept as {{" + n.capture + "}} need a next: to go on to");
    }
    if (!has_text && (body["validate"] || body["invalid"])) error(body["choices"], "validate and invalid go with text, not with choices");
    if (const YAML::Node routes = body["on_intent"]) {
      if (!routes.IsMap()) error(routes, "on_intent must be a mapping of intent: node");
      else
        for (const auto& [k, v] : entries(routes, "intent")) {
          std::string target;
          if (text(v, target, "on_intent '" + k.Scalar() + "'")) {
            n.on_intent[k.Scalar()] = target;
            n.on_intent_where[k.Scalar()] = at(k);
          }
        }
    }
    if (body["next"] && !has_text)
      error(body["next"], "an ask with choices continues through each choice's next, not 'next' (unless it has text: too)");
    const YAML::Node list = body["choices"];
    if (!list.IsSequence() || list.size() == 0) {
      error(list, "choices must be a list of {id, label, next}");
      return;
    }
    std::map<std::string, int> ids;
    for (const auto& item : list) {
      ChoiceSpec c;
      c.where = at(item);
      if (!item.IsMap()) {
        error(item, "each choice must be {id, label, next}");
        continue;
      }
      for (auto it = item.begin(); it != item.end(); ++it) {
        std::string k = it->first.Scalar();
        if (k != "id" && k != "label" && k != "next" && k != "intents")
          error(it->first, "'" + k + "' does not belong in a choice");
      }
      if (!item["id"]) error(item, "a choice needs an id");
      else text(item["id"], c.id, "a choice's id");
      if (!item["label"]) error(item, "choice '" + c.id + "' needs a label");
      else text(item["label"], c.label, "a choice's label");
      if (!item["next"]) {
        error(item, "choice '" + c.id + "' has no target: add next");
      } else {
        text(item["next"], c.next, "a choice's next");
        c.where = at(item["next"]);
      }
      if (const YAML::Node intents = item["intents"]) {
        c.intents_where = at(intents);
        if (!intents.IsSequence()) error(intents, "intents must be a list of intent names, like [sad, lonely]");
        else
          for (const auto& i : intents) {
            std::string name;
            if (text(i, name, "an intent")) c.intents.push_back(name);
          }
      }
      if (!c.id.empty()) {
        if (auto s = ids.find(c.id); s != ids.end())
          error(item["id"], "duplicate choice id '" + c.id + "' (first at line " + std::to_string(s->second) + ")");
        else ids[c.id] = at(item).line;
      }
      n.choices.push_back(std::move(c));
    }
  }

  void read_branch(Node& n, const YAML::Node& list) {
    if (!list.IsSequence() || list.size() == 0) {
      error(list, "branch must be a list of {if: CONDITION, next: NODE} ending with {else: NODE}");
      return;
    }
    for (const auto& item : list) {
      BranchArm arm;
      arm.where = at(item);
      if (item.IsMap() && item["else"]) {
        text(item["else"], arm.next, "else");
        arm.where = at(item["else"]);
      } else if (item.IsMap() && item["if"] && item["next"]) {
        std::string cond, why;
        if (text(item["if"], cond, "if")) {
          arm.condition = parse_condition(cond, why);
          if (!arm.condition) error(item["if"], why);
        }
        text(item["next"], arm.next, "next");
        arm.where = at(item["next"]);
      } else {
        error(item, "each branch arm is {if: CONDITION, next: NODE} or {else: NODE}");
        continue;
      }
      n.arms.push_back(std::move(arm));
    }
  }

  DialogTree tree(const YAML::Node& root, const std::string& id) {
    DialogTree t;
    t.id = id;
    t.file = file_;
    if (!root.IsMap()) {
      error(root, "a dialog file must be a mapping with start: and nodes:");
      return t;
    }
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string k = it->first.Scalar();
      if (k != "title" && k != "start" && k != "nodes" && k != "reask" && k != "entries" && k != "home" &&
          k != "listens")
        error(it->first, "unknown key '" + k + "' (a dialog file has title, start, entries, reask, home and nodes)");
    }
    if (root["entries"]) {
      if (!root["entries"].IsSequence()) error(root["entries"], "entries must be a list of node ids");
      else
        for (const auto& e : root["entries"]) {
          std::string id;
          if (text(e, id, "an entry")) {
            t.entries.push_back(id);
            t.entries_where.push_back(at(e));
          }
        }
    }
    if (root["title"]) text(root["title"], t.title, "title");
    if (root["reask"]) text(root["reask"], t.reask, "reask");
    if (root["home"]) {
      std::string home;
      if (text(root["home"], home, "home")) {
        if (home == "true") t.home = true;
        else if (home != "false") error(root["home"], "home must be true or false");
      }
    }
    if (root["listens"]) {
      std::string listens;
      if (text(root["listens"], listens, "listens")) {
        if (listens == "true") t.listens = true;
        else if (listens != "false") error(root["listens"], "listens must be true or false");
      }
    }
    if (!root["start"]) error(root, "the dialog needs start: (the first node)");
    else {
      text(root["start"], t.start, "start");
      t.start_where = at(root["start"]);
    }
    const YAML::Node nodes = root["nodes"];
    if (!nodes || !nodes.IsMap() || nodes.size() == 0) {
      error(nodes ? nodes : root, "the dialog needs nodes: a mapping of node id to node");
      return t;
    }
    for (const auto& [key, body] : entries(nodes, "node id")) {
      std::string node_id = key.Scalar();
      if (!is_variable_name(node_id) || node_id.find('.') != std::string::npos) {
        error(key, "node id \"" + node_id + "\" may use letters, digits and _ only");
        continue;
      }
      t.order.push_back(node_id);
      t.nodes.emplace(node_id, node(node_id, key, body));
    }
    return t;
  }

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

}  // namespace

DialogTree parse_dialog(const std::string& yaml_text, const std::string& file, std::vector<Diagnostic>& diagnostics) {
  std::string id = std::filesystem::path(file).stem().string();
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    diagnostics.push_back({{file, e.mark.line + 1, e.mark.column + 1}, e.msg});
    DialogTree empty;
    empty.id = id;
    empty.file = file;
    return empty;
  }
  TreeReader reader(file, diagnostics);
  try {
    return reader.tree(root, id);
  } catch (const YAML::Exception& e) {  // a shape the reader did not expect: an error, never a crash
    diagnostics.push_back({{file, e.mark.line + 1, e.mark.column + 1}, e.msg});
    DialogTree empty;
    empty.id = id;
    empty.file = file;
    return empty;
  }
}

LoadedDialogs load_dialogs(const std::vector<std::string>& paths) {
  LoadedDialogs loaded;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& entry : std::filesystem::directory_iterator(p, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".yaml") in_dir.push_back(entry.path().string());
      std::sort(in_dir.begin(), in_dir.end());
      if (in_dir.empty()) loaded.diagnostics.push_back({{p, 1, 1}, "no .yaml dialog files in this folder"});
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      loaded.diagnostics.push_back({{p, 1, 1}, "no such file or folder"});
    }
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      loaded.diagnostics.push_back({{file, 1, 1}, "cannot read the file"});
      continue;
    }
    DialogTree tree = parse_dialog(text.str(), file, loaded.diagnostics);
    if (loaded.set.trees.count(tree.id)) {
      loaded.diagnostics.push_back({{file, 1, 1}, "a second dialog named '" + tree.id + "'"});
      continue;
    }
    loaded.set.trees.emplace(tree.id, std::move(tree));
  }
  check_dialogs(loaded.set, loaded.diagnostics);
  std::stable_sort(loaded.diagnostics.begin(), loaded.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) < std::tie(b.where.file, b.where.line, b.where.column);
  });
  return loaded;
}

}  // namespace bounceback::dialog
