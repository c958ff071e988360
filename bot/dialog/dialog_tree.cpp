#include "bot/dialog/dialog_tree.hpp"

namespace bounceback::dialog {

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::say: return "say";
    case NodeKind::ask: return "ask";
    case NodeKind::branch: return "branch";
    case NodeKind::go_to: return "goto";
    case NodeKind::call: return "call";
    case NodeKind::return_: return "return";
    case NodeKind::action: return "action";
    case NodeKind::end: return "end";
  }
  return "?";
}

std::optional<NodeRef> DialogSet::resolve(const std::string& from, const std::string& target) const {
  if (const DialogTree* own = tree(from); own && own->node(target)) return NodeRef{from, target};
  auto dot = target.find('.');
  if (dot != std::string::npos) {
    NodeRef ref{target.substr(0, dot), target.substr(dot + 1)};
    if (node(ref)) return ref;
    return std::nullopt;
  }
  if (const DialogTree* other = tree(target)) return NodeRef{other->id, other->start};
  return std::nullopt;
}

}  // namespace bounceback::dialog
