#pragma once
#include <string>
#include <vector>

#include "bot/core/diagnostic.hpp"

namespace bounceback::safety {

// One labelled message of the safety corpus: LABEL<TAB>LANG<TAB>TEXT. Labels are kinds of
// crisis (suicide_intent, plan_means, ...) or kinds of everyday message (ok_*); a message
// file without tabs has neither (safety-eval's plain files).
struct CorpusLine {
  std::string label;
  std::string lang;
  std::string text;
  bool crisis() const { return label.rfind("ok", 0) != 0; }
};

// Lines of one file; `#` comments and empty lines skipped. A line with one or more tabs
// must have three fields, else it goes to `problems` as FILE:LINE:1.
std::vector<CorpusLine> read_corpus_file(const std::string& path, std::vector<core::Diagnostic>& problems);
// Every *.tsv in a folder, in name order.
std::vector<CorpusLine> read_corpus_dir(const std::string& dir, std::vector<core::Diagnostic>& problems);

// SHA-256 (hex) of the corpus folder's *.tsv files, names and contents, in name order:
// what a model was trained from.
std::string corpus_digest(const std::string& dir);
// SHA-256 (hex) of a file; empty when it cannot be read.
std::string file_digest(const std::string& path);

}  // namespace bounceback::safety
