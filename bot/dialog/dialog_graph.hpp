#pragma once
#include <string>

#include "bot/dialog/dialog_tree.hpp"

namespace bounceback::dialog {

// The tree as Graphviz DOT: node kinds drawn in different shapes, choices as edge labels,
// other trees (goto, call) as dashed boxes. `set` resolves targets in other trees.
std::string to_dot(const DialogTree& tree, const DialogSet& set);

}  // namespace bounceback::dialog
