#include "bot/dialog/dialog_graph.hpp"

#include <set>
#include <sstream>

namespace bounceback::dialog {

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string shorten(const std::string& s, std::size_t n = 40) {
  std::string one_line;
  for (char c : s) one_line += (c == '\n') ? ' ' : c;
  if (one_line.size() <= n) return one_line;
  std::size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(one_line[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return one_line.substr(0, cut) + "…";
}

const char* shape(NodeKind k) {
  switch (k) {
    case NodeKind::say: return "box, style=rounded";
    case NodeKind::ask: return "box, style=\"rounded,bold\"";
    case NodeKind::branch: return "diamond";
    case NodeKind::go_to: return "cds";
    case NodeKind::call: return "component";
    case NodeKind::return_: return "house";
    case NodeKind::action: return "hexagon";
    case NodeKind::end: return "doublecircle";
  }
  return "box";
}

}  // namespace

std::string to_dot(const DialogTree& tree, const DialogSet& set) {
  std::ostringstream dot;
  std::set<std::string> outside;
  dot << "digraph " << quote(tree.id) << " {\n"
      << "  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n"
      << "  label=" << quote(tree.title.empty() ? tree.id : tree.title) << "; labelloc=t;\n"
      << "  __start [shape=point];\n  __start -> " << quote(tree.start) << ";\n";
  for (const auto& id : tree.order) {
    const Node& n = tree.nodes.at(id);
    std::string label = id + "\n" + to_string(n.kind);
    if (!n.texts.empty()) label = id + "\n" + shorten(n.texts.front());
    if (n.kind == NodeKind::action) label = id + "\n" + n.action;
    if (n.kind == NodeKind::call || n.kind == NodeKind::go_to) label = id + "\n" + to_string(n.kind) + " " + n.target;
    dot << "  " << quote(id) << " [shape=" << shape(n.kind) << ", label=" << quote(label) << "];\n";
  }
  auto edge = [&](const std::string& from, const std::string& target, const std::string& label, bool dashed = false) {
    auto ref = set.resolve(tree.id, target);
    std::string to = target;
    if (ref && ref->tree != tree.id) {
      to = ref->tree + "." + ref->node;
      outside.insert(to);
    } else if (ref) {
      to = ref->node;
    }
    dot << "  " << quote(from) << " -> " << quote(to);
    std::string attrs;
    if (!label.empty()) attrs += "label=" + quote(shorten(label, 30));
    if (dashed) attrs += std::string(attrs.empty() ? "" : ", ") + "style=dashed";
    if (!attrs.empty()) dot << " [" << attrs << "]";
    dot << ";\n";
  };
  for (const auto& id : tree.order) {
    const Node& n = tree.nodes.at(id);
    for (const auto& c : n.choices) edge(id, c.next, c.label);
    for (const auto& a : n.arms) {
      std::string label = "else";
      if (a.condition) {
        static const char* ops[] = {"", "not ", "==", "!=", "<", "<=", ">", ">="};
        auto op = static_cast<int>(a.condition->op);
        label = op == 0 ? a.condition->variable
                        : op == 1 ? "not " + a.condition->variable
                                  : a.condition->variable + " " + ops[op] + " " + a.condition->value;
      }
      edge(id, a.next, label);
    }
    if (n.kind == NodeKind::go_to) edge(id, n.target, "");
    if (n.kind == NodeKind::call) edge(id, n.target, "call", true);
    if (!n.next.empty()) edge(id, n.next, n.kind == NodeKind::ask ? "answer" : (n.kind == NodeKind::call ? "returns" : ""));
  }
  for (const auto& o : outside) dot << "  " << quote(o) << " [shape=box, style=dashed, label=" << quote(o) << "];\n";
  dot << "}\n";
  return dot.str();
}

}  // namespace bounceback::dialog
