#pragma once
#include <string>
#include <vector>

#include "bot/dialog/diagnostic.hpp"
#include "bot/dialog/dialog_tree.hpp"

namespace bounceback::dialog {

// Reads one tree from YAML text; `file` names it in diagnostics and its stem is the tree id.
// Structural problems (syntax, unknown keys, wrong types, duplicates) are diagnostics; the
// tree is returned as far as it could be read.
DialogTree parse_dialog(const std::string& yaml_text, const std::string& file, std::vector<Diagnostic>& diagnostics);

struct LoadedDialogs {
  DialogSet set;
  std::vector<Diagnostic> diagnostics;  // empty: the set is complete and consistent
  bool ok() const { return diagnostics.empty(); }
};

// Loads every .yaml file of the given files and folders, then checks the set as a whole
// (references, reachability, dead ends, templates, actions).
LoadedDialogs load_dialogs(const std::vector<std::string>& paths);

}  // namespace bounceback::dialog
