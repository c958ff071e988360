#include "bot/app/dialog_files.hpp"

#include <filesystem>
#include <set>

#include "bot/coach/coach.hpp"
#include "bot/understand/intent_classifier.hpp"
#include "bot/understand/intent_examples.hpp"
#include "bot/understand/intent_trainer.hpp"

namespace bounceback::app {

namespace {

// The intents the trees name (on_intent, a choice's intents:) must be example files of
// understand/, and the model there must be trained from those very examples. With it all
// in order, the set reads free text through the model.
void attach_understanding(dialog::LoadedDialogs& loaded, const std::string& folder) {
  std::string examples_folder = understand_folder(folder);
  bool present = std::filesystem::is_directory(examples_folder);
  std::set<std::string> known;
  if (present) {
    std::vector<core::Diagnostic> problems;
    auto examples = understand::read_intent_examples(examples_folder, problems);
    known.insert(examples.intents.begin(), examples.intents.end());
    if (problems.empty())
      if (auto stale = understand::model_problem(examples_folder)) problems.push_back(*stale);
    if (problems.empty()) {
      try {
        loaded.set.understanding = understand::IntentClassifier::load(understand::model_path(examples_folder));
      } catch (const std::exception& e) {
        problems.push_back({{understand::model_path(examples_folder), 1, 1}, e.what()});
      }
    }
    loaded.diagnostics.insert(loaded.diagnostics.end(), problems.begin(), problems.end());
  }
  auto check = [&](const std::string& intent, const core::SourceLocation& where) {
    if (!present)
      loaded.diagnostics.push_back({where, "intent '" + intent + "' needs the examples folder " + examples_folder});
    else if (!known.count(intent))
      loaded.diagnostics.push_back({where, "unknown intent '" + intent + "': no " + intent + ".txt in " + examples_folder});
  };
  for (const auto& [id, tree] : loaded.set.trees)
    for (const auto& [node_id, node] : tree.nodes) {
      for (const auto& [intent, target] : node.on_intent) check(intent, node.on_intent_where.at(intent));
      for (const auto& c : node.choices)
        for (const auto& intent : c.intents) check(intent, c.intents_where);
    }
}

}  // namespace

std::string understand_folder(const std::string& dialogs_folder) {
  return (std::filesystem::path(dialogs_folder) / "understand").string();
}

dialog::LoadedDialogs load_daemon_dialogs(const std::string& folder) {
  dialog::LoadedDialogs loaded = dialog::load_dialogs({folder});
  if (std::filesystem::is_directory(folder)) {
    attach_understanding(loaded, folder);
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
    attach_understanding(loaded, folder.empty() ? "." : folder.string());
    for (auto& d : loaded.diagnostics)
      if (std::filesystem::equivalent(d.where.file, path, ec)) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace bounceback::app
