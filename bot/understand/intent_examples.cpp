#include "bot/understand/intent_examples.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bot/core/random_ids.hpp"

namespace bounceback::understand {

namespace {

std::vector<std::filesystem::path> example_files(const std::string& folder) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(folder, ec))
    if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

bool is_intent_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

std::string trimmed(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  auto b = line.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return line.substr(b, line.find_last_not_of(" \t") - b + 1);
}

}  // namespace

IntentExamples read_intent_examples(const std::string& folder, std::vector<core::Diagnostic>& problems) {
  IntentExamples out;
  auto files = example_files(folder);
  if (files.empty()) problems.push_back({{folder, 1, 1}, "no intent examples (INTENT.txt files) in this folder"});
  std::map<std::string, std::pair<std::string, int>> seen;  // text -> where it was first
  for (const auto& path : files) {
    std::string intent = path.stem().string();
    std::string file = path.string();
    if (!is_intent_name(intent)) {
      problems.push_back({{file, 1, 1}, "\"" + intent + "\" is not an intent name (lowercase letters and _)"});
      continue;
    }
    std::ifstream in(path);
    int number = 0, count = 0;
    for (std::string raw; std::getline(in, raw);) {
      ++number;
      std::string line = trimmed(raw);
      if (line.empty() || line[0] == '#') continue;
      auto [it, fresh] = seen.emplace(line, std::make_pair(file, number));
      if (!fresh && it->second.first != file) {
        problems.push_back({{file, number, 1}, "this example is also in " + it->second.first + ":" +
                                                   std::to_string(it->second.second) + ": one meaning a line"});
        continue;
      }
      out.examples.push_back({intent, line});
      ++count;
    }
    if (count == 0) problems.push_back({{file, 1, 1}, "no examples: write one message a line"});
    else out.intents.push_back(intent);
  }
  return out;
}

std::string examples_digest(const std::string& folder) {
  std::string all;
  for (const auto& path : example_files(folder)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    all += path.filename().string();
    all += '\0';
    all += bytes.str();
    all += '\0';
  }
  return core::sha256_hex(all);
}

std::vector<IntentExample> read_labelled_file(const std::string& path, std::vector<core::Diagnostic>& problems) {
  std::vector<IntentExample> out;
  std::ifstream in(path);
  if (!in) {
    problems.push_back({{path, 1, 1}, "cannot read the file"});
    return out;
  }
  int number = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    std::string line = trimmed(raw);
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size() || line.find('\t', tab + 1) != std::string::npos) {
      problems.push_back({{path, number, 1}, "a line is INTENT<TAB>TEXT"});
      continue;
    }
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return out;
}

}  // namespace bounceback::understand
