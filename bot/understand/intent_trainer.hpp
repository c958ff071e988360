#pragma once
#include <optional>
#include <string>
#include <vector>

#include "bot/core/diagnostic.hpp"
#include "bot/safety/fasttext_training.hpp"
#include "bot/understand/intent_examples.hpp"

namespace bounceback::understand {

class IntentClassifier;

// How the model is trained: as the safety screen's (one thread, a fixed seed), with more
// epochs and fewer n-gram rows for a few thousand short lines.
struct IntentTrainSettings : safety::TrainSettings {
  IntentTrainSettings() {
    epoch = 40;
    bucket = 100000;
    quantize_rows = 20000;
  }
};

// The model and its digest file beside the examples.
std::string model_path(const std::string& folder);

// Trains from the examples of `folder` and writes model.ftz and model.ftz.sha256 (the
// model's digest and the examples'); returns what it did. Throws std::runtime_error.
std::string train_intent_model(const std::string& folder, const IntentTrainSettings& settings = {});

// Trains on `examples` into `path` (no digest file).
void train_intents(const std::vector<IntentExample>& examples, const std::string& path, const IntentTrainSettings& settings);

// A problem with the folder's model: missing, damaged, or trained from other examples.
std::optional<core::Diagnostic> model_problem(const std::string& folder);

// Top-1 and top-3 accuracy on `lines`, per intent, and how often the best guess is below
// the interpreter's sure-enough line (those are answered "not sure").
std::string evaluate_intents(const IntentClassifier& model, const std::vector<IntentExample>& lines);

// K-fold cross-validation of the folder's examples: the same figures.
std::string cross_validate_intents(const std::string& folder, int folds, const IntentTrainSettings& settings = {});

}  // namespace bounceback::understand
