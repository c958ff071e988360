#pragma once
#include <string>
#include <vector>

#include "bot/dialog/dialog_loader.hpp"

namespace bounceback::app {

// Where a dialogs folder keeps its free-text examples and their model: FOLDER/understand.
std::string understand_folder(const std::string& dialogs_folder);

// The daemon's dialogs: every tree in `folder`, checked, plus the entry points the coach
// needs (onboarding, menu, help, common.*), and the
// free-text model of understand/ when the folder has one (checked against its examples). Not ok(): the daemon must not run with it.
dialog::LoadedDialogs load_daemon_dialogs(const std::string& folder);

// `bounceback check PATH...`: a folder is checked as a whole set (entry points included);
// a single file is checked against the trees beside it, reporting only its own problems.
std::vector<dialog::Diagnostic> check_dialog_paths(const std::vector<std::string>& paths);

}  // namespace bounceback::app
