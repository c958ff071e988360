#pragma once
#include <set>
#include <string>
#include <vector>

#include "bot/dialog/diagnostic.hpp"
#include "bot/dialog/dialog_tree.hpp"

namespace bounceback::dialog {

// Variables every template may use; the core fills them in for each person.
const std::set<std::string>& builtin_variables();

// Checks a whole set: references that lead nowhere, calls to missing trees, nodes never
// reached, dead ends, branches without else, unknown template variables, bad actions.
void check_dialogs(const DialogSet& set, std::vector<Diagnostic>& diagnostics);

}  // namespace bounceback::dialog
