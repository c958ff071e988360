#include "bot/safety/safety_corpus.hpp"

#include "bot/core/random_ids.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace bounceback::safety {

namespace {

std::vector<std::string> tsv_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".tsv") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string slurp(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<CorpusLine> read_corpus_file(const std::string& path, std::vector<core::Diagnostic>& problems) {
  std::vector<CorpusLine> out;
  std::ifstream in(path);
  if (!in) {
    problems.push_back({{path, 1, 1}, "cannot read the file"});
    return out;
  }
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto first = line.find('\t');
    if (first == std::string::npos) {
      out.push_back({"", "", line});
      continue;
    }
    auto second = line.find('\t', first + 1);
    if (second == std::string::npos || line.find('\t', second + 1) != std::string::npos || first == 0 ||
        second == first + 1 || second + 1 == line.size()) {
      problems.push_back({{path, number, 1}, "a labelled line is LABEL<TAB>LANG<TAB>TEXT"});
      continue;
    }
    out.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1), line.substr(second + 1)});
  }
  return out;
}

std::vector<CorpusLine> read_corpus_dir(const std::string& dir, std::vector<core::Diagnostic>& problems) {
  std::vector<CorpusLine> out;
  auto files = tsv_files(dir);
  if (files.empty()) problems.push_back({{dir, 1, 1}, "no corpus files (*.tsv) in this folder"});
  for (const auto& f : files) {
    auto lines = read_corpus_file(f, problems);
    out.insert(out.end(), lines.begin(), lines.end());
  }
  return out;
}

std::string corpus_digest(const std::string& dir) {
  std::string all;  // names and contents, each ended by a NUL: a few hundred kilobytes
  for (const auto& f : tsv_files(dir)) {
    bool ok = false;
    all += std::filesystem::path(f).filename().string();
    all += '\0';
    all += slurp(f, ok);
    all += '\0';
  }
  return core::sha256_hex(all);
}

std::string file_digest(const std::string& path) {
  bool ok = false;
  std::string bytes = slurp(path, ok);
  if (!ok) return {};
  return core::sha256_hex(bytes);
}

}  // namespace bounceback::safety
