#pragma once
#include <string>
#include <vector>

#include "bot/dialog/dialog_loader.hpp"

namespace bounceback::app {

// The daemon's dialogs: every tree in `folder`, checked, plus the entry points the coach
// needs (onboarding, menu, help, common.*). Not ok(): the daemon must not run with it.
dialog::LoadedDialogs load_daemon_dialogs(const std::string& folder);

// `bounceback check PATH...`: a folder is checked as a whole set (entry points included);
// a single file is checked against the trees beside it, reporting only its own problems.
std::vector<dialog::Diagnostic> check_dialog_paths(const std::vector<std::string>& paths);

}  // namespace bounceback::app
