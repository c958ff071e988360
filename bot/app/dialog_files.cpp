#include "bot/app/dialog_files.hpp"

#include <filesystem>

#include "bot/coach/coach.hpp"

namespace bounceback::app {

dialog::LoadedDialogs load_daemon_dialogs(const std::string& folder) {
  dialog::LoadedDialogs loaded = dialog::load_dialogs({folder});
  if (std::filesystem::is_directory(folder)) {
    auto missing = coach::Coach::missing_entry_points(loaded.set);
    for (auto& d : missing) {
      if (d.where.file.find('/') == std::string::npos) d.where.file = (std::filesystem::path(folder) / d.where.file).string();
      loaded.diagnostics.push_back(std::move(d));
    }
  }
  return loaded;
}

std::vector<dialog::Diagnostic> check_dialog_paths(const std::vector<std::string>& paths) {
  std::vector<dialog::Diagnostic> out;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      auto loaded = load_daemon_dialogs(path);
      out.insert(out.end(), loaded.diagnostics.begin(), loaded.diagnostics.end());
      continue;
    }
    if (!std::filesystem::exists(path, ec)) {
      out.push_back({{path, 1, 1}, "no such file or folder"});
      continue;
    }
    // Load the file's neighbours too, so `goto: menu` resolves; report only this file.
    auto folder = std::filesystem::path(path).parent_path();
    std::vector<std::string> files = {path};
    for (const auto& entry : std::filesystem::directory_iterator(folder.empty() ? "." : folder, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".yaml" &&
          !std::filesystem::equivalent(entry.path(), path, ec))
        files.push_back(entry.path().string());
    auto loaded = dialog::load_dialogs(files);
    for (auto& d : loaded.diagnostics)
      if (std::filesystem::equivalent(d.where.file, path, ec)) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace bounceback::app
