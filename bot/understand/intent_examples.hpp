#pragma once
#include <string>
#include <vector>

#include "bot/core/diagnostic.hpp"

namespace bounceback::understand {

// One example a coach wrote: a message and the intent it means.
struct IntentExample {
  std::string intent;
  std::string text;
};

// dialogs/understand/: one file per intent, named after it (sad.txt, did_step.txt), one
// example message a line, `#` comments. The folder's model.ftz is trained from them.
struct IntentExamples {
  std::vector<IntentExample> examples;
  std::vector<std::string> intents;  // the file names, sorted
};

// Reads every *.txt of `folder`. Problems (an empty file, a name that is not an intent
// name, a line in two files) go to `problems` as FILE:LINE:COL.
IntentExamples read_intent_examples(const std::string& folder, std::vector<core::Diagnostic>& problems);

// A digest of the example files (names and contents): a model is fresh when it was
// trained from exactly these.
std::string examples_digest(const std::string& folder);

// Held-out lines INTENT<TAB>TEXT, for measuring; problems as above.
std::vector<IntentExample> read_labelled_file(const std::string& path, std::vector<core::Diagnostic>& problems);

}  // namespace bounceback::understand
